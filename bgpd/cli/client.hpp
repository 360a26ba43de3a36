// bgpd/cli/client.hpp - one request over the control socket, blocking.
#pragma once

#include <chrono>
#include <string>

#include "bgpd/api/protocol.hpp"
#include "common/expected.hpp"

namespace bgpd::cli {

struct ClientError {
  // Connect: the socket cannot be reached (exit 3). Exchange: connected but
  // no complete, well-formed answer (also exit 3: the daemon is not usable).
  enum class Kind { Connect, Exchange } kind;
  std::string message;  // names the socket path
};

common::Expected<api::Response, ClientError> exchange(const std::string& socket_path,
                                                      const api::Request& request,
                                                      std::chrono::seconds timeout);

}  // namespace bgpd::cli
