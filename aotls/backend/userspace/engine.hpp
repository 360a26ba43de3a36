// aotls/backend/userspace/engine.hpp - the user-space TCP-AO backend's core:
// every packet of the protected peers goes in (outbound before it leaves,
// inbound before the local kernel sees it) and comes out rewritten or with a
// drop verdict. No sockets, threads or clocks: the NFQUEUE shell feeds it in
// queue order and carries its verdicts out, and implements TcpAoSocket on
// top of keys(SocketId).
//
// Sockets mirror the kernel's: a connection socket's keys are bound to its
// 4-tuple (the shell binds the socket first so it knows the local port,
// then adds keys, then connects); a listener's keys are copied, those that
// match the peer, into the connection a verified SYN creates (Linux
// accept(); find_connection() then yields the accepted socket's keys).
//
// Not thread-safe: the shell calls it from its one packet thread and takes
// a lock around key calls made from elsewhere. A connection is forgotten
// only by close(); the shell should close it after the kernel's TIME-WAIT,
// since the last ACKs of a closed connection still need signing.
//
// Packets of flows no socket protects pass unchanged, except segments
// carrying TCP-AO for no known connection, which are dropped (Linux drops
// them too, specs digest 5.8). Fail closed: a packet whose IP or TCP header
// does not parse is dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "aotls/backend/userspace/connection.hpp"
#include "aotls/backend/userspace/flow.hpp"
#include "aotls/backend/userspace/key_ring.hpp"
#include "aotls/backend/userspace/verdict.hpp"

namespace aotls::backend::userspace {

using SocketId = std::uint32_t;

class UserspaceTcpAo {
 public:
  explicit UserspaceTcpAo(EngineOptions options = {}) : options_(options) {}

  // A connecting socket, bound to `tuple` (local address and port known).
  SocketId open_connection(const FlowTuple& tuple);
  // A listener on `local_port`; an unspecified `local_addr` (0.0.0.0 or ::)
  // listens on every address of its family.
  SocketId open_listener(const segment::IpAddress& local_addr, std::uint16_t local_port);
  // The connection a listener created from a verified SYN, or one opened.
  std::optional<SocketId> find_connection(const FlowTuple& tuple) const;
  // Forgets a socket and its keys (the shell calls it when the socket is
  // closed, or when an accepted connection's socket never appears).
  void close(SocketId id);

  // The key API of one socket (TcpAoSocket's calls); nullptr for an
  // unknown id.
  KeyRing* keys(SocketId id);
  // Connection state (SNE, ISNs) of a connection socket; nullptr otherwise.
  const Connection* connection(SocketId id) const;

  // Restores a connection socket's ISNs and SNE references without a
  // handshake (Linux's TCP_AO_REPAIR; see ConnectionRepair): for
  // checkpoint/restore, migration, and verifying captures that start after
  // the SYNs. ENOENT for an unknown id; BackendErrc::ListeningSocket for a
  // listener (it has no connection state).
  std::error_code repair(SocketId id, const ConnectionRepair& state);

  // A locally generated packet (IP header first) before it leaves.
  Verdict outbound(std::vector<std::uint8_t>& packet);
  // A received packet before the local kernel sees it.
  Verdict inbound(std::vector<std::uint8_t>& packet);
  // For a shell that keeps the queued packet read-only: copies `packet`
  // into `out` (reusing its capacity) and processes the copy; `out` holds
  // the packet to send on with AcceptRewritten.
  Verdict process(PacketDirection direction, std::span<const std::uint8_t> packet,
                  std::vector<std::uint8_t>& out);

 private:
  struct ConnectionSocket {
    SocketId id;
    std::unique_ptr<Connection> connection;
  };
  struct ListenerSocket {
    SocketId id;
    segment::IpAddress local_addr;
    std::uint16_t local_port;
    KeyRing ring;
  };

  Connection* find(const FlowTuple& tuple);
  ListenerSocket* find_listener(const FlowTuple& tuple);
  Verdict inbound_icmp(std::span<const std::uint8_t> packet);
  Verdict inbound_to_listener(std::vector<std::uint8_t>& packet, const segment::PacketView& view,
                              const FlowTuple& tuple, ListenerSocket& listener);

  EngineOptions options_;
  SocketId next_id_ = 1;
  // BGP keeps a handful of connections per process: linear lookups.
  std::vector<ConnectionSocket> connections_;
  std::vector<ListenerSocket> listeners_;
};

}  // namespace aotls::backend::userspace
