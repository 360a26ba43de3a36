// aotls/backend/userspace/connection.hpp - TCP-AO for one connection in
// user space: its key ring, ISNs, per-direction SNE, and the per-segment
// work of RFC 5925 sections 7.5.1 (send) and 7.5.2 (receive).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "aotls/backend/userspace/flow.hpp"
#include "aotls/backend/userspace/key_ring.hpp"
#include "aotls/backend/userspace/verdict.hpp"
#include "aotls/segment/packet.hpp"
#include "aotls/segment/sne.hpp"
#include "aotls/segment/traffic_keys.hpp"

namespace aotls::backend::userspace {

// Behaviour switches of the user-space backend (profile section 5).
struct EngineOptions {
  // Lower the MSS of our SYN/SYN-ACK by the TCP-AO option length: the
  // peer's kernel then leaves room for a user-space peer's option.
  bool lower_outbound_mss = true;
  // Lower the MSS the local kernel reads in the peer's SYN/SYN-ACK: our own
  // kernel does not know we add 16 bytes, and a peer with kernel TCP-AO
  // advertises its full MSS (it accounts for AO only in what it sends).
  bool lower_inbound_mss = true;
  // RFC 5925 section 7.8: hard ICMP errors about AO connections are
  // ignored unless configured otherwise.
  bool accept_icmps = false;
};

class Connection {
 public:
  Connection(const FlowTuple& tuple, KeyRing ring) : tuple_(tuple), ring_(std::move(ring)) {}

  const FlowTuple& tuple() const { return tuple_; }
  KeyRing& ring() { return ring_; }
  const KeyRing& ring() const { return ring_; }
  // Both ISNs known: the handshake has been seen both ways.
  bool synchronized() const { return local_isn_.has_value() && remote_isn_.has_value(); }

  // `view` was parsed from `packet`; both are consumed (the packet is
  // rewritten in place on Accept).
  Verdict outbound(std::vector<std::uint8_t>& packet, const segment::PacketView& view,
                   const EngineOptions& options);
  Verdict inbound(std::vector<std::uint8_t>& packet, const segment::PacketView& view,
                  const EngineOptions& options);

  // SNE references, for the shell's diagnostics and for tests.
  std::optional<segment::SneReference> send_sne() const;
  std::optional<segment::SneReference> receive_sne() const;

 private:
  void note_outbound_syn(const segment::PacketView& view);
  Verdict verify(const segment::PacketView& view, RingKey& key);
  // RFC 5925 section 7.5.2 e, and Linux's choice at accept() for a SYN.
  void follow_rnext(const segment::PacketView& view, std::uint8_t key_id, std::uint8_t rnext);

  FlowTuple tuple_;
  KeyRing ring_;
  std::optional<std::uint32_t> local_isn_;
  std::optional<std::uint32_t> remote_isn_;
  std::optional<segment::SendSneTracker> send_sne_;
  std::optional<segment::ReceiveSneTracker> receive_sne_;
};

}  // namespace aotls::backend::userspace
