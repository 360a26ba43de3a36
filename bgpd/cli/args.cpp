// bgpd/cli/args.cpp - see args.hpp.
#include "bgpd/cli/args.hpp"

#include <fmt/format.h>

#include <span>

namespace bgpd::cli {
namespace {

using Words = std::span<const std::string_view>;
using Result = common::Expected<Invocation, UsageError>;

Result usage(std::string message) {
  return common::Unexpected(UsageError{std::move(message)});
}

Result too_many(Words extra) {
  return usage(fmt::format("unexpected argument \"{}\"", extra[0]));
}

bool is_afi(std::string_view word) {
  return word == "ipv4" || word == "ipv6";
}

Result show_neighbors(Invocation inv, Words rest) {
  if (rest.size() > 1) return too_many(rest.subspan(1));
  inv.request.command = "show neighbors";
  if (!rest.empty()) inv.request.args["address"] = std::string(rest[0]);
  inv.view = View::Neighbors;
  return inv;
}

Result show_rib(Invocation inv, Words rest) {
  inv.request.command = "show rib";
  inv.view = View::Rib;
  if (!rest.empty() && is_afi(rest[0])) {
    inv.request.args["family"] = std::string(rest[0]);
    rest = rest.subspan(1);
  }
  if (!rest.empty()) {
    inv.request.args["prefix"] = std::string(rest[0]);
    rest = rest.subspan(1);
  }
  if (!rest.empty()) return too_many(rest);
  return inv;
}

// clear neighbor ADDR [soft [in|out]] -> args {"address", "soft": in|out|both};
// no "soft" means a hard reset.
Result clear_neighbor(Invocation inv, Words rest) {
  if (rest.empty()) return usage("clear neighbor needs an address");
  inv.request.command = "clear neighbor";
  inv.request.args["address"] = std::string(rest[0]);
  rest = rest.subspan(1);
  if (!rest.empty()) {
    if (rest[0] != "soft") return too_many(rest);
    inv.request.args["soft"] = "both";
    rest = rest.subspan(1);
    if (!rest.empty()) {
      if (rest[0] != "in" && rest[0] != "out") {
        return usage(fmt::format("soft direction must be in or out, not \"{}\"", rest[0]));
      }
      inv.request.args["soft"] = std::string(rest[0]);
      rest = rest.subspan(1);
    }
  }
  if (!rest.empty()) return too_many(rest);
  return inv;
}

Result raw(Invocation inv, Words rest) {
  if (rest.empty()) return usage("raw needs a command name");
  if (rest.size() > 2) return too_many(rest.subspan(2));
  inv.request.command = std::string(rest[0]);
  if (rest.size() == 2) {
    auto args = nlohmann::json::parse(rest[1], nullptr, false);
    if (args.is_discarded() || !args.is_object()) {
      return usage("raw arguments must be one JSON object");
    }
    inv.request.args = std::move(args);
  }
  inv.view = View::Generic;
  return inv;
}

Result command(Invocation inv, Words words) {
  if (words.empty()) return usage("no command given");
  const auto first = words[0];
  const auto rest = words.subspan(1);
  const auto second = rest.empty() ? std::string_view{} : rest[0];
  if (first == "show" && second == "neighbors")
    return show_neighbors(std::move(inv), rest.subspan(1));
  if (first == "show" && second == "rib") return show_rib(std::move(inv), rest.subspan(1));
  if (first == "show" && (second == "config" || second == "ao")) {
    if (rest.size() > 1) return too_many(rest.subspan(1));
    inv.request.command = fmt::format("show {}", second);
    inv.view = View::Json;
    return inv;
  }
  if (first == "clear" && second == "neighbor")
    return clear_neighbor(std::move(inv), rest.subspan(1));
  if (first == "rekey") {
    if (rest.empty()) return usage("rekey needs a neighbor address");
    if (rest.size() > 1) return too_many(rest.subspan(1));
    inv.request.command = "rekey neighbor";
    inv.request.args["address"] = std::string(rest[0]);
    return inv;
  }
  if (first == "reload") {
    if (!rest.empty()) return too_many(rest);
    inv.request.command = "reload";
    return inv;
  }
  if (first == "raw") return raw(std::move(inv), rest);
  return usage(fmt::format("unknown command \"{}{}{}\"", first, second.empty() ? "" : " ", second));
}

}  // namespace

Result parse_args(const std::vector<std::string_view>& args) {
  Invocation inv;
  std::size_t i = 0;
  for (; i < args.size() && args[i].starts_with("-"); ++i) {
    const auto option = args[i];
    if (option == "--help" || option == "-h") {
      inv.help = true;
      return inv;
    }
    if (option == "--json" || option == "-j") {
      inv.json = true;
    } else if (option == "--socket" || option == "-s") {
      if (++i == args.size()) return usage(fmt::format("{} needs a path", option));
      inv.socket_path = std::string(args[i]);
    } else if (option.starts_with("--socket=")) {
      inv.socket_path = std::string(option.substr(9));
    } else {
      return usage(fmt::format("unknown option \"{}\"", option));
    }
  }
  if (inv.socket_path.empty()) return usage("the socket path is empty");
  return command(std::move(inv), Words(args).subspan(i));
}

std::string usage_text() {
  return fmt::format(
      R"(usage: bgpcli [--socket PATH] [--json] COMMAND...

Talks to a running bgpd over its control socket (default {}).

Commands:
  show neighbors [ADDR]              sessions: state, uptime, prefixes, messages
  show rib [ipv4|ipv6] [PREFIX]      routes; the best path is marked with >
  clear neighbor ADDR [soft [in|out]]
                                     reset the session, or with soft re-run
                                     policy without resetting (both directions
                                     unless in or out is given)
  rekey ADDR                         roll the session's TLS-derived TCP-AO keys
                                     to the next generation now, without a
                                     reset (profile section 4)
  reload                             re-read the configuration file
  show config                        the running configuration (JSON)
  show ao                            the TCP-AO backend: kind, kernel probe,
                                     userspace queues and drops (JSON); per
                                     session TCP-AO is in show neighbors --json
  raw COMMAND [ARGS-JSON]            send any daemon command as is, e.g.
                                     bgpcli raw help
                                     bgpcli raw "show neighbors" '{{"address":"192.0.2.2"}}'

Options:
  -s, --socket PATH   control socket of the daemon
  -j, --json          print the JSON result instead of a table
  -h, --help          this text

Exit status:
  0  the command succeeded
  1  the daemon answered with an error
  2  usage error (this text explains the command line)
  3  cannot reach the daemon: no socket, no permission, no answer
)",
      api::kDefaultSocketPath);
}

}  // namespace bgpd::cli
