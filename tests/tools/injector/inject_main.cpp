// tests/tools/injector/inject_main.cpp - bgp_inject: push a table into a BGP
// speaker and time it (see args.cpp inject_usage() and run.hpp).
#include <csignal>
#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "tests/tools/injector/args.hpp"
#include "tests/tools/injector/files.hpp"
#include "tests/tools/injector/run.hpp"

namespace {

struct Stream {
  std::vector<std::uint8_t> bytes;
  injector::StreamSummary summary;
};

// Made before connecting, so that no timing includes it.
common::Expected<Stream, std::string> load_stream(const injector::InjectArgs& args) {
  if (args.stream_file.empty()) {
    auto encoded = injector::encode_stream(args.stream);
    if (!encoded) return common::Unexpected(encoded.error().what);
    return Stream{std::move(encoded->bytes), encoded->summary};
  }
  auto bytes = injector::read_file(args.stream_file);
  if (!bytes) return common::Unexpected(bytes.error());
  auto summary = injector::scan_stream(*bytes, args.stream.session);
  if (!summary) {
    return common::Unexpected(args.stream_file + ": at octet " +
                              std::to_string(summary.error().offset) + ": " + summary.error().what);
  }
  return Stream{std::move(*bytes), *summary};
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> arguments(argv + 1, argv + argc);
  auto args = injector::parse_inject_args(arguments);
  if (!args) {
    std::cerr << "bgp_inject: " << args.error() << "\n" << injector::inject_usage();
    return 2;
  }
  if (args->help) {
    std::cout << injector::inject_usage();
    return 0;
  }
  auto level = common::log::parse_level(args->log_level);
  if (!level) {
    std::cerr << "bgp_inject: --log-level must be debug, info, warning or error\n";
    return 2;
  }
  common::log::Logger log(common::log::Sink::to_stderr(common::log::Format::Text, *level));

  auto stream = load_stream(*args);
  if (!stream) {
    std::cerr << "bgp_inject: " << stream.error() << "\n";
    return 1;
  }

  boost::asio::io_context io(1);
  auto stop = std::make_shared<injector::StopHandle>();
  // SIGINT/SIGTERM: the session ends with a Cease like a normal run.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([stop](const boost::system::error_code& ec, int) {
    if (ec) return;
    stop->stop_requested = true;
    if (stop->session) stop->session->request_stop();
  });
  injector::RunReport report;
  boost::asio::co_spawn(io,
                        injector::run_injection(*args, stream->bytes, stream->summary, log, stop),
                        [&](const std::exception_ptr& failure, injector::RunReport result) {
                          report = std::move(result);
                          if (failure) {
                            try {
                              std::rethrow_exception(failure);
                            } catch (const std::exception& e) {
                              report.error = std::string("internal error: ") + e.what();
                            }
                          }
                          signals.cancel();
                        });
  io.run();
  std::cout << report.to_json().dump() << std::endl;
  return report.error.empty() ? 0 : 1;
}
