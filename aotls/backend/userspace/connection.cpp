#include "aotls/backend/userspace/connection.hpp"

#include <array>

#include "aotls/backend/userspace/checksum.hpp"
#include "aotls/backend/userspace/tcp_rewrite.hpp"
#include "aotls/crypto/kdf.hpp"
#include "aotls/segment/segment_mac.hpp"
#include "aotls/segment/tcp_options.hpp"

namespace aotls::backend::userspace {
namespace {

bool has_flag(const segment::PacketView& view, std::uint8_t flag) {
  return (view.flags() & flag) != 0;
}

// Rebuilds the options of `packet`, then re-parses it (the old view points
// into the buffer before the rewrite).
common::Expected<segment::PacketView, DropReason> rewrite(std::vector<std::uint8_t>& packet,
                                                          const segment::PacketView& view,
                                                          const OptionList& options) {
  std::array<std::uint8_t, segment::kMaxTcpOptionsLen> encoded{};
  const std::size_t len = options.encode(encoded);
  auto replaced = replace_options(packet, view, std::span(encoded).first(len));
  if (!replaced) return common::Unexpected(replaced.error());
  auto parsed = segment::PacketView::parse(packet);
  if (!parsed) return common::Unexpected(DropReason::Malformed);
  return *parsed;
}

DropReason drop_reason(segment::SegmentError error) {
  switch (error) {
    case segment::SegmentError::MacMismatch:
    case segment::SegmentError::MacLengthMismatch:
      return DropReason::BadMac;
    case segment::SegmentError::KeyNotFound:
      return DropReason::KeyNotFound;
    case segment::SegmentError::CryptoFailure:
      return DropReason::CryptoFailure;
    default:
      return DropReason::Malformed;
  }
}

// The keyed MAC context of `key` for `view` travelling in `direction`, with
// the ISNs of the segment's sender and receiver (RFC 5925 section 5.2: a
// pure SYN's context zeroes the receiver's). Derived once per ISN pair.
common::Expected<crypto::MacContext*, DropReason> traffic_mac(RingKey& key,
                                                              const segment::PacketView& view,
                                                              segment::Direction direction,
                                                              std::uint32_t src_isn,
                                                              std::uint32_t dst_isn) {
  if (view.is_pure_syn()) dst_isn = 0;
  auto& cached = key.macs[static_cast<std::size_t>(segment::traffic_key_kind(view, direction))];
  if (cached.mac && cached.src_isn == src_isn && cached.dst_isn == dst_isn) return &*cached.mac;
  const segment::KdfContext context = segment::kdf_context(view, src_isn, dst_isn);
  auto traffic_key =
      crypto::derive_traffic_key(key.mkt.params.kdf, key.mkt.secret.bytes(), context.bytes());
  if (!traffic_key) return common::Unexpected(DropReason::CryptoFailure);
  auto mac = crypto::MacContext::create(key.mkt.params.mac, traffic_key->bytes());
  if (!mac) return common::Unexpected(DropReason::CryptoFailure);
  cached.mac.emplace(std::move(*mac));
  cached.src_isn = src_isn;
  cached.dst_isn = dst_isn;
  return &*cached.mac;
}

}  // namespace

void Connection::note_outbound_syn(const segment::PacketView& view) {
  const std::uint32_t isn = view.seq();
  if (local_isn_ != isn) {
    // A new ISN is a new incarnation of the 4-tuple: forget the old one.
    local_isn_ = isn;
    send_sne_.emplace(isn);
    if (view.is_pure_syn()) {
      remote_isn_.reset();
      receive_sne_.reset();
    }
  }
  if (has_flag(view, segment::kTcpFlagAck) && !remote_isn_) {
    remote_isn_ = view.ack() - 1;
    receive_sne_.emplace(*remote_isn_);
  }
  // Linux at connect() and accept(): Current_key / RNext_key not chosen
  // yet become the newest key for the peer.
  ring_.default_selection(tuple_.remote_addr);
}

void Connection::repair(const ConnectionRepair& state) {
  local_isn_ = state.local_isn;
  remote_isn_ = state.remote_isn;
  send_sne_.emplace(state.send);
  receive_sne_.emplace(state.receive);
  ring_.default_selection(tuple_.remote_addr);
}

Verdict Connection::outbound(std::vector<std::uint8_t>& packet, const segment::PacketView& view,
                             const EngineOptions& options) {
  if (view.ao()) return Verdict::drop(DropReason::AoAlreadyPresent);
  const bool syn = has_flag(view, segment::kTcpFlagSyn);
  if (syn) note_outbound_syn(view);
  if (!local_isn_ || (!view.is_pure_syn() && !remote_isn_)) {
    return Verdict::drop(DropReason::NotSynchronized);
  }
  RingKey* key = ring_.current_key(tuple_.remote_addr);
  if (key == nullptr) return Verdict::drop(DropReason::NoCurrentKey);
  // RFC 5925 section 7.5.1: KeyID = Current_key's SendID, RNextKeyID =
  // RNext_key's RecvID.
  const std::uint8_t rnext = ring_.rnext_recv_id().value_or(key->mkt.recv_id);
  const std::size_t mac_len = crypto::algorithm_row(key->mkt.params.mac).mac_len;

  auto options_list = OptionList::parse(view.options());
  if (!options_list) return Verdict::drop(options_list.error());
  std::array<std::uint8_t, segment::kMaxTcpOptionsLen> ao{};
  auto ao_len = segment::encode_ao_option(ao, key->mkt.send_id, rnext, mac_len);
  if (!ao_len) return Verdict::drop(DropReason::OptionSpace);
  if (syn && options.lower_outbound_mss)
    options_list->lower_mss(static_cast<std::uint16_t>(*ao_len));
  if (!options_list->trim_sack_to(segment::kMaxTcpOptionsLen - *ao_len)) {
    return Verdict::drop(DropReason::OptionSpace);
  }
  options_list->append(std::span(ao).first(*ao_len));

  const std::uint32_t seq = view.seq();
  auto final_view = rewrite(packet, view, *options_list);
  if (!final_view) return Verdict::drop(final_view.error());
  auto mac = traffic_mac(*key, *final_view, segment::Direction::Send, *local_isn_,
                         remote_isn_.value_or(0));
  if (!mac) return Verdict::drop(mac.error());
  // RFC 5925 section 6.2; a SYN sits at the ISN, where the SNE is 0.
  const std::uint32_t sne = send_sne_->next(seq);
  auto signed_ok = segment::sign(packet, **mac, key->mkt.params.include_options, sne);
  if (!signed_ok) return Verdict::drop(drop_reason(signed_ok.error()));
  write_checksums(packet, *final_view);
  return Verdict::rewritten();
}

Verdict Connection::verify(const segment::PacketView& view, RingKey& key) {
  const bool syn = has_flag(view, segment::kTcpFlagSyn);
  // The sender's ISN is the SYN's own sequence number; otherwise the one
  // learnt from its SYN. The receiver's (ours) must be known except for a
  // pure SYN, whose context zeroes it.
  const std::optional<std::uint32_t> src_isn = syn ? std::optional(view.seq()) : remote_isn_;
  if (!src_isn || (!view.is_pure_syn() && !local_isn_)) {
    return Verdict::drop(DropReason::NotSynchronized);
  }
  auto mac = traffic_mac(key, view, segment::Direction::Receive, *src_isn, local_isn_.value_or(0));
  if (!mac) return Verdict::drop(mac.error());
  const std::uint32_t sne = syn || !receive_sne_ ? 0 : receive_sne_->sne_for(view.seq());
  auto verified = segment::verify(view, **mac, key.mkt.params.include_options, sne);
  if (!verified) {
    const DropReason reason = drop_reason(verified.error());
    if (reason == DropReason::BadMac) ++key.bad_mac;
    return Verdict::drop(reason);
  }
  ++key.good;
  if (syn && remote_isn_ != view.seq()) {
    remote_isn_ = view.seq();
    receive_sne_.emplace(view.seq());
  } else if (receive_sne_) {
    // Only verified segments move the receive reference (forged far-away
    // sequence numbers must not shift the window).
    receive_sne_->on_verified(view.seq(), sne);
  }
  return Verdict::accept();
}

void Connection::follow_rnext(const segment::PacketView& view, std::uint8_t key_id,
                              std::uint8_t rnext) {
  if (view.is_pure_syn()) {
    // Linux at accept(): RNext_key = the key the SYN was sent with.
    if (ring_.find_by_recv_id(tuple_.remote_addr, key_id) != nullptr) ring_.select_rnext(key_id);
  }
  // RFC 5925 section 7.5.2 e / profile section 4: a good segment asking for
  // a KeyID we hold a send key for makes that key Current_key.
  if (ring_.current_send_id() != rnext &&
      ring_.find_by_send_id(tuple_.remote_addr, rnext) != nullptr) {
    ring_.select_current(rnext);
  }
}

Verdict Connection::inbound(std::vector<std::uint8_t>& packet, const segment::PacketView& view,
                            const EngineOptions& options) {
  if (!view.ao()) {
    // RFC 5925 section 7.5.2 a: a connection with an MKT for the peer
    // discards segments without TCP-AO.
    ring_.count_ao_required_missing();
    return Verdict::drop(DropReason::AoRequiredMissing);
  }
  const std::uint8_t key_id = view.ao()->key_id;
  const std::uint8_t rnext = view.ao()->rnext_key_id;
  const std::size_t ao_len = view.ao()->length();
  RingKey* key = ring_.find_by_recv_id(tuple_.remote_addr, key_id);
  if (key == nullptr) {
    ring_.count_key_not_found();
    return Verdict::drop(DropReason::KeyNotFound);
  }
  const Verdict verdict = verify(view, *key);
  if (!verdict.accepted()) return verdict;
  follow_rnext(view, key_id, rnext);

  // Strip the option: the local kernel has no TCP-AO state for this socket.
  auto options_list = OptionList::parse(view.options());
  if (!options_list) return Verdict::drop(options_list.error());
  options_list->remove(segment::kTcpOptionAo);
  if (has_flag(view, segment::kTcpFlagSyn) && options.lower_inbound_mss) {
    options_list->lower_mss(static_cast<std::uint16_t>(ao_len));
  }
  auto final_view = rewrite(packet, view, *options_list);
  if (!final_view) return Verdict::drop(final_view.error());
  write_checksums(packet, *final_view);
  return Verdict::rewritten();
}

std::optional<segment::SneReference> Connection::send_sne() const {
  if (!send_sne_) return std::nullopt;
  return send_sne_->reference();
}

std::optional<segment::SneReference> Connection::receive_sne() const {
  if (!receive_sne_) return std::nullopt;
  return receive_sne_->reference();
}

}  // namespace aotls::backend::userspace
