// bgpd/api/command_registry.hpp - command name -> handler.
//
// The daemon registers its commands ("show neighbors", "show rib", "clear
// neighbor", "reload", ...) at startup; the control server only dispatches.
// Handlers run on the control server's strand. A handler that needs state
// owned by another strand (a peer, the RIB) is asynchronous and co_awaits a
// hop to that strand, so that the state is still only touched by its owner.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace bgpd::api {

// A result for the client, or the error message it is shown.
using CommandResult = common::Expected<nlohmann::json, std::string>;
using SyncHandler = std::function<CommandResult(const nlohmann::json& args)>;
using AsyncHandler = std::function<boost::asio::awaitable<CommandResult>(nlohmann::json args)>;

class CommandRegistry {
 public:
  // "help" is built in: it lists the commands and their help text.
  // Returns false (and changes nothing) if name is already registered.
  bool add(std::string name, std::string help, SyncHandler handler);
  bool add_async(std::string name, std::string help, AsyncHandler handler);

  // Unknown commands and handler exceptions (for example a missing argument
  // read with json::at) become error results; nothing is thrown.
  boost::asio::awaitable<CommandResult> dispatch(std::string name, nlohmann::json args) const;

  // {"command name": "help text", ...}
  nlohmann::json describe() const;

 private:
  struct Entry {
    std::string help;
    AsyncHandler handler;
  };
  std::map<std::string, Entry, std::less<>> commands_;
};

}  // namespace bgpd::api
