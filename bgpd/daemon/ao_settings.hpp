// bgpd/daemon/ao_settings.hpp - the configuration's TCP-AO fields in the
// terms of bgpd/session's AoService (profile sections 1, 3, 5 and 7).
#pragma once

#include "bgpd/config/model.hpp"
#include "bgpd/session/ao_service.hpp"

namespace bgpd::daemon {

// Profile section 1: the ao modes whose keys come from the TLS handshake.
bool derives_ao_keys(const config::NeighborConfig& neighbor);
bool any_derives_ao_keys(const config::Config& config);

session::AoServiceOptions ao_service_options(const config::Config& config);
session::AoPeer ao_peer_of(const config::NeighborConfig& neighbor);

}  // namespace bgpd::daemon
