// bgpd/session/listener.hpp - passive side: accept BGP connections.
//
// One acceptor per configured address (IPv4 and IPv6 acceptors are separate;
// IPv6 ones are v6-only so that IPv4 peers are always keyed and tagged by
// their IPv4 address). Each accepted socket gets its own strand and is
// handed out tagged with the peer address, so the session manager can match
// it to a neighbor (RFC 4271 section 8.2.1.2: a connection from an
// unconfigured address is rejected there, not here).
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <span>
#include <vector>

#include "bgpd/session/tcp_transport.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace bgpd::session {

struct Md5Peer {
  asio::ip::address address;
  std::span<const std::uint8_t> key;  // only read during Listener::open
};

struct ListenOptions {
  // Port 0 picks an ephemeral port (tests); the daemon uses 179.
  std::vector<Endpoint> endpoints;
  int backlog = 16;
  // Keys installed after bind() and before listen(), so that no SYN from a
  // keyed peer is ever accepted unsigned.
  std::vector<Md5Peer> md5_peers;
  // Runs on each bound acceptor just before its listen(): keys that live on
  // listening sockets (TCP-AO's default MKT, profile section 3) go on here.
  std::function<void(int fd, const Endpoint& local)> before_listen;
};

struct AcceptedConnection {
  asio::ip::tcp::socket socket;  // bound to its own new strand
  asio::ip::address peer;        // v4-mapped addresses are reported as IPv4
  TcpProtection protection;      // Md5 when the listener held a key for peer
                                 // as the connection was handed out
  // The connection's TCP-AO, attached by the daemon as soon as it knows the
  // neighbor (so a refused connection releases its backend state too).
  std::shared_ptr<AoSession> ao;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using AcceptHandler = std::function<void(AcceptedConnection)>;

  // io_executor: the io_context's executor (not a strand). The listener
  // makes its own strand (get_executor()) and one new strand per accepted
  // socket. Call every member below on get_executor().
  static common::Expected<std::shared_ptr<Listener>, std::error_code> open(
      const asio::any_io_executor& io_executor, const ListenOptions& options,
      common::log::Logger log);

  Listener(const asio::any_io_executor& io_executor, common::log::Logger log);

  asio::any_io_executor get_executor() const { return executor_; }

  // Neighbor added or its password changed / neighbor deleted. Applied to
  // every acceptor of the peer's family.
  std::error_code set_md5_key(const asio::ip::address& peer, std::span<const std::uint8_t> key);
  std::error_code remove_md5_key(const asio::ip::address& peer);

  std::vector<Endpoint> local_endpoints() const;
  // Starts one accept loop per acceptor; handler runs on the listener's strand.
  void start(AcceptHandler handler);
  void close();

 private:
  asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor);
  std::error_code add_acceptor(const Endpoint& endpoint);
  std::error_code for_each_acceptor_of(const asio::ip::address& peer,
                                       const std::function<std::error_code(int)>& apply);

  asio::any_io_executor io_executor_;
  asio::any_io_executor executor_;
  common::log::Logger log_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::set<asio::ip::address> md5_peers_;
  AcceptHandler handler_;
};

}  // namespace bgpd::session
