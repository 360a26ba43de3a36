// bgpd/daemon/daemon.hpp - the running speaker: wiring of every module.
//
// Owns: the configuration in force, the compiled policies, the RIB, one
// Peer per neighbor, the listener and the control server. It turns peer
// events into RIB events, RIB output into UPDATEs, and a reload plan
// (bgpd/config/reload.hpp) into peer and RIB changes.
//
// Threading: one io_context run by one thread (the BGP control plane of a
// small router is I/O bound; a second thread would only add locking). The
// session layer still gives each connection its own strand, so nothing here
// depends on running single-threaded except the RIB, which only this class
// touches.
#pragma once

#include <utility>  // Boost 1.74 Asio needs it before its own headers.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bgpd/api/control_server.hpp"
#include "bgpd/config/config.hpp"
#include "bgpd/daemon/peer.hpp"
#include "bgpd/daemon/transport_factory.hpp"
#include "bgpd/policy/policy.hpp"
#include "bgpd/rib/rib.hpp"
#include "bgpd/session/ao_service.hpp"
#include "bgpd/session/listener.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace bgpd::daemon {

struct DaemonOptions {
  std::string config_path;
  std::optional<std::string> control_socket;  // overrides global.control_socket
};

// A configuration file, validated and compiled; its TLS files loaded.
struct LoadedConfig {
  config::Config config;
  std::shared_ptr<const policy::CompiledPolicySet> policies;
  std::optional<session::TlsContexts> tls;  // when a neighbor uses TLS
};

class Daemon {
 public:
  Daemon(DaemonOptions options, LoadedConfig loaded, common::log::Logger log);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the control socket and the listener, originates the static
  // networks and starts every neighbor. An error here is a startup error.
  common::Expected<void, std::string> start();
  // Runs until SIGINT or SIGTERM (SIGHUP reloads the configuration).
  void run();

  // --- the control API (commands.cpp) ---
  nlohmann::json show_neighbors(const std::optional<wire::IpAddress>& address) const;
  nlohmann::json show_rib(std::optional<wire::Afi> family,
                          const std::optional<wire::Prefix>& prefix) const;
  common::Expected<nlohmann::json, std::string> rekey_neighbor(const wire::IpAddress& address);
  common::Expected<nlohmann::json, std::string> clear_neighbor(const wire::IpAddress& address,
                                                               const std::string& mode);
  common::Expected<nlohmann::json, std::string> reload();
  nlohmann::json show_config() const;

 private:
  void register_commands(api::CommandRegistry& registry);
  void add_peer(const config::NeighborConfig& neighbor);
  // The neighbor's TCP-AO state (listener keys, userspace rules); none when
  // it derives no keys.
  common::Expected<void, std::string> add_ao_neighbor(const config::NeighborConfig& neighbor);
  void add_peer_logged(const config::NeighborConfig& neighbor);  // reload: AO errors logged
  void remove_peer(const wire::IpAddress& address, wire::CeaseSubcode reason);
  Peer* find_peer(const wire::IpAddress& address) const;
  Peer* find_peer(rib::PeerId id) const;
  policy::Chain chain_for(const config::NeighborConfig& neighbor, bool import) const;

  void on_established(Peer& peer);
  void on_down(Peer& peer);
  void on_update(Peer& peer, const wire::DecodedUpdate& decoded);
  void on_route_refresh(Peer& peer, wire::Afi family);
  void on_accept(session::AcceptedConnection connection);
  void apply(const rib::RibChanges& changes);
  void drain(rib::PeerId peer);
  void originate(const config::NetworkConfig& network);
  void wait_for_signals();
  void shutdown();

  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  DaemonOptions options_;
  config::Config config_;
  std::shared_ptr<const policy::CompiledPolicySet> policies_;
  common::log::Logger log_;
  rib::Rib rib_;
  SessionTransportFactory transports_;
  std::map<wire::IpAddress, std::shared_ptr<Peer>> peers_;
  rib::PeerId next_peer_id_ = 1;
  std::shared_ptr<session::Listener> listener_;
  std::shared_ptr<session::AoService> ao_;  // null while no neighbor derives TCP-AO keys
  std::shared_ptr<api::ControlServer> control_;
  bool stopping_ = false;
};

// Loads, validates and compiles a configuration file: every error, one per
// line, in the error string ("/neighbors/0/asn: ...").
common::Expected<LoadedConfig, std::vector<std::string>> load_config(const std::string& path);

}  // namespace bgpd::daemon
