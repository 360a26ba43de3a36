// tests/tools/injector/files.cpp - see files.hpp.
#include "tests/tools/injector/files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace injector {

common::Expected<std::vector<std::uint8_t>, std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::Unexpected(path + ": " + std::strerror(errno));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) return common::Unexpected(path + ": read error");
  return bytes;
}

nlohmann::json summary_json(const StreamSummary& summary) {
  return {{"messages", summary.messages},
          {"bytes", summary.bytes},
          {"prefixes", summary.prefixes()},
          {"updates", summary.updates},
          {"ipv4", summary.ipv4_prefixes},
          {"ipv6", summary.ipv6_prefixes},
          {"largest_message", summary.largest_message}};
}

}  // namespace injector
