// bgpd/api/command_registry.cpp - see command_registry.hpp.
#include "bgpd/api/command_registry.hpp"

#include <exception>

namespace bgpd::api {

namespace {
constexpr std::string_view kHelp = "help";
}  // namespace

bool CommandRegistry::add(std::string name, std::string help, SyncHandler handler) {
  return add_async(
      std::move(name), std::move(help),
      [handler = std::move(handler)](nlohmann::json args) -> boost::asio::awaitable<CommandResult> {
        co_return handler(args);
      });
}

bool CommandRegistry::add_async(std::string name, std::string help, AsyncHandler handler) {
  if (name == kHelp) return false;
  return commands_.try_emplace(std::move(name), Entry{std::move(help), std::move(handler)}).second;
}

boost::asio::awaitable<CommandResult> CommandRegistry::dispatch(std::string name,
                                                                nlohmann::json args) const {
  if (name == kHelp) co_return describe();
  const auto entry = commands_.find(name);
  if (entry == commands_.end()) {
    co_return common::Unexpected("unknown command \"" + name + "\" (try \"help\")");
  }
  std::string failure;
  try {
    co_return co_await entry->second.handler(std::move(args));
  } catch (const std::exception& e) {
    failure = e.what();
  }
  co_return common::Unexpected("command \"" + name + "\" failed: " + failure);
}

nlohmann::json CommandRegistry::describe() const {
  nlohmann::json out = {{kHelp, "list the commands this daemon answers"}};
  for (const auto& [name, entry] : commands_) out[name] = entry.help;
  return out;
}

}  // namespace bgpd::api
