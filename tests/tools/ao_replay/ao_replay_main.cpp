// ao_replay CAPTURE --keys KEYS.json --repair REPAIR.json [--json]
//
// Verifies the TCP-AO segments of a capture with our user-space engine, on
// connections restored from TCP_AO_REPAIR values (replay.hpp). Exit 0 when
// every endpoint saw segments and all verified; 1 when a segment failed or
// an endpoint saw none; 2 for bad usage or input (the message names the
// file and the JSON pointer). Secrets are never printed.
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tests/tools/ao_replay/capture.hpp"
#include "tests/tools/ao_replay/replay.hpp"

namespace {

constexpr int kExitVerified = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

constexpr std::string_view kUsage =
    "usage: ao_replay CAPTURE --keys KEYS.json --repair REPAIR.json [--json]\n";

struct Arguments {
  std::string capture;
  std::string keys;
  std::string repair;
  bool json = false;
};

std::optional<Arguments> parse_arguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--json") {
      args.json = true;
    } else if (arg == "--keys" && has_value) {
      args.keys = argv[++i];
    } else if (arg == "--repair" && has_value) {
      args.repair = argv[++i];
    } else if (!arg.starts_with("-") && args.capture.empty()) {
      args.capture = arg;
    } else {
      return std::nullopt;
    }
  }
  if (args.capture.empty() || args.keys.empty() || args.repair.empty()) return std::nullopt;
  return args;
}

bool all_ok(const std::vector<ao_replay::EndpointReport>& reports) {
  for (const auto& r : reports) {
    if (!r.ok()) return false;
  }
  return !reports.empty();
}

nlohmann::json optional_json(const std::optional<std::uint32_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

void print_json(const ao_replay::CaptureSummary& capture,
                const std::vector<ao_replay::EndpointReport>& reports) {
  nlohmann::json endpoints = nlohmann::json::array();
  for (const auto& r : reports) {
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& f : r.failures) {
      failures.push_back(
          {{"frame", f.frame}, {"seq", f.seq}, {"sne", f.sne}, {"reason", f.reason}});
    }
    endpoints.push_back({{"local", r.local},
                         {"local_port", r.local_port},
                         {"remote", r.remote},
                         {"remote_port", r.remote_port},
                         {"verified", r.verified},
                         {"total", r.total},
                         {"min_sne", optional_json(r.min_sne)},
                         {"max_sne", optional_json(r.max_sne)},
                         {"final_receive_sne", r.final_receive_sne},
                         {"failures", failures},
                         {"failures_omitted", r.failures_omitted}});
  }
  const nlohmann::json report{{"ok", all_ok(reports)},
                              {"capture",
                               {{"link_type", capture.link_type},
                                {"frames", capture.frames},
                                {"truncated", capture.truncated}}},
                              {"endpoints", endpoints}};
  std::cout << report.dump(2) << "\n";
}

std::string sne_range(const ao_replay::EndpointReport& r) {
  if (!r.min_sne) return "none";
  return std::to_string(*r.min_sne) + ".." + std::to_string(*r.max_sne);
}

void print_text(const ao_replay::CaptureSummary& capture,
                const std::vector<ao_replay::EndpointReport>& reports) {
  std::uint64_t verified = 0;
  for (const auto& r : reports) {
    std::cout << ao_replay::endpoint_text(r.local, r.local_port) << " <- "
              << ao_replay::endpoint_text(r.remote, r.remote_port) << ": verified " << r.verified
              << "/" << r.total << ", SNE " << sne_range(r) << ", final receive SNE "
              << r.final_receive_sne << (r.total == 0 ? " (no segments for this endpoint)" : "")
              << "\n";
    for (const auto& f : r.failures) {
      std::cout << "  frame " << f.frame << ": " << f.reason << " (seq " << f.seq << ", SNE "
                << f.sne << ")\n";
    }
    if (r.failures_omitted > 0) std::cout << "  ... " << r.failures_omitted << " more\n";
    verified += r.verified;
  }
  if (capture.truncated > 0) {
    std::cout << "warning: " << capture.truncated << " frame(s) cut by the capture's snaplen\n";
  }
  std::cout << "ao_replay: " << (all_ok(reports) ? "OK" : "FAILED") << ": " << reports.size()
            << " endpoint(s), " << verified << " segment(s) verified, " << capture.frames
            << " frame(s) of link type " << capture.link_type << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse_arguments(argc, argv);
  if (!args) {
    std::cerr << kUsage;
    return kExitBadInput;
  }
  const auto keys = ao_replay::load_keys(args->keys);
  if (!keys) {
    std::cerr << "ao_replay: " << keys.error() << "\n";
    return kExitBadInput;
  }
  const auto endpoints = ao_replay::load_endpoints(args->repair);
  if (!endpoints) {
    std::cerr << "ao_replay: " << endpoints.error() << "\n";
    return kExitBadInput;
  }
  auto replay = ao_replay::Replay::create(*keys, *endpoints, args->keys);
  if (!replay) {
    std::cerr << "ao_replay: " << replay.error() << "\n";
    return kExitBadInput;
  }
  const auto capture = ao_replay::read_capture(
      args->capture,
      [&](std::uint64_t frame, std::span<const std::uint8_t> ip) { replay->feed(frame, ip); });
  if (!capture) {
    std::cerr << "ao_replay: " << capture.error() << "\n";
    return kExitBadInput;
  }
  const auto reports = replay->reports();
  if (args->json) {
    print_json(*capture, reports);
  } else {
    print_text(*capture, reports);
  }
  return all_ok(reports) ? kExitVerified : kExitFailed;
}
