// bgpd/cli/main.cpp - bgpcli: see args.hpp for the commands, --help for use.
#include <fmt/format.h>

#include <cstdio>
#include <string_view>
#include <vector>

#include "bgpd/cli/args.hpp"
#include "bgpd/cli/client.hpp"
#include "bgpd/cli/render.hpp"

namespace {

// Long enough for "show rib" on a full table, short enough that a wedged
// daemon does not hang a script forever.
constexpr std::chrono::seconds kAnswerTimeout{60};

int exit_with(bgpd::cli::ExitCode code) {
  return static_cast<int>(code);
}

}  // namespace

int main(int argc, char** argv) {
  using bgpd::cli::ExitCode;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  auto invocation = bgpd::cli::parse_args(args);
  if (!invocation) {
    fmt::print(stderr, "bgpcli: {}\n\n{}", invocation.error().message, bgpd::cli::usage_text());
    return exit_with(ExitCode::Usage);
  }
  if (invocation->help) {
    fmt::print("{}", bgpd::cli::usage_text());
    return exit_with(ExitCode::Ok);
  }
  auto response = bgpd::cli::exchange(invocation->socket_path, invocation->request, kAnswerTimeout);
  if (!response) {
    fmt::print(stderr, "bgpcli: {}\n", response.error().message);
    return exit_with(ExitCode::CannotConnect);
  }
  if (!response->ok) {
    fmt::print(stderr, "bgpcli: {}: {}\n", invocation->request.command, response->error);
    return exit_with(ExitCode::CommandError);
  }
  if (invocation->json) {
    fmt::print("{}\n",
               response->result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    fmt::print("{}", bgpd::cli::render(invocation->view, response->result));
  }
  return exit_with(ExitCode::Ok);
}
