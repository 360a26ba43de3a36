// tests/tools/injector/stream_main.cpp - bgp_stream: write or check a
// pre-encoded UPDATE stream (see args.cpp stream_usage()).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string_view>
#include <vector>

#include "tests/tools/injector/args.hpp"
#include "tests/tools/injector/files.hpp"

namespace {

using injector::StreamSummary;

common::Expected<StreamSummary, std::string> scan(const injector::StreamArgs& args) {
  auto bytes = injector::read_file(args.scan);
  if (!bytes) return common::Unexpected(bytes.error());
  auto summary = injector::scan_stream(*bytes, args.stream.session);
  if (!summary) {
    return common::Unexpected(args.scan + ": at octet " + std::to_string(summary.error().offset) +
                              ": " + summary.error().what);
  }
  return *summary;
}

common::Expected<StreamSummary, std::string> write(const injector::StreamArgs& args) {
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  if (!out) return common::Unexpected(args.out + ": " + std::strerror(errno));
  auto summary = injector::write_stream(args.stream, [&out](std::span<const std::uint8_t> bytes) {
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  });
  if (!summary) return common::Unexpected(summary.error().what);
  out.close();
  if (!out) return common::Unexpected(args.out + ": write error");
  return *summary;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> arguments(argv + 1, argv + argc);
  auto args = injector::parse_stream_args(arguments);
  if (!args) {
    std::cerr << "bgp_stream: " << args.error() << "\n" << injector::stream_usage();
    return 2;
  }
  if (args->help) {
    std::cout << injector::stream_usage();
    return 0;
  }
  auto summary = args->scan.empty() ? write(*args) : scan(*args);
  if (!summary) {
    std::cerr << "bgp_stream: " << summary.error() << "\n";
    return 1;
  }
  std::cout << injector::summary_json(*summary).dump() << "\n";
  return 0;
}
