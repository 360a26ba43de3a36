// tests/tools/injector/control_client.hpp - asks a bgpd over its control
// socket (bgpd/api/protocol.hpp: one JSON line each way) without blocking
// the injector's event loop, which must keep its BGP session alive while it
// waits for the daemon to take the table in.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "bgpd/api/protocol.hpp"
#include "common/expected.hpp"

namespace injector {

// One request on a fresh connection to the Unix socket at `path`; the
// result of an {"ok": true} answer, else the daemon's error or what went
// wrong on the way (connect, timeout, malformed answer).
boost::asio::awaitable<common::Expected<nlohmann::json, std::string>> control_query(
    std::string path, bgpd::api::Request request, std::chrono::milliseconds timeout);

// What `show neighbors` tells about one neighbor.
struct NeighborProgress {
  std::string state;
  std::uint64_t received = 0;
  std::uint64_t accepted = 0;
  bool operator==(const NeighborProgress&) const = default;
};

// Finds `address` in a `show neighbors` result (an array of neighbors, each
// with "address", "state" and, once it has a RIB peer, "prefixes").
common::Expected<NeighborProgress, std::string> neighbor_progress(const nlohmann::json& neighbors,
                                                                  const std::string& address);

}  // namespace injector
