// bgpd/daemon/ao_settings.cpp - see ao_settings.hpp.
#include "bgpd/daemon/ao_settings.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bgpd/daemon/transport_factory.hpp"

namespace bgpd::daemon {

namespace {

aotls::backend::BackendChoice choice_of(config::AoBackend configured) {
  switch (configured) {
    case config::AoBackend::Kernel:
      return aotls::backend::BackendChoice::Kernel;
    case config::AoBackend::Userspace:
      return aotls::backend::BackendChoice::Userspace;
    case config::AoBackend::Auto:
      break;
  }
  return aotls::backend::BackendChoice::Auto;
}

// The configuration checked the codes against profile section 2's table.
aotls::tls::Announcement announcement_of(const config::AoAnnounce& announce) {
  const std::array<std::uint8_t, 3> body{announce.prot, announce.auth, announce.kdf};
  auto decoded = aotls::tls::decode_announcement(body);
  return decoded ? *decoded : aotls::tls::Announcement{};
}

aotls::rekey::KeyLifetime lifetime_of(const config::Lifetime& lifetime) {
  return {lifetime.start, lifetime.end};
}

session::StaticKey static_key(const config::AoKey& key, std::int64_t now) {
  const bool cmac = key.algorithm == config::MacAlgorithm::AesCmac;
  return {key.send_id,
          key.recv_id,
          {key.include_options,
           cmac ? aotls::crypto::MacAlgorithm::AesCmac128_96 : aotls::crypto::MacAlgorithm::HmacSha1_96,
           cmac ? aotls::crypto::KdfAlgorithm::AesCmac128 : aotls::crypto::KdfAlgorithm::HmacSha1},
          std::make_shared<const aotls::crypto::Secret>(key.secret.bytes()),
          lifetime_of(key.send_lifetime).contains(now),
          lifetime_of(key.accept_lifetime).contains(now),
          key.send_lifetime.start.value_or(0),
          key.accept_lifetime.start.value_or(0),
          lifetime_of(key.send_lifetime),
          lifetime_of(key.accept_lifetime)};
}

}  // namespace

bool uses_ao(const config::NeighborConfig& neighbor) {
  return neighbor.ao.mode != config::AoMode::Off;
}

bool any_uses_ao(const config::Config& config) {
  return std::any_of(config.neighbors.begin(), config.neighbors.end(), uses_ao);
}

bool derives_ao_keys(const config::NeighborConfig& neighbor) {
  return neighbor.ao.mode == config::AoMode::Opportunistic ||
         neighbor.ao.mode == config::AoMode::Required;
}

bool any_derives_ao_keys(const config::Config& config) {
  return std::any_of(config.neighbors.begin(), config.neighbors.end(), derives_ao_keys);
}

namespace {

// Test-only: BGPD_TEST_AO_FIRST_GENERATION makes every handshake derive that
// generation first, so that a short rekey soak crosses a KeyID wrap (both
// daemons must agree). Not a configuration field: operators never need it.
aotls::keys::Generation first_generation_for_tests() {
  const char* text = std::getenv("BGPD_TEST_AO_FIRST_GENERATION");
  if (text == nullptr) return aotls::keys::kFirstDerivedGeneration;
  aotls::keys::Generation value = 0;
  const std::string_view view(text);
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (ec != std::errc() || end != view.data() + view.size() ||
      value < aotls::keys::kFirstDerivedGeneration || value > (1U << 30)) {
    throw std::invalid_argument("BGPD_TEST_AO_FIRST_GENERATION must be a generation from 1 to " +
                                std::to_string(1U << 30) + ", not \"" + std::string(view) + "\"");
  }
  return value;
}

}  // namespace

session::AoServiceOptions ao_service_options(const config::Config& config) {
  return {.backend = choice_of(config.global.ao.backend),
          .nfqueue_base = config.global.ao.nfqueue_base,
          .keylog_file = config.global.ao.keylog_file,
          .listen_port = config.global.listen.port,
          .first_generation = first_generation_for_tests()};
}

aotls::rekey::RekeyConfig rekey_config_of(const config::NeighborConfig& neighbor) {
  aotls::rekey::RekeyConfig rekey;
  if (neighbor.ao.rekey_interval) {
    rekey.rekey_interval =
        std::chrono::duration_cast<aotls::keys::Duration>(*neighbor.ao.rekey_interval);
  }
  rekey.rekey_after_bytes = neighbor.ao.rekey_after_bytes;
  return rekey;
}

session::AoPeer ao_peer_of(const config::NeighborConfig& neighbor, std::int64_t now_unix) {
  session::AoPeer peer{
      to_asio(neighbor.address), neighbor.port, announcement_of(neighbor.ao.announce),
      neighbor.ao.mode == config::AoMode::Required ? aotls::tls::AoRequirement::Required
                                                   : aotls::tls::AoRequirement::Opportunistic,
      {}, rekey_config_of(neighbor)};
  if (neighbor.ao.mode == config::AoMode::Static) {
    for (const auto& key : neighbor.ao.keychain) {
      peer.static_keys.push_back(static_key(key, now_unix));
    }
  }
  return peer;
}

session::AoPeer ao_peer_of(const config::NeighborConfig& neighbor) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return ao_peer_of(neighbor, std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

}  // namespace bgpd::daemon
