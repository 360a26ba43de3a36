// bgpd/api/protocol.hpp - the control socket protocol, shared by the server
// (bgpd) and the client (bgpcli).
//
// Module bgpd/api owns the daemon's control socket: a Unix stream socket on
// which each request is one line of JSON,
//     {"command": "show neighbors", "args": {"address": "192.0.2.2"}}
// answered by one line,
//     {"ok": true, "result": ...}   or   {"ok": false, "error": "..."}
// plus the command registry the daemon fills. It must not depend on the
// protocol cores (wire, fsm, rib, config): commands are registered by the
// daemon, which knows them; the api only transports JSON.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace bgpd::api {

inline constexpr std::string_view kDefaultSocketPath = "/run/bgpd/bgpd.sock";
// A request line longer than this is refused (and the connection closed):
// no command needs more, and it bounds what one client can make us buffer.
inline constexpr std::size_t kMaxRequestSize = 64 * 1024;

struct Request {
  std::string command;
  nlohmann::json args = nlohmann::json::object();
};

// The error text is what the client is told.
common::Expected<Request, std::string> parse_request(std::string_view line);
// One line, no trailing newline.
std::string encode_request(const Request& request);

std::string ok_response(const nlohmann::json& result);
std::string error_response(std::string_view message);

struct Response {
  bool ok = false;
  nlohmann::json result;  // when ok
  std::string error;      // when !ok
};
common::Expected<Response, std::string> parse_response(std::string_view line);

}  // namespace bgpd::api
