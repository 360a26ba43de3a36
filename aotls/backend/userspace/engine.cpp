#include "aotls/backend/userspace/engine.hpp"

#include <algorithm>

namespace aotls::backend::userspace {
namespace {

bool unspecified(const segment::IpAddress& address) {
  const auto bytes = address.bytes();
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

SocketId UserspaceTcpAo::open_connection(const FlowTuple& tuple) {
  const SocketId id = next_id_++;
  connections_.push_back(
      {id, std::make_unique<Connection>(tuple, KeyRing(SocketRole::Connection))});
  return id;
}

SocketId UserspaceTcpAo::open_listener(const segment::IpAddress& local_addr,
                                       std::uint16_t local_port) {
  const SocketId id = next_id_++;
  listeners_.push_back({id, local_addr, local_port, KeyRing(SocketRole::Listener)});
  return id;
}

std::optional<SocketId> UserspaceTcpAo::find_connection(const FlowTuple& tuple) const {
  const auto it = std::find_if(connections_.begin(), connections_.end(),
                               [&](const auto& c) { return c.connection->tuple() == tuple; });
  if (it == connections_.end()) return std::nullopt;
  return it->id;
}

void UserspaceTcpAo::close(SocketId id) {
  std::erase_if(connections_, [&](const auto& c) { return c.id == id; });
  std::erase_if(listeners_, [&](const auto& l) { return l.id == id; });
}

KeyRing* UserspaceTcpAo::keys(SocketId id) {
  for (auto& c : connections_) {
    if (c.id == id) return &c.connection->ring();
  }
  for (auto& l : listeners_) {
    if (l.id == id) return &l.ring;
  }
  return nullptr;
}

const Connection* UserspaceTcpAo::connection(SocketId id) const {
  for (const auto& c : connections_) {
    if (c.id == id) return c.connection.get();
  }
  return nullptr;
}

std::error_code UserspaceTcpAo::repair(SocketId id, const ConnectionRepair& state) {
  for (auto& c : connections_) {
    if (c.id != id) continue;
    c.connection->repair(state);
    return {};
  }
  const bool listener =
      std::any_of(listeners_.begin(), listeners_.end(), [&](const auto& l) { return l.id == id; });
  if (listener) return BackendErrc::ListeningSocket;
  return std::make_error_code(std::errc::no_such_file_or_directory);
}

Connection* UserspaceTcpAo::find(const FlowTuple& tuple) {
  for (auto& c : connections_) {
    if (c.connection->tuple() == tuple) return c.connection.get();
  }
  return nullptr;
}

UserspaceTcpAo::ListenerSocket* UserspaceTcpAo::find_listener(const FlowTuple& tuple) {
  for (auto& l : listeners_) {
    const bool address_ok =
        l.local_addr == tuple.local_addr ||
        (unspecified(l.local_addr) && l.local_addr.version() == tuple.local_addr.version());
    if (address_ok && l.local_port == tuple.local_port && l.ring.has_key_for(tuple.remote_addr)) {
      return &l;
    }
  }
  return nullptr;
}

Verdict UserspaceTcpAo::outbound(std::vector<std::uint8_t>& packet) {
  switch (classify(packet)) {
    case Payload::Malformed:
      return Verdict::drop(DropReason::Malformed);
    case Payload::Icmp:
    case Payload::Other:
      return Verdict::accept();
    case Payload::Tcp:
      break;
  }
  auto view = segment::PacketView::parse(packet);
  if (!view) return Verdict::drop(DropReason::Malformed);
  const FlowTuple tuple = flow_of(*view, PacketDirection::Outbound);
  if (Connection* connection = find(tuple)) return connection->outbound(packet, *view, options_);
  // A listener's peer without a connection here (e.g. the kernel's reset
  // for an unknown connection): nothing can sign it (RFC 5925 section 7.7).
  if (find_listener(tuple) != nullptr) return Verdict::drop(DropReason::NoConnection);
  return Verdict::accept();
}

Verdict UserspaceTcpAo::inbound(std::vector<std::uint8_t>& packet) {
  switch (classify(packet)) {
    case Payload::Malformed:
      return Verdict::drop(DropReason::Malformed);
    case Payload::Icmp:
      return inbound_icmp(packet);
    case Payload::Other:
      return Verdict::accept();
    case Payload::Tcp:
      break;
  }
  auto view = segment::PacketView::parse(packet);
  if (!view) return Verdict::drop(DropReason::Malformed);
  const FlowTuple tuple = flow_of(*view, PacketDirection::Inbound);
  if (Connection* connection = find(tuple)) return connection->inbound(packet, *view, options_);
  if (ListenerSocket* listener = find_listener(tuple)) {
    return inbound_to_listener(packet, *view, tuple, *listener);
  }
  // Linux drops TCP-AO for a socket without AO state (specs digest 5.8).
  if (view->ao()) return Verdict::drop(DropReason::NoConnection);
  return Verdict::accept();
}

Verdict UserspaceTcpAo::process(PacketDirection direction, std::span<const std::uint8_t> packet,
                                std::vector<std::uint8_t>& out) {
  out.assign(packet.begin(), packet.end());
  return direction == PacketDirection::Outbound ? outbound(out) : inbound(out);
}

Verdict UserspaceTcpAo::inbound_icmp(std::span<const std::uint8_t> packet) {
  const auto icmp = ignorable_icmp(packet);
  if (!icmp || options_.accept_icmps) return Verdict::accept();
  Connection* connection = find(icmp->flow);
  // RFC 5925 section 7.8: only for connections in synchronized states.
  if (connection == nullptr || !connection->synchronized()) return Verdict::accept();
  connection->ring().count_icmp_ignored();
  return Verdict::drop(DropReason::IcmpIgnored);
}

Verdict UserspaceTcpAo::inbound_to_listener(std::vector<std::uint8_t>& packet,
                                            const segment::PacketView& view, const FlowTuple& tuple,
                                            ListenerSocket& listener) {
  KeyRing& ring = listener.ring;
  if (!view.ao()) {
    ring.count_ao_required_missing();
    return Verdict::drop(DropReason::AoRequiredMissing);
  }
  if (!view.is_pure_syn()) return Verdict::drop(DropReason::NoConnection);
  RingKey* listener_key = ring.find_by_recv_id(tuple.remote_addr, view.ao()->key_id);
  if (listener_key == nullptr) {
    ring.count_key_not_found();
    return Verdict::drop(DropReason::KeyNotFound);
  }
  auto connection = std::make_unique<Connection>(tuple, ring.copy_for(tuple.remote_addr));
  const Verdict verdict = connection->inbound(packet, view, options_);
  // Linux counts a listener's SYN verdicts on the listener's key.
  if (verdict.accepted()) {
    ++listener_key->good;
    connections_.push_back({next_id_++, std::move(connection)});
  } else if (verdict.reason == DropReason::BadMac) {
    ++listener_key->bad_mac;
  }
  return verdict;
}

}  // namespace aotls::backend::userspace
