// bgpd/daemon/ao_settings.cpp - see ao_settings.hpp.
#include "bgpd/daemon/ao_settings.hpp"

#include <algorithm>
#include <array>

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

}  // namespace

bool derives_ao_keys(const config::NeighborConfig& neighbor) {
  return neighbor.ao.mode == config::AoMode::Opportunistic ||
         neighbor.ao.mode == config::AoMode::Required;
}

bool any_derives_ao_keys(const config::Config& config) {
  return std::any_of(config.neighbors.begin(), config.neighbors.end(), derives_ao_keys);
}

session::AoServiceOptions ao_service_options(const config::Config& config) {
  return {choice_of(config.global.ao.backend), config.global.ao.nfqueue_base,
          config.global.ao.keylog_file, config.global.listen.port};
}

session::AoPeer ao_peer_of(const config::NeighborConfig& neighbor) {
  return {to_asio(neighbor.address), neighbor.port, announcement_of(neighbor.ao.announce),
          neighbor.ao.mode == config::AoMode::Required ? aotls::tls::AoRequirement::Required
                                                       : aotls::tls::AoRequirement::Opportunistic};
}

}  // namespace bgpd::daemon
