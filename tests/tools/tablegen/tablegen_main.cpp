// tests/tools/tablegen/tablegen_main.cpp - print a generated table.
//
//   tablegen_dump [--v4 N] [--v6 N] [--seed S] [--summary]
// One line per route: "prefix|as_path|origin|med|communities", or with
// --summary the counts that show the table's shape (groups, lengths).
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "tests/tools/tablegen/tablegen.hpp"

namespace {

int usage() {
  std::fprintf(stderr, "usage: tablegen_dump [--v4 N] [--v6 N] [--seed S] [--summary]\n");
  return 2;
}

std::string communities(const bgpd::wire::PathAttributes& a) {
  std::string out;
  for (auto c : a.communities) {
    if (!out.empty()) out += ' ';
    out += std::to_string(c >> 16) + ":" + std::to_string(c & 0xFFFF);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  tablegen::Params params;
  bool summary = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--summary") {
      summary = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const auto value = std::strtoull(argv[++i], nullptr, 10);
    if (arg == "--v4") {
      params.ipv4 = value;
    } else if (arg == "--v6") {
      params.ipv6 = value;
    } else if (arg == "--seed") {
      params.seed = value;
    } else {
      return usage();
    }
  }
  std::size_t groups = 0;
  std::size_t routes = 0;
  std::map<int, std::size_t> lengths;
  tablegen::generate(params, [&](const tablegen::AttributeGroup& g) {
    ++groups;
    for (const auto& p : g.prefixes) {
      ++routes;
      if (summary) {
        ++lengths[(p.family() == bgpd::wire::Afi::Ipv4 ? 0 : 1000) + p.length];
        continue;
      }
      const auto& a = g.attributes;
      std::printf("%s|%s|%d|%s|%s\n", p.to_string().c_str(), a.as_path.to_string().c_str(),
                  static_cast<int>(a.origin), a.med ? std::to_string(*a.med).c_str() : "",
                  communities(a).c_str());
    }
  });
  if (summary) {
    std::printf("routes %zu attribute_sets %zu prefixes_per_set %.2f\n", routes, groups,
                groups ? static_cast<double>(routes) / static_cast<double>(groups) : 0.0);
    for (const auto& [key, n] : lengths) {
      std::printf("%s /%d %zu\n", key >= 1000 ? "ipv6" : "ipv4", key % 1000, n);
    }
  }
  return 0;
}
