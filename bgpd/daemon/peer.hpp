// bgpd/daemon/peer.hpp - one configured neighbor: FSMs, connections, timers.
//
// Owns: the connections to one neighbor and their RFC 4271 section 8 FSMs.
// A neighbor has one "primary" connection attempt; an incoming connection
// that arrives while the primary is in OpenSent or OpenConfirm becomes a
// second attempt with an FSM of its own, and collision detection (section
// 6.8, bgpd/fsm/collision.hpp) dumps one of the two when an OPEN arrives.
// The peer turns socket and timer callbacks into FSM events and performs the
// FSM's actions; decoded UPDATEs, session up/down and ROUTE-REFRESH requests
// go to the daemon through PeerEvents (the RIB lives there).
//
// Threading: the daemon runs its io_context on one thread; each connection
// keeps its own strand (session layer), so callbacks are serialised and a
// Peer is only ever touched from that thread.
#pragma once

#include <utility>  // Boost 1.74 Asio needs it before its own headers.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bgpd/config/model.hpp"
#include "bgpd/daemon/transport_factory.hpp"
#include "bgpd/fsm/fsm.hpp"
#include "bgpd/rib/adj_rib_out.hpp"
#include "bgpd/rib/route.hpp"
#include "bgpd/session/bgp_connection.hpp"
#include "bgpd/session/listener.hpp"
#include "bgpd/wire/open.hpp"
#include "bgpd/wire/update.hpp"
#include "common/log.hpp"

namespace bgpd::daemon {

class Peer;

// What a peer reports to the daemon (which owns the RIB).
struct PeerEvents {
  std::function<void(Peer&)> established;
  std::function<void(Peer&)> down;
  std::function<void(Peer&, const wire::DecodedUpdate&)> update;
  std::function<void(Peer&, wire::Afi)> route_refresh;
};

// This speaker as its OPEN shows it.
struct LocalIdentity {
  std::uint32_t asn = 0;
  std::uint32_t router_id = 0;  // host order
};

// The last NOTIFICATION sent or received, for the CLI.
struct LastError {
  bool sent = false;
  wire::ErrorCode code = wire::ErrorCode::Cease;
  std::uint8_t subcode = 0;
  std::string text;
  std::chrono::system_clock::time_point when;
};

class Peer : public std::enable_shared_from_this<Peer> {
 public:
  Peer(boost::asio::io_context& io, rib::PeerId id, config::NeighborConfig neighbor,
       LocalIdentity local, PeerEvents events, TransportFactory& transports,
       common::log::Logger log);
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // ManualStart (or its passive variant, RFC 4271 8.1.2 Event 4); a neighbor
  // configured with shutdown stays Idle.
  void start();
  // ManualStop: Cease / Administrative Shutdown (RFC 4486), with an RFC 9003
  // shutdown communication when `message` is not empty.
  void stop(const std::string& message);
  // Administrative reset: Cease / Administrative Reset, then start again.
  void reset(const std::string& message);
  // An accepted connection from this neighbor's address. Returns false when
  // the peer refuses it (RFC 4271 8.2.2: Idle refuses connections; a second
  // connection while Established is closed, section 6.8).
  bool accept(session::AcceptedConnection connection);
  // Sends the RIB's queued changes as packed UPDATEs (Established only).
  void send_outbound(const rib::OutboundBatch& batch);
  // ROUTE-REFRESH toward the peer (RFC 2918), e.g. after an import policy
  // change without a pre-policy Adj-RIB-In.
  void request_route_refresh();
  // Fields a reload applies without a reset (description, policies, timers
  // of the next connection); the plan decided that nothing else changed.
  void update_neighbor(config::NeighborConfig neighbor);
  // Starts a rollover of the TLS-derived TCP-AO keys of the Established
  // session now (bgpcli rekey; profile section 4). The generation moved to,
  // or why not.
  common::Expected<std::uint32_t, std::string> start_rollover();

  rib::PeerId id() const { return id_; }
  const config::NeighborConfig& neighbor() const { return neighbor_; }
  bool established() const;
  // Valid while established().
  const wire::NegotiatedSession& negotiated() const;
  std::uint32_t remote_bgp_identifier() const;
  rib::PeerInfo rib_info() const;
  nlohmann::json status() const;

 private:
  struct Attempt;

  void begin_attempt(Attempt& attempt);
  void step(Attempt& attempt, const fsm::Input& input);
  void perform(Attempt& attempt, const fsm::Action& action);
  void after_step(Attempt& attempt);
  void initiate_connection(Attempt& attempt);
  void attach(Attempt& attempt, std::unique_ptr<session::Transport> transport);
  void start_timer(Attempt& attempt, fsm::Timer which, std::uint32_t seconds);
  void stop_timer(Attempt& attempt, fsm::Timer which);
  void send_message(Attempt& attempt, std::vector<std::uint8_t> message);
  void send_notification(Attempt& attempt, const fsm::SendNotification& notification);
  void send_keepalive(Attempt& attempt);
  // Profile section 4's kick after an RNextKeyID change: a KEEPALIVE, where
  // RFC 4271 allows one (OpenConfirm and Established, one per second).
  void kick(Attempt& attempt);

  void on_message(std::uint64_t attempt_id, std::span<const std::uint8_t> message);
  void on_open(Attempt& attempt, std::span<const std::uint8_t> body);
  void on_update(Attempt& attempt, std::span<const std::uint8_t> body);
  void on_notification(Attempt& attempt, std::span<const std::uint8_t> body);
  void on_route_refresh(Attempt& attempt, std::span<const std::uint8_t> body);
  bool resolve_collision(Attempt& attempt, const wire::OpenMessage& open);

  Attempt* find(std::uint64_t attempt_id);
  Attempt* primary() const;
  Attempt* established_attempt() const;
  fsm::Config fsm_config() const;
  std::chrono::milliseconds now() const;

  boost::asio::io_context& io_;
  rib::PeerId id_;
  config::NeighborConfig neighbor_;
  LocalIdentity local_;
  PeerEvents events_;
  TransportFactory& transports_;
  common::log::Logger log_;
  wire::OpenMessage local_open_;
  std::vector<std::unique_ptr<Attempt>> attempts_;
  std::uint64_t next_attempt_id_ = 1;
  bool stopped_ = false;  // ManualStop by the operator: refuse connections
  std::optional<LastError> last_error_;
  std::chrono::steady_clock::time_point state_since_;
  std::uint64_t established_transitions_ = 0;
  std::uint64_t updates_in_ = 0;
  std::uint64_t updates_out_ = 0;
  const wire::DecodedUpdate* pending_update_ = nullptr;
};

}  // namespace bgpd::daemon
