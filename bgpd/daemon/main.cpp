// bgpd/daemon/main.cpp - command line, configuration check, start-up.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "bgpd/daemon/daemon.hpp"

namespace {

constexpr std::string_view kUsage = R"(usage: bgpd --config FILE [options]
       bgpd --check FILE

A BGP-4 speaker (RFC 4271) configured by a JSON file.

options:
  -c, --config FILE         the configuration (docs/configuration.md)
      --check FILE          validate FILE, print every error with its JSON
                            path, and exit: 0 valid, 1 invalid
  -s, --control-socket PATH control socket for bgpcli (overrides
                            global.control_socket)
      --log-level LEVEL     debug, info, warning or error (overrides
                            global.log.level)
      --log-format FORMAT   text or json (JSON lines; overrides global.log.format)
  -h, --help                this text
  -V, --version             the version

signals: SIGHUP reloads the configuration (like `bgpcli reload`);
SIGINT and SIGTERM stop every session with a Cease NOTIFICATION.
)";

struct Args {
  std::string config;
  std::string check;
  std::string control_socket;
  std::string log_level;
  std::string log_format;
};

common::log::Level to_log_level(bgpd::config::LogLevel level) {
  switch (level) {
    case bgpd::config::LogLevel::Debug: return common::log::Level::Debug;
    case bgpd::config::LogLevel::Info: return common::log::Level::Info;
    case bgpd::config::LogLevel::Warning: return common::log::Level::Warning;
    case bgpd::config::LogLevel::Error: return common::log::Level::Error;
  }
  return common::log::Level::Info;
}

int usage_error(const std::string& message) {
  std::cerr << "bgpd: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string& into) -> bool {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "-V" || arg == "--version") {
      std::cout << "bgpd " << BGPD_VERSION << "\n";
      return 0;
    } else if (arg == "-c" || arg == "--config") {
      if (!value(args.config)) return usage_error("--config needs a file");
    } else if (arg == "--check") {
      if (!value(args.check)) return usage_error("--check needs a file");
    } else if (arg == "-s" || arg == "--control-socket") {
      if (!value(args.control_socket)) return usage_error("--control-socket needs a path");
    } else if (arg == "--log-level") {
      if (!value(args.log_level)) return usage_error("--log-level needs a level");
    } else if (arg == "--log-format") {
      if (!value(args.log_format)) return usage_error("--log-format needs a format");
    } else {
      return usage_error("unknown argument '" + std::string(arg) + "'");
    }
  }

  if (!args.check.empty()) {
    auto loaded = bgpd::daemon::load_config(args.check);
    if (!loaded) {
      for (const auto& e : loaded.error()) std::cerr << args.check << ": " << e << "\n";
      std::cerr << loaded.error().size() << " error(s)\n";
      return 1;
    }
    std::cout << args.check << ": configuration OK (" << loaded->config.neighbors.size()
              << " neighbors, " << loaded->config.networks.size() << " networks)\n";
    return 0;
  }
  if (args.config.empty()) return usage_error("--config is required");

  auto loaded = bgpd::daemon::load_config(args.config);
  if (!loaded) {
    for (const auto& e : loaded.error()) std::cerr << args.config << ": " << e << "\n";
    std::cerr << "bgpd: configuration refused (" << loaded.error().size() << " error(s))\n";
    return 1;
  }
  const auto& log_config = loaded->config.global.log;
  auto format = log_config.format == bgpd::config::LogFormat::Json
                    ? common::log::Format::JsonLines
                    : common::log::Format::Text;
  if (args.log_format == "json") format = common::log::Format::JsonLines;
  else if (args.log_format == "text") format = common::log::Format::Text;
  else if (!args.log_format.empty()) return usage_error("--log-format must be text or json");
  auto level = to_log_level(log_config.level);
  if (!args.log_level.empty()) {
    auto parsed = common::log::parse_level(args.log_level);
    if (!parsed) return usage_error("--log-level must be debug, info, warning or error");
    level = *parsed;
  }
  common::log::Logger log(common::log::Sink::to_stderr(format, level));

  bgpd::daemon::DaemonOptions options;
  options.config_path = args.config;
  if (!args.control_socket.empty()) options.control_socket = args.control_socket;
  bgpd::daemon::Daemon daemon(options, std::move(*loaded), log);
  auto started = daemon.start();
  if (!started) {
    log.error("start-up failed: {}", started.error());
    return 1;
  }
  daemon.run();
  log.info("bgpd stopped");
  return 0;
}
