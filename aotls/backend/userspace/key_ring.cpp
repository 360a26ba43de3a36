#include "aotls/backend/userspace/key_ring.hpp"

#include <algorithm>

#include "aotls/backend/userspace/flow.hpp"

namespace aotls::backend::userspace {
namespace {

// Linux's TCP_AO_MAXKEYLEN: the same limit as the kernel backend's.
constexpr std::size_t kMaxMasterKeyLen = 80;

keys::Mkt copy_mkt(const keys::Mkt& mkt) {
  return keys::Mkt{mkt.send_id,    mkt.recv_id,  mkt.params, crypto::Secret(mkt.secret.bytes()),
                   mkt.generation, mkt.direction};
}

std::error_code errc(std::errc value) {
  return std::make_error_code(value);
}

}  // namespace

bool overlaps(const PeerPrefix& a, const PeerPrefix& b) {
  const PeerPrefix& wider = a.prefix_len <= b.prefix_len ? a : b;
  const PeerPrefix& narrower = a.prefix_len <= b.prefix_len ? b : a;
  return prefix_contains(wider, narrower.address);
}

std::error_code KeyRing::add_key(const PeerPrefix& peer, const keys::Mkt& mkt) {
  if (const std::error_code ec = validate(peer)) return ec;
  if (!crypto::check_algorithm_pair(mkt.params.mac, mkt.params.kdf)) {
    return BackendErrc::UnsupportedAlgorithm;
  }
  const auto secret = mkt.secret.bytes();
  if (secret.empty() || secret.size() > kMaxMasterKeyLen) return BackendErrc::BadKeyLength;
  // RFC 5925 section 3.1: the IDs of MKTs whose connection identifiers
  // overlap MUST NOT overlap (Linux: EEXIST on either ID).
  const bool clash = std::any_of(keys_.begin(), keys_.end(), [&](const RingKey& k) {
    return overlaps(k.peer, peer) && (k.mkt.send_id == mkt.send_id || k.mkt.recv_id == mkt.recv_id);
  });
  if (clash) return errc(std::errc::file_exists);
  keys_.push_back(RingKey{peer, copy_mkt(mkt), 0, 0, {}});
  ao_state_ = true;
  return {};
}

std::error_code KeyRing::check_id_rules(std::optional<keys::KeyId> send_id,
                                        std::optional<keys::KeyId> recv_id) const {
  if ((send_id || recv_id) && role_ == SocketRole::Listener) return BackendErrc::ListeningSocket;
  const auto exists = [&](auto member, keys::KeyId id) {
    return std::any_of(keys_.begin(), keys_.end(),
                       [&](const RingKey& k) { return k.mkt.*member == id; });
  };
  if (send_id && !exists(&keys::Mkt::send_id, *send_id)) {
    return errc(std::errc::no_such_file_or_directory);
  }
  if (recv_id && !exists(&keys::Mkt::recv_id, *recv_id)) {
    return errc(std::errc::no_such_file_or_directory);
  }
  return {};
}

std::error_code KeyRing::delete_key(const PeerPrefix& peer, keys::KeyId send_id,
                                    keys::KeyId recv_id, const KeyReplacement& replacement) {
  if (const std::error_code ec = validate(peer)) return ec;
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const RingKey& k) {
    return k.peer == peer && k.mkt.send_id == send_id && k.mkt.recv_id == recv_id;
  });
  if (it == keys_.end()) return errc(std::errc::no_such_file_or_directory);
  if (const std::error_code ec =
          check_id_rules(replacement.current_send_id, replacement.rnext_recv_id)) {
    return ec;
  }
  const std::optional<keys::KeyId> current =
      replacement.current_send_id ? replacement.current_send_id : current_;
  const std::optional<keys::KeyId> rnext =
      replacement.rnext_recv_id ? replacement.rnext_recv_id : rnext_;
  // A forced delete may not move Current_key/RNext_key onto the key it removes.
  if (current == send_id || rnext == recv_id) return errc(std::errc::device_or_resource_busy);
  current_ = current;
  rnext_ = rnext;
  keys_.erase(it);
  return {};
}

std::error_code KeyRing::set_current(keys::KeyId send_id) {
  if (const std::error_code ec = check_id_rules(send_id, std::nullopt)) return ec;
  current_ = send_id;
  return {};
}

std::error_code KeyRing::set_rnext(keys::KeyId recv_id) {
  if (const std::error_code ec = check_id_rules(std::nullopt, recv_id)) return ec;
  rnext_ = recv_id;
  return {};
}

common::Expected<ConnectionStatus, std::error_code> KeyRing::status() const {
  if (!ao_state_) return common::Unexpected(errc(std::errc::no_such_file_or_directory));
  return ConnectionStatus{key_not_found_, ao_required_missing_, icmp_ignored_, current_, rnext_};
}

common::Expected<std::vector<KeyCounters>, std::error_code> KeyRing::key_counters() const {
  if (!ao_state_) return common::Unexpected(errc(std::errc::no_such_file_or_directory));
  std::vector<KeyCounters> out;
  out.reserve(keys_.size());
  for (const RingKey& k : keys_) {
    out.push_back(KeyCounters{k.peer, k.mkt.send_id, k.mkt.recv_id, k.mkt.params.mac,
                              k.mkt.params.include_options, current_ == k.mkt.send_id,
                              rnext_ == k.mkt.recv_id, k.good, k.bad_mac});
  }
  return out;
}

bool KeyRing::has_key_for(const segment::IpAddress& peer) const {
  return std::any_of(keys_.begin(), keys_.end(),
                     [&](const RingKey& k) { return prefix_contains(k.peer, peer); });
}

RingKey* KeyRing::find_by_recv_id(const segment::IpAddress& peer, keys::KeyId recv_id) {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const RingKey& k) {
    return k.mkt.recv_id == recv_id && prefix_contains(k.peer, peer);
  });
  return it == keys_.end() ? nullptr : &*it;
}

RingKey* KeyRing::find_by_send_id(const segment::IpAddress& peer, keys::KeyId send_id) {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const RingKey& k) {
    return k.mkt.send_id == send_id && prefix_contains(k.peer, peer);
  });
  return it == keys_.end() ? nullptr : &*it;
}

RingKey* KeyRing::current_key(const segment::IpAddress& peer) {
  return current_ ? find_by_send_id(peer, *current_) : nullptr;
}

void KeyRing::default_selection(const segment::IpAddress& peer) {
  const auto newest = std::find_if(keys_.rbegin(), keys_.rend(),
                                   [&](const RingKey& k) { return prefix_contains(k.peer, peer); });
  if (newest == keys_.rend()) return;
  if (!current_) current_ = newest->mkt.send_id;
  if (!rnext_) rnext_ = newest->mkt.recv_id;
}

KeyRing KeyRing::copy_for(const segment::IpAddress& peer) const {
  KeyRing ring(SocketRole::Connection);
  ring.ao_state_ = ao_state_;
  for (const RingKey& k : keys_) {
    if (prefix_contains(k.peer, peer))
      ring.keys_.push_back(RingKey{k.peer, copy_mkt(k.mkt), 0, 0, {}});
  }
  return ring;
}

}  // namespace aotls::backend::userspace
