// bgpd/daemon/transport_factory.hpp - how a neighbor's connections are made.
//
// Owns: the choice of transport per neighbor and connection, following the
// table of profile section 1 (shared/protocol/ao-tls-profile.md): plain TCP,
// TCP-MD5 (RFC 2385; when a password is configured every TCP connection to
// that neighbor is signed, TLS or not), and BGP over TLS
// (draft-wirtgen-bgp-tls) in modes "required" and "preferred", with the
// preferred mode's fallback to plain BGP and its passive-side first-byte
// detection; TCP-AO keyed from the TLS handshake (ao opportunistic and
// required, through AoService) with the opportunistic mode's fallback
// after connect timeouts. Both directions complete
// asynchronously so that the FSM sees TcpCrAcked / TcpConnectionConfirmed
// only once the transport is ready to carry BGP messages; a failed TLS
// handshake is a failed connection (RFC 4271 event 18).
#pragma once

#include <utility>  // Boost 1.74 Asio needs it before its own headers.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <system_error>

#include <nlohmann/json.hpp>

#include "bgpd/config/model.hpp"
#include "bgpd/session/ao_service.hpp"
#include "bgpd/session/listener.hpp"
#include "bgpd/session/tls_fallback.hpp"
#include "bgpd/session/tls_transport.hpp"
#include "bgpd/session/transport.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace bgpd::daemon {

using TransportResult = common::Expected<std::unique_ptr<session::Transport>, std::error_code>;
using TransportHandler = std::function<void(TransportResult)>;

class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  // Active open toward `neighbor`, on `strand` (the new connection's).
  virtual void connect(const config::NeighborConfig& neighbor,
                       const boost::asio::any_io_executor& strand, TransportHandler done) = 0;
  // Turns an accepted socket into a transport (a TLS server handshake).
  virtual void accept(const config::NeighborConfig& neighbor,
                      session::AcceptedConnection connection, TransportHandler done) = 0;
  // The neighbor's transport bookkeeping for the CLI (TLS attempts,
  // failures, downgrades); null when there is nothing to show.
  virtual nlohmann::json status(const config::NeighborConfig& neighbor) const = 0;
  // The neighbor's TCP-AO bookkeeping (connect timeouts, downgrades,
  // default-MKT-only sessions); null when its ao mode is off.
  virtual nlohmann::json ao_status(const config::NeighborConfig& neighbor) const = 0;
};

class SessionTransportFactory final : public TransportFactory {
 public:
  // `tls`: the contexts every TLS connection uses; nullopt when no neighbor
  // uses TLS (the configuration guarantees the files then).
  SessionTransportFactory(std::optional<session::TlsContexts> tls, common::log::Logger log);

  void connect(const config::NeighborConfig& neighbor, const boost::asio::any_io_executor& strand,
               TransportHandler done) override;
  void accept(const config::NeighborConfig& neighbor, session::AcceptedConnection connection,
              TransportHandler done) override;
  nlohmann::json status(const config::NeighborConfig& neighbor) const override;
  nlohmann::json ao_status(const config::NeighborConfig& neighbor) const override;

  // Reload: new certificates apply to the next connections.
  void set_tls(std::optional<session::TlsContexts> tls) { tls_ = std::move(tls); }
  // The daemon's TCP-AO, once started; null while no neighbor uses it.
  void set_ao(std::shared_ptr<session::AoService> ao) { ao_ = std::move(ao); }

  // Bookkeeping shared with the connection coroutines (defined in the .cpp).
  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
  std::optional<session::TlsContexts> tls_;
  std::shared_ptr<session::AoService> ao_;
};

// The asio address of a configured neighbor or local address.
boost::asio::ip::address to_asio(const wire::IpAddress& address);
wire::IpAddress from_asio(const boost::asio::ip::address& address);

}  // namespace bgpd::daemon
