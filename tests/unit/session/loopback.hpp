// tests/unit/session/loopback.hpp - drive an io_context with bounded time and
// make loopback connections for the session tests.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "bgpd/session/listener.hpp"
#include "bgpd/session/tcp_transport.hpp"

namespace session_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using bgpd::session::AcceptedConnection;
using bgpd::session::Endpoint;

// Runs handlers until done() holds or bound passes; returns done().
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds bound = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return done();
}

// Runs a coroutine on its own strand to completion (bounded). The wrapper
// returns void because co_spawn's value completion needs a default
// constructible T, which Expected is not.
template <class T>
std::optional<T> run_coroutine(asio::io_context& io, asio::awaitable<T> coroutine,
                               std::chrono::milliseconds bound = 5s) {
  struct Outcome {
    bool done = false;
    std::optional<T> value;
  };
  auto outcome = std::make_shared<Outcome>();
  asio::co_spawn(
      asio::make_strand(io),
      [outcome, coroutine = std::move(coroutine)]() mutable -> asio::awaitable<void> {
        outcome->value.emplace(co_await std::move(coroutine));
      },
      [outcome](const std::exception_ptr&) { outcome->done = true; });
  run_until(
      io, [&] { return outcome->done; }, bound);
  return std::move(outcome->value);
}

// A listener on address:0 that collects accepted connections.
struct TestListener {
  std::shared_ptr<bgpd::session::Listener> listener;
  std::vector<AcceptedConnection> accepted;
  std::error_code open_error;

  TestListener(asio::io_context& io, const asio::ip::address& address,
               std::vector<bgpd::session::Md5Peer> md5_peers = {}) {
    bgpd::session::ListenOptions options;
    options.endpoints = {Endpoint(address, 0)};
    options.md5_peers = std::move(md5_peers);
    auto opened = bgpd::session::Listener::open(io.get_executor(), options, {});
    if (!opened) {
      open_error = opened.error();
      return;
    }
    listener = *opened;
    listener->start(
        [this](AcceptedConnection connection) { accepted.push_back(std::move(connection)); });
  }
  ~TestListener() {
    if (listener) listener->close();
  }
  Endpoint endpoint() const { return listener->local_endpoints().at(0); }
};

// Asio's EOF as the std::error_code the Transport interface reports.
inline std::error_code eof_code() {
  return boost::system::error_code(asio::error::eof);
}

inline std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace session_test
