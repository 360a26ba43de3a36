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

// The TCP-AO state of a connection restored without its handshake: the
// user-space counterpart of Linux's TCP_AO_REPAIR (struct tcp_ao_repair
// {snt_isn, rcv_isn, snd_sne, rcv_sne}) together with the sequence numbers
// TCP_REPAIR / TCP_QUEUE_SEQ give back. A checkpointed or migrated
// connection, or a capture that starts mid-connection, has no SYN to learn
// the ISNs from, yet every traffic key depends on them (RFC 5925 section
// 5.2) and every MAC on the SNE (section 6.2). The SNE is relative to a
// reference point as in the kernel (tcp_ao_compute_sne): send = {snd_sne,
// snd_una}, receive = {rcv_sne, rcv_nxt}.
struct ConnectionRepair {
  std::uint32_t local_isn = 0;    // snt_isn
  std::uint32_t remote_isn = 0;   // rcv_isn
  segment::SneReference send;     // {snd_sne, snd_una}
  segment::SneReference receive;  // {rcv_sne, rcv_nxt}
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

  // Replaces the ISNs and both SNE references (TCP_AO_REPAIR's set side):
  // the connection is synchronized afterwards. Traffic keys are derived
  // again on next use when the ISNs changed (RingKey::CachedMac keys on the
  // ISN pair). Current_key / RNext_key not chosen yet become the newest key
  // for the peer, as at connect().
  void repair(const ConnectionRepair& state);

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
