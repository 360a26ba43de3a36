// bgpd/daemon/ao_service.hpp - the daemon's TCP-AO: one backend for every
// neighbor whose `ao` mode is opportunistic or required (profile section 5),
// the default MKT on listening sockets, and an AoSession per connection.
//
// Owns: the backend choice (`auto`: kernel when its probe succeeds, else
// userspace), the userspace backend's NFQUEUE shell and peer rules, the key
// log writer (profile section 6), and the listening sockets' TCP-AO state.
// Startup errors are one line each (CAP_NET_ADMIN, `kernel` without kernel
// support, a key log file refused).
//
// Order (profile section 3, "default MKT installed per peer address before
// connect()/listen()"): a neighbor's default MKT goes on every listening
// socket of its family, and only then do the userspace rules send its
// segments through the queues; connections get theirs before connect().
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "aotls/backend/backend.hpp"
#include "aotls/keylog/writer.hpp"
#include "bgpd/config/model.hpp"
#include "bgpd/session/ao_session.hpp"
#include "bgpd/session/transport.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace bgpd::daemon {

// Profile section 1: the ao modes whose keys come from the TLS handshake.
bool derives_ao_keys(const config::NeighborConfig& neighbor);

class AoService : public std::enable_shared_from_this<AoService> {
 public:
  // Null when no neighbor derives TCP-AO keys (nothing to start).
  static common::Expected<std::shared_ptr<AoService>, std::string> start(
      const config::Config& config, common::log::Logger log);
  ~AoService();
  AoService(const AoService&) = delete;
  AoService& operator=(const AoService&) = delete;

  std::string_view backend_name() const;

  // A listening socket: every neighbor of its family gets its default MKT.
  void add_listener(int fd, const session::Endpoint& local);
  // Default MKT on the listeners and the userspace rules for the neighbor.
  common::Expected<void, std::string> add_neighbor(const config::NeighborConfig& neighbor);
  void remove_neighbor(const config::NeighborConfig& neighbor);

  // Active side, on a bound socket before connect(): the default MKT.
  common::Expected<std::shared_ptr<session::AoSession>, std::string> connecting(
      boost::asio::ip::tcp::socket& socket, const config::NeighborConfig& neighbor);
  // Passive side, on an accepted socket (it inherited the default MKT).
  common::Expected<std::shared_ptr<session::AoSession>, std::string> accepted(
      boost::asio::ip::tcp::socket& socket, const config::NeighborConfig& neighbor);

  // The backend's diagnostics for `show neighbor` / the API.
  nlohmann::json status() const;

  // Public for make_shared; use start().
  struct Parts;
  AoService(std::unique_ptr<Parts> parts, common::log::Logger log);

 private:
  common::Expected<std::shared_ptr<session::AoSession>, std::string> session(
      boost::asio::ip::tcp::socket& socket, const config::NeighborConfig& neighbor, bool accepted);

  std::unique_ptr<Parts> parts_;
  common::log::Logger log_;
};

// The source address the kernel would use toward `remote` (a connected UDP
// socket's local address; nothing is sent): the userspace backend keys a
// connection by its 4-tuple before connect(), so it must be bound first.
common::Expected<boost::asio::ip::address, std::error_code> source_address_for(
    const boost::asio::ip::address& remote);

}  // namespace bgpd::daemon
