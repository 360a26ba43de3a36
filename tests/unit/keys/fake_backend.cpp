#include "tests/unit/keys/fake_backend.hpp"

#include <algorithm>
#include <string>

#include "aotls/crypto/kdf.hpp"
#include "aotls/crypto/mac.hpp"
#include "common/overloaded.hpp"

namespace aotls::keys::testing {

namespace {

// What the fake MAC covers: the segment number and both TCP-AO ID fields,
// as RFC 5925 section 5.1 covers the option but not its MAC.
std::array<std::uint8_t, 10> mac_input(const Segment& segment) {
  std::array<std::uint8_t, 10> input{};
  for (std::size_t i = 0; i < 8; ++i) {
    input[i] = static_cast<std::uint8_t>(segment.number >> (56 - 8 * i));
  }
  input[8] = segment.key_id;
  input[9] = segment.rnext_key_id;
  return input;
}

// nullopt only when OpenSSL fails, which the caller treats as a bad MAC.
std::optional<std::array<std::uint8_t, 12>> mac_of(const Mkt& mkt, const Segment& segment) {
  const auto input = mac_input(segment);
  auto traffic_key = crypto::derive_traffic_key(mkt.params.kdf, mkt.secret.bytes(), input);
  if (!traffic_key) return std::nullopt;
  auto context = crypto::MacContext::create(mkt.params.mac, traffic_key->bytes());
  if (!context) return std::nullopt;
  std::array<std::uint8_t, 12> out{};
  context->begin();
  context->update(input);
  if (!context->finish(out)) return std::nullopt;
  return out;
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Good:
      return "good";
    case Verdict::KeyNotFound:
      return "key-not-found";
    case Verdict::BadMac:
      return "bad-mac";
  }
  return "?";
}

Mkt copy_mkt(const Mkt& mkt) {
  Mkt copy;
  copy.send_id = mkt.send_id;
  copy.recv_id = mkt.recv_id;
  copy.params = mkt.params;
  copy.secret = crypto::Secret(mkt.secret.bytes());
  copy.generation = mkt.generation;
  copy.direction = mkt.direction;
  return copy;
}

std::error_code FakeAoSocket::add_key(const Mkt& mkt) {
  const bool overlap = std::any_of(keys_.begin(), keys_.end(), [&](const FakeKey& key) {
    return key.mkt.send_id == mkt.send_id || key.mkt.recv_id == mkt.recv_id;
  });
  if (overlap) return std::make_error_code(std::errc::file_exists);
  keys_.push_back(FakeKey{copy_mkt(mkt)});
  if (!current_) current_ = mkt.send_id;
  if (!rnext_) {
    rnext_ = mkt.recv_id;
    rnext_ever_.insert(mkt.recv_id);
  }
  return {};
}

std::error_code FakeAoSocket::del_key(KeyId send_id, KeyId recv_id) {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const FakeKey& key) {
    return key.mkt.send_id == send_id && key.mkt.recv_id == recv_id;
  });
  if (it == keys_.end()) return std::make_error_code(std::errc::no_such_file_or_directory);
  if (current_ == send_id || rnext_ == recv_id) {
    return std::make_error_code(std::errc::device_or_resource_busy);
  }
  keys_.erase(it);
  return {};
}

std::error_code FakeAoSocket::set_current(KeyId send_id) {
  if (find_by_send_id(send_id) == nullptr) {
    return std::make_error_code(std::errc::no_such_file_or_directory);
  }
  current_ = send_id;
  return {};
}

std::error_code FakeAoSocket::set_rnext(KeyId recv_id) {
  if (find_by_recv_id(recv_id) == nullptr) {
    return std::make_error_code(std::errc::no_such_file_or_directory);
  }
  rnext_ = recv_id;
  rnext_ever_.insert(recv_id);
  return {};
}

std::optional<Segment> FakeAoSocket::send(std::uint64_t number, Side from) const {
  if (!current_ || !rnext_) return std::nullopt;
  const FakeKey* key = find_by_send_id(*current_);
  if (key == nullptr) return std::nullopt;
  Segment segment{number, from, *current_, *rnext_, {}};
  const auto mac = mac_of(key->mkt, segment);
  if (!mac) return std::nullopt;
  segment.mac = *mac;
  return segment;
}

Verdict FakeAoSocket::receive(const Segment& segment) {
  auto key = std::find_if(keys_.begin(), keys_.end(),
                          [&](const FakeKey& k) { return k.mkt.recv_id == segment.key_id; });
  if (key == keys_.end()) {
    ++key_not_found_;
    return Verdict::KeyNotFound;
  }
  const auto mac = mac_of(key->mkt, segment);
  if (!mac || *mac != segment.mac) {
    ++key->pkt_bad;
    return Verdict::BadMac;
  }
  ++key->pkt_good;
  // RFC 5925 section 7.5.2 as Linux applies it: the peer's RNextKeyID
  // selects our send key, if we hold one with that SendID.
  if (segment.rnext_key_id != current_ && find_by_send_id(segment.rnext_key_id) != nullptr) {
    current_ = segment.rnext_key_id;
  }
  return Verdict::Good;
}

BackendPolled FakeAoSocket::poll(TimePoint now, Duration rto) const {
  BackendPolled polled;
  polled.now = now;
  polled.current_key = current_;
  polled.rnext_key = rnext_;
  polled.rto = rto;
  for (const FakeKey& key : keys_) {
    polled.keys.push_back(KeyCounter{key.mkt.send_id, key.mkt.recv_id, key.pkt_good});
  }
  return polled;
}

const FakeKey* FakeAoSocket::find_by_recv_id(KeyId recv_id) const {
  const auto it = std::find_if(keys_.begin(), keys_.end(),
                               [&](const FakeKey& key) { return key.mkt.recv_id == recv_id; });
  return it == keys_.end() ? nullptr : &*it;
}

const FakeKey* FakeAoSocket::find_by_send_id(KeyId send_id) const {
  const auto it = std::find_if(keys_.begin(), keys_.end(),
                               [&](const FakeKey& key) { return key.mkt.send_id == send_id; });
  return it == keys_.end() ? nullptr : &*it;
}

std::error_code apply_action(FakeAoSocket& socket, const KeyAction& action) {
  return std::visit(
      common::Overloaded{
          [&](const InstallKey& a) { return socket.add_key(a.mkt); },
          [&](const DeleteKey& a) { return socket.del_key(a.send_id, a.recv_id); },
          [&](const SetCurrent& a) { return socket.set_current(a.send_id); },
          [&](const SetRNext& a) { return socket.set_rnext(a.recv_id); },
          [](const PollBackend&) { return std::make_error_code(std::errc::invalid_argument); },
          [](const DeriveSecrets&) { return std::make_error_code(std::errc::invalid_argument); },
      },
      action);
}

std::string describe(const KeyAction& action) {
  return std::visit(
      common::Overloaded{
          [](const InstallKey& a) {
            return "install " + std::to_string(a.mkt.send_id) + "/" + std::to_string(a.mkt.recv_id);
          },
          [](const DeleteKey& a) {
            return "delete " + std::to_string(a.send_id) + "/" + std::to_string(a.recv_id);
          },
          [](const SetCurrent& a) { return "current " + std::to_string(a.send_id); },
          [](const SetRNext& a) { return "rnext " + std::to_string(a.recv_id); },
          [](const PollBackend&) { return std::string("poll"); },
          [](const DeriveSecrets& a) { return "derive g=" + std::to_string(a.generation); },
      },
      action);
}

}  // namespace aotls::keys::testing
