// tests/tools/injector/transport.hpp - how the injector gets its byte stream.
//
// open_transport() is the one place that creates the injector's
// connection: today plain TCP through
// session::connect_tcp; TLS and TLS over TCP-AO plug in here as further
// session::Transport implementations, and nothing above changes.
//
// ObservedTransport wraps any Transport and reports each completed write.
// The injector needs that to push at line rate with a bounded queue:
// BgpConnection coalesces whatever is queued into one write but has no
// completion callback, so the injector counts written bytes here instead
// of polling.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "bgpd/session/tcp_transport.hpp"
#include "bgpd/session/transport.hpp"
#include "common/expected.hpp"

namespace injector {

namespace asio = boost::asio;

struct TransportOptions {
  bgpd::session::Endpoint remote;
  std::optional<asio::ip::address> local_address;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
};

// Connects on the calling coroutine's executor.
asio::awaitable<common::Expected<std::unique_ptr<bgpd::session::Transport>, std::error_code>>
open_transport(TransportOptions options);  // by value: the coroutine outlives a temporary

class ObservedTransport final : public bgpd::session::Transport {
 public:
  using OnWritten = std::function<void(std::size_t bytes)>;

  ObservedTransport(std::unique_ptr<Transport> inner, OnWritten on_written)
      : inner_(std::move(inner)), on_written_(std::move(on_written)) {}

  executor_type get_executor() override { return inner_->get_executor(); }
  asio::awaitable<bgpd::session::IoResult> read_some(asio::mutable_buffer buffer) override {
    return inner_->read_some(buffer);
  }
  asio::awaitable<bgpd::session::IoResult> write(asio::const_buffer buffer) override;
  asio::awaitable<std::error_code> shutdown() override { return inner_->shutdown(); }
  void close() override { inner_->close(); }
  bgpd::session::TransportInfo info() const override { return inner_->info(); }

 private:
  std::unique_ptr<Transport> inner_;
  OnWritten on_written_;
};

}  // namespace injector
