// bgpd/daemon/transport_factory.hpp - how a neighbor's connections are made.
//
// Owns: the choice of transport per neighbor (plain TCP, TCP-MD5 now; TLS
// and TLS over TCP-AO plug in here later). Both directions complete
// asynchronously so that a transport with a handshake (TLS) fits the same
// shape: the FSM sees TcpCrAcked / TcpConnectionConfirmed only once the
// transport is ready to carry BGP messages.
#pragma once

#include <utility>  // Boost 1.74 Asio needs it before its own headers.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <system_error>

#include "bgpd/config/model.hpp"
#include "bgpd/session/listener.hpp"
#include "bgpd/session/transport.hpp"
#include "common/expected.hpp"

namespace bgpd::daemon {

using TransportResult = common::Expected<std::unique_ptr<session::Transport>, std::error_code>;
using TransportHandler = std::function<void(TransportResult)>;

class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  // Active open toward `neighbor`, on `strand` (the new connection's).
  virtual void connect(const config::NeighborConfig& neighbor,
                       const boost::asio::any_io_executor& strand, TransportHandler done) = 0;
  // Turns an accepted socket into a transport (a TLS server handshake, later).
  virtual void accept(const config::NeighborConfig& neighbor,
                      session::AcceptedConnection connection, TransportHandler done) = 0;
};

// RFC 4271 over plain TCP, with RFC 2385 signatures when md5 is configured.
class TcpTransportFactory final : public TransportFactory {
 public:
  void connect(const config::NeighborConfig& neighbor, const boost::asio::any_io_executor& strand,
               TransportHandler done) override;
  void accept(const config::NeighborConfig& neighbor, session::AcceptedConnection connection,
              TransportHandler done) override;
};

// The asio address of a configured neighbor or local address.
boost::asio::ip::address to_asio(const wire::IpAddress& address);
wire::IpAddress from_asio(const boost::asio::ip::address& address);

}  // namespace bgpd::daemon
