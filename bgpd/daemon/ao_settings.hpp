// bgpd/daemon/ao_settings.hpp - the configuration's TCP-AO fields in the
// terms of bgpd/session's AoService (profile sections 1, 3, 5 and 7).
#pragma once

#include "bgpd/config/model.hpp"
#include "bgpd/session/ao_service.hpp"

namespace bgpd::daemon {

// Profile section 1: the ao modes whose keys come from the TLS handshake.
bool derives_ao_keys(const config::NeighborConfig& neighbor);
bool any_derives_ao_keys(const config::Config& config);
// Any ao mode but "off": the neighbor needs the daemon's AoService.
bool uses_ao(const config::NeighborConfig& neighbor);
bool any_uses_ao(const config::Config& config);

session::AoServiceOptions ao_service_options(const config::Config& config);
// Static neighbors carry their key chain, with the lifetimes (RFC 8177)
// evaluated at `now_unix` (seconds since the epoch).
// ao.rekey_interval and ao.rekey_after_bytes as the rekey machine takes them.
aotls::rekey::RekeyConfig rekey_config_of(const config::NeighborConfig& neighbor);
session::AoPeer ao_peer_of(const config::NeighborConfig& neighbor, std::int64_t now_unix);
session::AoPeer ao_peer_of(const config::NeighborConfig& neighbor);  // now

}  // namespace bgpd::daemon
