// tests/tools/injector/ao_client.hpp - the injector's TCP-AO keyed from its
// TLS handshake (draft-piraux-tcp-ao-tls; AO-TLS profile sections 1, 3, 5),
// through bgpd's own session::AoService so that benchmarks measure bgpd's
// code on both ends.
//
// Owns: the client TLS context's tcp_ao wiring (extension + exporter hook),
// the process's AoService with its one peer, and the report of one
// connection's TCP-AO counters (profile section 5). Must not depend on the
// injector's BGP session or on the daemon.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aotls/backend/nfqueue/userspace_backend.hpp"
#include "aotls/keying/connection_keying.hpp"
#include "bgpd/session/ao_service.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace injector {

namespace asio = boost::asio;

// Registers the tcp_ao extension (the default type, 65280, as bgpd's
// default /global/ao/tls_extension_type) and the exporter hook on a client
// context, as bgpd's daemon does for its own. Once per context.
common::Expected<void, std::string> enable_tcp_ao(asio::ssl::context& context);

struct AoClient {
  std::shared_ptr<bgpd::session::AoService> service;  // lives as long as the connection
  bgpd::session::AoPeer peer;
  common::log::Logger log;
};

struct AoClientOptions {
  bgpd::session::AoServiceOptions service;
  aotls::tls::AoRequirement requirement = aotls::tls::AoRequirement::Opportunistic;
};

// Starts the AoService and adds the peer (its userspace rules go in before
// the connect). Errors: the service's one startup line (CAP_NET_ADMIN,
// kernel without TCP-AO, NFQUEUE) or the peer's.
common::Expected<AoClient, std::string> start_ao_client(const AoClientOptions& options,
                                                        const bgpd::session::Endpoint& remote,
                                                        common::log::Logger log);

// One connection's TCP-AO at a moment: profile section 5's counters per
// key and in total, and the userspace backend's drops by reason.
struct AoReport {
  struct Key {
    std::uint32_t send_id = 0;
    std::uint32_t recv_id = 0;
    bool current = false;
    std::uint64_t good = 0;
    std::uint64_t bad_mac = 0;
  };
  std::string backend;
  std::string state;
  std::uint64_t generation = 0;
  std::vector<Key> keys;
  std::uint64_t good = 0;
  std::uint64_t bad_mac = 0;
  std::uint64_t key_not_found = 0;
  std::uint64_t ao_required_missing = 0;
  std::optional<std::string> last_error;
  std::vector<std::pair<std::string, std::uint64_t>> drops;  // empty for the kernel backend
  std::uint64_t dropped = 0;                                 // their sum

  // Segments TCP-AO refused: bad MACs, unknown KeyIDs, missing AO options.
  std::uint64_t mac_failures() const { return bad_mac + key_not_found + ao_required_missing; }
  nlohmann::json to_json() const;
};

AoReport make_ao_report(std::string backend, const aotls::keying::KeyingStatus& status,
                        const std::optional<aotls::backend::nfqueue::BackendDiagnostics>& drops);

}  // namespace injector
