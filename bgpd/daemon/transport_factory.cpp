// bgpd/daemon/transport_factory.cpp - plain TCP, TCP-MD5 and TLS connections.
#include "bgpd/daemon/transport_factory.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "bgpd/daemon/ao_settings.hpp"
#include "bgpd/session/tcp_transport.hpp"

namespace bgpd::daemon {

namespace asio = boost::asio;

asio::ip::address to_asio(const wire::IpAddress& address) {
  if (address.is_v4()) return asio::ip::address_v4(address.v4_host_order());
  asio::ip::address_v6::bytes_type bytes;
  std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
  return asio::ip::address_v6(bytes);
}

wire::IpAddress from_asio(const asio::ip::address& address) {
  if (address.is_v4()) return wire::IpAddress::v4(address.to_v4().to_uint());
  if (address.to_v6().is_v4_mapped()) {
    return wire::IpAddress::v4(
        asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_uint());
  }
  wire::IpAddress out;
  out.family = wire::Afi::Ipv6;
  auto bytes = address.to_v6().to_bytes();
  std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  return out;
}

// State the connection coroutines share with the factory; they hold it by
// shared_ptr, so a reload or shutdown never leaves them pointing at nothing.
struct SessionTransportFactory::Shared {
  // Per neighbor, TCP-AO's side of profile section 1: connect timeouts in a
  // row (a peer without TCP-AO never answers an AO SYN), downgrades, and
  // sessions that stayed on the default MKT.
  struct AoBookkeeping {
    std::uint32_t timeouts_in_a_row = 0;
    std::uint64_t downgrades = 0;
    std::uint64_t default_mkt_only = 0;
  };

  common::log::Logger log;
  std::map<wire::IpAddress, session::TlsFallback> fallback;
  std::map<wire::IpAddress, AoBookkeeping> ao;

