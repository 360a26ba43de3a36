// bgpd/cli/args.hpp - bgpcli command line -> control socket request.
//
// Module bgpd/cli owns the bgpcli program: argument parsing, the blocking
// client of the control socket and the rendering of results as tables. It
// depends only on the api protocol (bgpd/api/protocol.hpp), never on the
// daemon's internals: everything it knows arrives as JSON.
//
// Command words map to control commands; unknown words are a usage error
// (exit 2) rather than being guessed at. `raw COMMAND [ARGS-JSON]` sends any
// command the daemon registered (see `bgpcli raw help`), for commands newer
// than this CLI and for scripts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bgpd/api/protocol.hpp"
#include "common/expected.hpp"

namespace bgpd::cli {

// Process exit codes (documented in --help).
enum class ExitCode { Ok = 0, CommandError = 1, Usage = 2, CannotConnect = 3 };

// How a successful result is shown.
enum class View { Neighbors, Rib, Json, Generic };

struct Invocation {
  std::string socket_path{api::kDefaultSocketPath};
  bool json = false;  // print the raw JSON result
  bool help = false;  // print usage and exit 0
  api::Request request;
  View view = View::Generic;
};

struct UsageError {
  std::string message;
};

common::Expected<Invocation, UsageError> parse_args(const std::vector<std::string_view>& args);

std::string usage_text();

}  // namespace bgpd::cli
