// tests/tools/injector/files.hpp - what the two command-line tools share:
// reading a stream file and printing a stream summary as JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "tests/tools/injector/stream.hpp"

namespace injector {

common::Expected<std::vector<std::uint8_t>, std::string> read_file(const std::string& path);

// {"messages", "bytes", "prefixes", "updates", "ipv4", "ipv6", "largest_message"}
nlohmann::json summary_json(const StreamSummary& summary);

}  // namespace injector