  session::TlsFallback& fallback_of(const config::NeighborConfig& neighbor) {
    auto [it, inserted] = fallback.try_emplace(neighbor.address, neighbor.tls.fallback_after);
    if (!inserted) it->second.set_fallback_after(neighbor.tls.fallback_after);
    return it->second;
  }
};

namespace {

using session::TcpProtection;
using session::TlsRole;

// What one connection needs, copied: the coroutines outlive the caller's
// references (a reload may replace the neighbor's config meanwhile).
struct Plan {
  std::shared_ptr<SessionTransportFactory::Shared> shared;
  config::NeighborConfig neighbor;
  std::optional<session::TlsContexts> tls;
  std::shared_ptr<session::AoService> ao;
  TransportHandler done;
};

TcpProtection protection_of(const config::NeighborConfig& neighbor) {
  return neighbor.md5 ? TcpProtection::Md5 : TcpProtection::None;
}

aotls::tls::PeerIdentity identity_of(const config::NeighborConfig& neighbor) {
  return neighbor.tls.peer_name ? aotls::tls::PeerIdentity::dns(*neighbor.tls.peer_name)
                                : aotls::tls::PeerIdentity::ip(neighbor.address.to_string());
}

std::unique_ptr<session::Transport> plain(asio::ip::tcp::socket socket, TcpProtection protection,
                                          std::shared_ptr<session::AoSession> ao) {
  return std::make_unique<session::TcpTransport>(std::move(socket), protection, std::move(ao));
}

// Counts and logs a handshake's outcome for the neighbor.
void record(const Plan& plan, TlsRole role, const TransportResult& result) {
  auto& fallback = plan.shared->fallback_of(plan.neighbor);
  const char* side = role == TlsRole::Client ? "to" : "from";
  const auto address = plan.neighbor.address.to_string();
  if (!result) {
    fallback.tls_failed(result.error().message());
    plan.shared->log.info("TLS handshake {} {} failed: {}", side, address,
                          result.error().message());
    return;
  }
  fallback.tls_succeeded();
  const auto tls = *result.value()->info().tls;
  plan.shared->log.info("TLS {} {}: {} {}, ALPN {}, peer {}", side, address, tls.version,
                        tls.cipher, tls.alpn, tls.peer_subject);
  const auto ao = result.value()->ao();
  if (!ao || !ao->derives_keys()) return;
  const auto keying = ao->status(std::chrono::steady_clock::now());
  if (keying.state == aotls::keying::state_name(aotls::keys::KeyPhase::DefaultOnly)) {
    // Profile section 1, tls required + ao opportunistic: allowed, warned, counted.
    ++plan.shared->ao[plan.neighbor.address].default_mkt_only;
    plan.shared->log.warning(
        "TCP-AO: {} sent no tcp_ao extension; the session stays on the default MKT "
        "(state default-mkt-only)",
        address);
    return;
  }
  plan.shared->log.info("TCP-AO {} {}: {} backend, generation {} installed", side, address,
                        ao->backend(), keying.generation);
}

// The TLS handshake on an open socket. Not inlined: g++ 12 at -O2 inlines a
// coroutine's ramp into its awaiting coroutine and then reports Asio's frame
// allocator and deallocator as a mismatched new/delete (a false positive of
// -Wmismatched-new-delete).
[[gnu::noinline]] asio::awaitable<void> secure(Plan plan, asio::ip::tcp::socket socket,
                                               TlsRole role, TcpProtection under,
                                               std::shared_ptr<session::AoSession> ao) {
  if (!plan.tls) {
    // Unreachable with a validated config (TLS neighbors need the files,
    // and load_config builds the contexts); refuse rather than go plain.
    plan.done(common::Unexpected(std::make_error_code(std::errc::not_supported)));
    co_return;
  }
  session::TlsHandshakeOptions options;
  options.role = role;
  options.context = role == TlsRole::Client ? plan.tls->client : plan.tls->server;
  options.peer = identity_of(plan.neighbor);
  options.timeout = plan.neighbor.tls.handshake_timeout;
  options.under = under;
  options.ao = std::move(ao);
  auto result = co_await session::tls_handshake(std::move(socket), options);
  record(plan, role, result);
  plan.done(std::move(result));
}

// Profile section 1, ao "opportunistic": a peer with no TCP-AO at all never
// answers an AO SYN, so after `ao.fallback_after` connect timeouts in a row
// one attempt goes without TCP-AO. "required" never falls back.
bool ao_gives_up(const Plan& plan) {
  const auto& neighbor = plan.neighbor;
  if (neighbor.ao.mode != config::AoMode::Opportunistic) return false;
  auto& book = plan.shared->ao[neighbor.address];
  if (book.timeouts_in_a_row < neighbor.ao.fallback_after) return false;
  plan.shared->log.warning(
      "downgrade: {} connect timeouts in a row to {} under TCP-AO (ao opportunistic); "
      "trying once without TCP-AO",
      book.timeouts_in_a_row, neighbor.address.to_string());
  book.timeouts_in_a_row = 0;
  ++book.downgrades;
  return true;
}

// The coroutine owns copies of everything connect_tcp reads, so nothing it
// points into can go away while it is suspended.
asio::awaitable<void> connect_neighbor(Plan plan) {
  const auto& neighbor = plan.neighbor;
  session::ConnectOptions options;
  options.remote = session::Endpoint(to_asio(neighbor.address), neighbor.port);
  if (neighbor.local_address) options.local_address = to_asio(*neighbor.local_address);
  // A connect attempt never outlives the ConnectRetry interval (RFC 4271
  // 8.2.2: the timer expiry drops a pending connection anyway).
  options.timeout = std::min<std::chrono::milliseconds>(neighbor.connect_retry,
                                                        std::chrono::seconds(30));
  std::vector<std::uint8_t> md5_key;
  if (neighbor.md5) md5_key.assign(neighbor.md5->bytes().begin(), neighbor.md5->bytes().end());
  options.md5_key = md5_key;
  const bool tls = neighbor.tls.mode != config::TlsMode::Off;
  auto& fallback = plan.shared->fallback_of(neighbor);
  const bool plain_attempt = neighbor.tls.mode == config::TlsMode::Preferred &&
                             fallback.next_is_plain();
  // Static keys protect every connection (profile section 1); derived keys
  // need TLS and may give up after connect timeouts.
  const bool with_ao = plan.ao && (neighbor.ao.mode == config::AoMode::Static ||
                                   (tls && !plain_attempt && derives_ao_keys(neighbor) &&
                                    !ao_gives_up(plan)));
  std::shared_ptr<session::AoSession> ao;
  if (with_ao) {
    if (auto prepared = session::prepare_ao_connect(*plan.ao, ao_peer_of(neighbor), options, ao,
                                                    plan.shared->log);
        !prepared) {
      plan.done(common::Unexpected(prepared.error()));
      co_return;
    }
  }
  auto socket = co_await session::connect_tcp(options);
  if (with_ao) {
    auto& book = plan.shared->ao[neighbor.address];
    const bool timed_out = !socket && socket.error() == std::errc::timed_out;
    book.timeouts_in_a_row = timed_out ? book.timeouts_in_a_row + 1 : 0;
  }
  if (!socket) {
    plan.done(common::Unexpected(socket.error()));
    co_return;
  }
  const auto under = protection_of(neighbor);
  if (!tls) {
    plan.done(plain(std::move(*socket), under, std::move(ao)));
    co_return;
  }
  if (plain_attempt) {
    // Profile section 1: tls "preferred" gives up on TLS for this attempt.
    plan.shared->log.warning(
        "downgrade: {} failed TLS attempts in a row to {}{} (tls preferred); trying plain BGP",
        fallback.failures_in_a_row(), neighbor.address.to_string(),
        fallback.peer_spoke_plain_seen() ? ", which connected with plain BGP" : "");
    fallback.downgraded();
    plan.done(plain(std::move(*socket), under, std::move(ao)));
    co_return;
  }
  co_await secure(std::move(plan), std::move(*socket), TlsRole::Client, under, std::move(ao));
}

// Profile section 1, passive side of "preferred": 0x16 is a TLS handshake
// record (RFC 8446 section 5.1, ContentType handshake), 0xFF the first byte
// of a BGP marker (RFC 4271 section 4.1); anything else is neither.
constexpr std::uint8_t kTlsHandshakeRecord = 0x16;
constexpr std::uint8_t kBgpMarkerByte = 0xFF;

asio::awaitable<void> accept_preferred(Plan plan, session::AcceptedConnection connection,
                                       std::shared_ptr<session::AoSession> ao) {
  auto first = co_await session::peek_first_byte(connection.socket,
                                                 plan.neighbor.tls.handshake_timeout);
  const auto address = plan.neighbor.address.to_string();
  if (!first) {
    plan.done(common::Unexpected(first.error()));
    co_return;
  }
  if (*first == kTlsHandshakeRecord) {
    co_await secure(std::move(plan), std::move(connection.socket), TlsRole::Server,
                    connection.protection, std::move(ao));
    co_return;
  }
  if (*first == kBgpMarkerByte) {
    // The table of profile section 1 lets "preferred" with ao "off" fall
    // back to plain BGP: accept it, and say so.
    plan.shared->log.warning("downgrade: {} connected with plain BGP (tls preferred); accepted",
                             address);
    plan.shared->fallback_of(plan.neighbor).peer_spoke_plain();
    plan.done(plain(std::move(connection.socket), connection.protection, std::move(ao)));
    co_return;
  }
  plan.shared->log.info("connection from {} starts with byte 0x{:02x}, neither TLS nor BGP; closed",
                        address, *first);
  plan.done(common::Unexpected(std::make_error_code(std::errc::protocol_error)));
}

}  // namespace

SessionTransportFactory::SessionTransportFactory(std::optional<session::TlsContexts> tls,
                                                 common::log::Logger log)
    : shared_(std::make_shared<Shared>(Shared{std::move(log), {}, {}})), tls_(std::move(tls)) {}

void SessionTransportFactory::connect(const config::NeighborConfig& neighbor,
                                      const asio::any_io_executor& strand, TransportHandler done) {
  asio::co_spawn(strand, connect_neighbor(Plan{shared_, neighbor, tls_, ao_, std::move(done)}),
                 asio::detached);
}

void SessionTransportFactory::accept(const config::NeighborConfig& neighbor,
                                     session::AcceptedConnection connection,
                                     TransportHandler done) {
  Plan plan{shared_, neighbor, tls_, ao_, std::move(done)};
  auto ao = std::move(connection.ao);
  if (neighbor.tls.mode == config::TlsMode::Off) {
    plan.done(plain(std::move(connection.socket), connection.protection, std::move(ao)));
    return;
  }
  auto executor = connection.socket.get_executor();
  if (neighbor.tls.mode == config::TlsMode::Preferred) {
    asio::co_spawn(executor,
                   accept_preferred(std::move(plan), std::move(connection), std::move(ao)),
                   asio::detached);
    return;
  }
  const auto under = connection.protection;
  asio::co_spawn(executor,
                 secure(std::move(plan), std::move(connection.socket), TlsRole::Server, under,
                        std::move(ao)),
                 asio::detached);
}

nlohmann::json SessionTransportFactory::status(const config::NeighborConfig& neighbor) const {
  if (neighbor.tls.mode == config::TlsMode::Off) return nullptr;
  nlohmann::json out = {{"mode", neighbor.tls.mode == config::TlsMode::Required ? "required"
                                                                               : "preferred"}};
  auto it = shared_->fallback.find(neighbor.address);
  const session::TlsFallback none(neighbor.tls.fallback_after);
  const auto& f = it == shared_->fallback.end() ? none : it->second;
  out["failed_attempts"] = f.failed_attempts();
  out["failures_in_a_row"] = f.failures_in_a_row();
  out["downgrades"] = f.downgrades();
  if (!f.last_failure().empty()) out["last_failure"] = f.last_failure();
  return out;
}

nlohmann::json SessionTransportFactory::ao_status(const config::NeighborConfig& neighbor) const {
  if (neighbor.ao.mode == config::AoMode::Off) return nullptr;
  nlohmann::json out = {
      {"mode", neighbor.ao.mode == config::AoMode::Required ? "required"
               : neighbor.ao.mode == config::AoMode::Static ? "static"
                                                             : "opportunistic"}};
  if (ao_) out["backend"] = ao_->backend_name();
  const auto it = shared_->ao.find(neighbor.address);
  const Shared::AoBookkeeping none;
  const auto& book = it == shared_->ao.end() ? none : it->second;
  out["connect_timeouts_in_a_row"] = book.timeouts_in_a_row;
  out["downgrades"] = book.downgrades;
  out["default_mkt_only_sessions"] = book.default_mkt_only;
  return out;
}

}  // namespace bgpd::daemon
