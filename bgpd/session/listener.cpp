// bgpd/session/listener.cpp - see listener.hpp.
#include "bgpd/session/listener.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bgpd/session/tcp_md5.hpp"

namespace bgpd::session {
namespace {

asio::ip::address unmapped(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

// Errors after which accepting can go on: the connection died in the
// backlog, or the process is momentarily out of descriptors or memory.
bool is_transient_accept_error(const boost::system::error_code& ec) {
  namespace errc = boost::system::errc;
  return ec == errc::connection_aborted || ec == errc::too_many_files_open ||
         ec == errc::too_many_files_open_in_system || ec == errc::no_buffer_space ||
         ec == errc::not_enough_memory || ec == errc::protocol_error;
}

}  // namespace

Listener::Listener(const asio::any_io_executor& io_executor, common::log::Logger log)
    : io_executor_(io_executor), executor_(asio::make_strand(io_executor)), log_(std::move(log)) {}

common::Expected<std::shared_ptr<Listener>, std::error_code> Listener::open(
    const asio::any_io_executor& io_executor, const ListenOptions& options,
    common::log::Logger log) {
  auto listener = std::make_shared<Listener>(io_executor, std::move(log));
  if (options.endpoints.empty()) {
    return common::Unexpected(std::make_error_code(std::errc::invalid_argument));
  }
  for (const auto& endpoint : options.endpoints) {
    if (auto ec = listener->add_acceptor(endpoint)) return common::Unexpected(ec);
  }
  for (const auto& peer : options.md5_peers) {
    if (auto ec = listener->set_md5_key(peer.address, peer.key)) return common::Unexpected(ec);
  }
  for (auto& acceptor : listener->acceptors_) {
    boost::system::error_code ec;
    if (options.before_listen) {
      const auto local = acceptor->local_endpoint(ec);
      if (ec) return common::Unexpected(std::error_code(ec));
      options.before_listen(acceptor->native_handle(), local);
    }
    acceptor->listen(options.backlog, ec);
    if (ec) return common::Unexpected(std::error_code(ec));
  }
  return listener;
}

std::error_code Listener::add_acceptor(const Endpoint& endpoint) {
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(executor_);
  boost::system::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (ec) return ec;
  acceptors_.push_back(std::move(acceptor));
  return {};
}

std::error_code Listener::for_each_acceptor_of(const asio::ip::address& peer,
                                               const std::function<std::error_code(int)>& apply) {
  bool any = false;
  for (auto& acceptor : acceptors_) {
    boost::system::error_code endpoint_ec;
    const auto local = acceptor->local_endpoint(endpoint_ec);
    if (endpoint_ec || local.address().is_v6() != peer.is_v6()) continue;
    any = true;
    if (auto ec = apply(acceptor->native_handle())) return ec;
  }
  // A key for a family nobody listens on is a configuration slip worth
  // reporting rather than silently ignoring.
  return any ? std::error_code{} : std::make_error_code(std::errc::address_family_not_supported);
}

std::error_code Listener::set_md5_key(const asio::ip::address& peer,
                                      std::span<const std::uint8_t> key) {
  const auto address = unmapped(peer);
  auto ec =
      for_each_acceptor_of(address, [&](int fd) { return set_tcp_md5_key(fd, address, key); });
  if (!ec) md5_peers_.insert(address);
  return ec;
}

std::error_code Listener::remove_md5_key(const asio::ip::address& peer) {
  const auto address = unmapped(peer);
  md5_peers_.erase(address);
  return for_each_acceptor_of(address, [&](int fd) { return remove_tcp_md5_key(fd, address); });
}

std::vector<Endpoint> Listener::local_endpoints() const {
  std::vector<Endpoint> endpoints;
  for (const auto& acceptor : acceptors_) {
    boost::system::error_code ec;
    auto endpoint = acceptor->local_endpoint(ec);
    if (!ec) endpoints.push_back(endpoint);
  }
  return endpoints;
}

void Listener::start(AcceptHandler handler) {
  handler_ = std::move(handler);
  for (auto& acceptor : acceptors_) {
    asio::co_spawn(
        executor_,
        [self = shared_from_this(), &acceptor = *acceptor] { return self->accept_loop(acceptor); },
        asio::detached);
  }
}

void Listener::close() {
  for (auto& acceptor : acceptors_) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
}

asio::awaitable<void> Listener::accept_loop(asio::ip::tcp::acceptor& acceptor) {
  while (acceptor.is_open()) {
    boost::system::error_code ec;
    auto socket = co_await acceptor.async_accept(asio::make_strand(io_executor_),
                                                 asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      log_.warning("accept failed: {}", ec.message());
      if (!is_transient_accept_error(ec)) co_return;
      // Back off briefly so a descriptor shortage does not spin the loop.
      asio::steady_timer pause(executor_, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    boost::system::error_code remote_ec;
    const auto remote = socket.remote_endpoint(remote_ec);
    if (remote_ec) continue;  // reset before we looked: nothing to hand out
    const auto peer = unmapped(remote.address());
    const auto protection = md5_peers_.contains(peer) ? TcpProtection::Md5 : TcpProtection::None;
    log_.debug("accepted connection from {}", peer.to_string());
    handler_(AcceptedConnection{std::move(socket), peer, protection, nullptr});
  }
}

}  // namespace bgpd::session
