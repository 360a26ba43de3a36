// bgpd/daemon/daemon.cpp - start-up, RIB wiring, reload and shutdown.
#include "bgpd/daemon/daemon.hpp"

#include <stdexcept>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <fstream>

#include "aotls/keying/exporter_hook.hpp"
#include "aotls/tls/tcp_ao_wiring.hpp"
#include "bgpd/config/reload.hpp"
#include "bgpd/daemon/ao_settings.hpp"

namespace bgpd::daemon {

namespace asio = boost::asio;

namespace {

// Prefixes taken from an Adj-RIB-Out per turn: bounds the memory of one
// encoded batch and lets reads and timers of other peers run in between.
constexpr std::size_t kDrainBatch = 20000;

rib::RibConfig rib_config(const config::Config& config) {
  rib::RibConfig rc;
  rc.local_asn = config.global.asn;
  rc.router_id = config.global.router_id.v4_host_order();
  rc.default_local_pref = config.global.default_local_pref;
  rc.always_compare_med = config.global.always_compare_med;
  return rc;
}

std::vector<session::Md5Peer> md5_peers(const config::Config& config) {
  std::vector<session::Md5Peer> out;
  for (const auto& n : config.neighbors) {
    if (n.md5) out.push_back({to_asio(n.address), n.md5->bytes()});
  }
  return out;
}

}  // namespace

namespace {

// The position of each neighbor in the file (the model is sorted by
// address), so that errors carry the file's own JSON pointer.
std::map<wire::IpAddress, std::size_t> neighbor_positions(const std::string& path) {
  std::map<wire::IpAddress, std::size_t> out;
  std::ifstream in(path);
  auto document = nlohmann::json::parse(in, nullptr, false);
  if (!document.is_object() || !document.contains("neighbors") ||
      !document["neighbors"].is_array()) {
    return out;
  }
  const auto& neighbors = document["neighbors"];
  for (std::size_t i = 0; i < neighbors.size(); ++i) {
    if (!neighbors[i].is_object() || !neighbors[i].contains("address") ||
        !neighbors[i]["address"].is_string()) {
      continue;
    }
    if (auto a = wire::IpAddress::parse(neighbors[i]["address"].get<std::string>())) out[*a] = i;
  }
  return out;
}

// Transports this build carries: plain TCP, TCP-MD5, BGP over TLS, and
// TCP-AO keyed from TLS or static. A derived-key neighbor whose TLS
// fallback is static keys is refused rather than run without them, which
// would silently give up the protection the operator configured.
std::vector<std::string> unsupported_transports(const config::Config& config,
                                                const std::string& path) {
  std::vector<std::string> errors;
  const auto positions = neighbor_positions(path);
  for (const auto& n : config.neighbors) {
    auto it = positions.find(n.address);
    const std::string at =
        "/neighbors/" + (it == positions.end() ? n.address.to_string() : std::to_string(it->second));
    if (n.fallback == config::Fallback::Static && n.ao.mode != config::AoMode::Static) {
      errors.push_back(at + "/fallback: a TLS fallback to static TCP-AO keys needs ao mode \"static\" in this build");
    }
  }
  return errors;
}

bool uses_tls(const config::Config& config) {
  return std::any_of(config.neighbors.begin(), config.neighbors.end(),
                     [](const auto& n) { return n.tls.mode != config::TlsMode::Off; });
}

// The tcp_ao extension (draft-piraux-tcp-ao-tls) and the exporter hook of
// aotls/keying on both contexts, when some neighbor derives TCP-AO keys; a
// connection only announces tcp_ao when its AoSession arms it.
void add_tcp_ao(const config::Config& config, session::TlsContexts& contexts,
                std::vector<std::string>& errors) {
  if (!any_derives_ao_keys(config)) return;
  for (const auto& ctx : {contexts.client, contexts.server}) {
    auto* native = ctx->native_handle();
    if (auto registered =
            aotls::tls::register_tcp_ao_extension(native, config.global.ao.tls_extension_type);
        !registered) {
      errors.push_back("/global/ao/tls_extension_type: " +
                       std::string(aotls::tls::to_string(registered.error())));
      return;
    }
    if (auto hooked = aotls::keying::register_exporter_hook(native); !hooked) {
      errors.push_back("/global/ao: " + hooked.error().message);
      return;
    }
  }
}

// The TLS contexts, built (and so the files read and checked) at load time:
// a bad certificate or key is a config error, not a failure at first use.
std::optional<session::TlsContexts> tls_contexts(const config::Config& config,
                                                 std::vector<std::string>& errors) {
  if (!uses_tls(config)) return std::nullopt;
  const auto& files = config.global.tls;
  if (!files.ca_file || !files.cert_file || !files.key_file) return std::nullopt;  // reported
  auto contexts = session::TlsContexts::make({*files.ca_file, *files.cert_file, *files.key_file, ""});
  if (!contexts) {
    // make_context names the file first ("key_file '/etc/...': ..."): that
    // field is where the JSON pointer goes.
    for (const auto& e : contexts.error()) {
      const auto field = e.substr(0, e.find(' '));
      const bool named = field == "ca_file" || field == "cert_file" || field == "key_file";
      errors.push_back(named ? "/global/tls/" + field + ": " + e.substr(field.size() + 1)
                             : "/global/tls: " + e);
    }
    return std::nullopt;
  }
  add_tcp_ao(config, *contexts, errors);
  return std::move(*contexts);
}

}  // namespace

common::Expected<LoadedConfig, std::vector<std::string>> load_config(const std::string& path) {
  std::vector<std::string> errors;
  auto parsed = config::load_file(path);
  if (!parsed) {
    for (const auto& e : parsed.error()) errors.push_back(e.to_string());
    return common::Unexpected(std::move(errors));
  }
  for (const auto& e : config::check_files(*parsed)) errors.push_back(e.to_string());
  for (auto& e : unsupported_transports(*parsed, path)) errors.push_back(std::move(e));
  std::optional<session::TlsContexts> tls;
  if (errors.empty()) tls = tls_contexts(*parsed, errors);
  auto compiled = policy::CompiledPolicySet::compile(parsed->policies);
  if (!compiled) {
    for (const auto& e : compiled.error()) errors.push_back(policy::to_string(e));
  }
  if (!errors.empty()) return common::Unexpected(std::move(errors));
  return LoadedConfig{std::move(*parsed), std::move(*compiled), std::move(tls)};
}

Daemon::Daemon(DaemonOptions options, LoadedConfig loaded, common::log::Logger log)
    : signals_(io_, SIGINT, SIGTERM, SIGHUP),
      options_(std::move(options)),
      config_(std::move(loaded.config)),
      policies_(std::move(loaded.policies)),
      log_(std::move(log)),
      rib_(rib_config(config_)),
      transports_(std::move(loaded.tls), log_.with("module", "transport")) {}

Daemon::~Daemon() {
  peers_.clear();
  if (listener_) listener_->close();
}

common::Expected<void, std::string> Daemon::start() {
  auto registry = std::make_shared<api::CommandRegistry>();
  register_commands(*registry);
  api::ControlServerOptions control;
  control.path = options_.control_socket.value_or(config_.global.control_socket);
  // The default lives in /run/bgpd, which a fresh boot does not have.
  const auto directory = std::filesystem::path(control.path).parent_path();
  std::error_code dir_error;
  if (!directory.empty() && std::filesystem::create_directories(directory, dir_error)) {
    std::filesystem::permissions(directory, std::filesystem::perms(0750), dir_error);
  }
  if (dir_error) {
    return common::Unexpected("control socket directory " + directory.string() + ": " +
                              dir_error.message());
  }
  auto server = api::ControlServer::open(io_.get_executor(), registry, control,
                                         log_.with("module", "api"));
  if (!server) {
    return common::Unexpected("control socket " + control.path + ": " + server.error().message());
  }
  control_ = *server;
  control_->start();

  if (any_uses_ao(config_)) {
    session::AoServiceOptions options;
    try {
      options = ao_service_options(config_);
    } catch (const std::invalid_argument& bad) {
      return common::Unexpected(std::string("TCP-AO: ") + bad.what());
    }
    auto ao = session::AoService::start(options, log_.with("module", "ao"));
    if (!ao) return common::Unexpected("TCP-AO: " + ao.error());
    ao_ = std::move(*ao);
    transports_.set_ao(ao_);
  }
  // Rules before the listener exists: until the listener's keys are in,
  // the backend drops the neighbor's TCP-AO segments (fail-closed) rather
  // than let the kernel answer a SYN unprotected.
  for (const auto& neighbor : config_.neighbors) {
    if (auto added = add_ao_neighbor(neighbor); !added) return added;
  }

  if (!config_.global.listen.addresses.empty()) {
    session::ListenOptions listen;
    for (const auto& address : config_.global.listen.addresses) {
      listen.endpoints.emplace_back(to_asio(address), config_.global.listen.port);
    }
    listen.md5_peers = md5_peers(config_);
    if (ao_) {
      listen.before_listen = [this](int fd, const session::Endpoint& local) {
        ao_->add_listener(fd, local);
      };
    }
    auto listener = session::Listener::open(io_.get_executor(), listen, log_.with("module", "listener"));
    if (!listener) {
      return common::Unexpected(fmt::format("listen on port {}: {}", config_.global.listen.port,
                                            listener.error().message()));
    }
    listener_ = *listener;
    asio::post(listener_->get_executor(), [this] {
      listener_->start([this](session::AcceptedConnection c) {
        asio::post(io_, [this, c = std::make_shared<session::AcceptedConnection>(std::move(c))] {
          on_accept(std::move(*c));
        });
      });
    });
  }
  for (const auto& network : config_.networks) originate(network);
  for (const auto& neighbor : config_.neighbors) add_peer(neighbor);
  log_.info("bgpd started: AS {} router-id {}, {} neighbors, {} networks", config_.global.asn,
            config_.global.router_id.to_string(), config_.neighbors.size(),
            config_.networks.size());
  return {};
}

void Daemon::run() {
  wait_for_signals();
  io_.run();
}

void Daemon::wait_for_signals() {
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      auto result = reload();
      if (!result) log_.error("reload failed: {}", result.error());
      wait_for_signals();
      return;
    }
    log_.info("signal {}: stopping", signal);
    shutdown();
  });
}

void Daemon::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  for (auto& [address, peer] : peers_) peer->stop("bgpd is stopping");
  if (listener_) asio::post(listener_->get_executor(), [l = listener_] { l->close(); });
  if (control_) control_->stop();
  // Let the Cease NOTIFICATIONs leave before the loop ends (RFC 4271 6.7
  // asks for the NOTIFICATION before the connection is closed).
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(300));
  timer->async_wait([this, timer](boost::system::error_code) {
    peers_.clear();
    io_.stop();
  });
}

policy::Chain Daemon::chain_for(const config::NeighborConfig& neighbor, bool import) const {
  const auto& names = import ? neighbor.import_policies : neighbor.export_policies;
  auto chain = policy::Chain::for_neighbor(policies_, names.value_or(std::vector<std::string>{}),
                                           config_.is_ebgp(neighbor));
  // The configuration was validated against the same policy set.
  return chain ? std::move(*chain) : policy::Chain::default_for(true);
}

common::Expected<void, std::string> Daemon::add_ao_neighbor(
    const config::NeighborConfig& neighbor) {
  // Profile section 3: the default MKT on the listeners and the userspace
  // rules exist before the first connection to or from the neighbor.
  if (!ao_ || !uses_ao(neighbor)) return {};
  if (auto added = ao_->add_peer(ao_peer_of(neighbor)); !added) {
    return common::Unexpected("TCP-AO for " + neighbor.address.to_string() + ": " + added.error());
  }
  return {};
}

void Daemon::add_peer(const config::NeighborConfig& neighbor) {
  PeerEvents events;
  events.established = [this](Peer& p) { on_established(p); };
  events.down = [this](Peer& p) { on_down(p); };
  events.update = [this](Peer& p, const wire::DecodedUpdate& u) { on_update(p, u); };
  events.route_refresh = [this](Peer& p, wire::Afi f) { on_route_refresh(p, f); };
  LocalIdentity local{config_.global.asn, config_.global.router_id.v4_host_order()};
  auto peer = std::make_shared<Peer>(io_, next_peer_id_++, neighbor, local, std::move(events),
                                     transports_,
                                     log_.with("peer", neighbor.address.to_string()));
  peers_[neighbor.address] = peer;
  if (neighbor.md5 && listener_) {
    asio::post(listener_->get_executor(),
               [l = listener_, a = to_asio(neighbor.address),
                key = std::vector<std::uint8_t>(neighbor.md5->bytes().begin(),
                                                neighbor.md5->bytes().end())] {
                 l->set_md5_key(a, key);
               });
  }
  peer->start();
}

void Daemon::remove_peer(const wire::IpAddress& address, wire::CeaseSubcode reason) {
  auto it = peers_.find(address);
  if (it == peers_.end()) return;
  auto peer = it->second;
  if (reason == wire::CeaseSubcode::PeerDeconfigured) {
    peer->stop("neighbor deconfigured");
  } else {
    peer->stop("configuration changed");
  }
  if (peer->neighbor().md5 && listener_) {
    asio::post(listener_->get_executor(),
               [l = listener_, a = to_asio(address)] { l->remove_md5_key(a); });
  }
  if (ao_ && uses_ao(peer->neighbor())) ao_->remove_peer(ao_peer_of(peer->neighbor()));
  peers_.erase(it);
}

Peer* Daemon::find_peer(const wire::IpAddress& address) const {
  auto it = peers_.find(address);
  return it == peers_.end() ? nullptr : it->second.get();
}

Peer* Daemon::find_peer(rib::PeerId id) const {
  for (const auto& [address, peer] : peers_) {
    if (peer->id() == id) return peer.get();
  }
  return nullptr;
}

void Daemon::on_accept(session::AcceptedConnection connection) {
  const auto address = from_asio(connection.peer);
  Peer* peer = find_peer(address);
  if (!peer) {
    // RFC 4271 8.2.1.2: connections from unconfigured peers are refused.
    log_.info("refused connection from unconfigured {}", address.to_string());
    return;
  }
  if (ao_ && uses_ao(peer->neighbor())) {
    // The accepted socket inherited the listener's keys (default MKT or
    // static); attached here, its backend state is released whether the
    // peer takes the connection or not.
    auto ao = ao_->accepted(connection.socket, ao_peer_of(peer->neighbor()));
    if (!ao) {
      log_.with("peer", address.to_string()).error("refused connection: TCP-AO: {}", ao.error());
      return;
    }
    connection.ao = std::move(*ao);
  }
  if (!peer->accept(std::move(connection))) {
    log_.with("peer", address.to_string()).info("refused connection: no attempt can take it");
  }
}

void Daemon::on_established(Peer& peer) {
  auto info = peer.rib_info();
  info.import_policy = chain_for(peer.neighbor(), true);
  info.export_policy = chain_for(peer.neighbor(), false);
  auto changes = rib_.peer_up(std::move(info));
  if (changes) apply(*changes);
}

void Daemon::on_down(Peer& peer) {
  auto changes = rib_.peer_down(peer.id());
  if (changes) apply(*changes);
}

void Daemon::on_update(Peer& peer, const wire::DecodedUpdate& decoded) {
  const auto& u = decoded.update;
  // The withdrawals first, then one RIB call per run of same-family NLRI:
  // body NLRI and MP_REACH NLRI of one UPDATE may carry different next hops,
  // and attributes_for() gives each run its own (wire/update.hpp).
  auto changes = rib_.update(peer.id(), u.withdrawn, {}, u.attrs);
  if (!changes) return;
  apply(*changes);
  if (u.nlri.empty()) return;
  std::size_t start = 0;
  while (start < u.nlri.size()) {
    auto attrs = u.attributes_for(start);
    std::size_t end = start + 1;
    while (end < u.nlri.size() && u.nlri[end].family() == u.nlri[start].family()) ++end;
    auto announced = rib_.update(peer.id(), {},
                                 std::span(u.nlri).subspan(start, end - start), attrs);
    if (announced) apply(*announced);
    start = end;
  }
}

void Daemon::on_route_refresh(Peer& peer, wire::Afi family) {
  // RFC 2918: re-send the Adj-RIB-Out of that family. Re-running the export
  // queues every route again.
  auto changes = rib_.set_export_policy(peer.id(), chain_for(peer.neighbor(), false));
  log_.with("peer", peer.neighbor().address.to_string())
      .info("ROUTE-REFRESH for {}: re-advertising", family == wire::Afi::Ipv4 ? "ipv4" : "ipv6");
  if (changes) apply(*changes);
}

void Daemon::apply(const rib::RibChanges& changes) {
  for (auto id : changes.outbound) drain(id);
}

void Daemon::drain(rib::PeerId id) {
  Peer* peer = find_peer(id);
  if (!peer || !peer->established()) return;
  auto batch = rib_.take_outbound(id, kDrainBatch);
  if (!batch || batch->empty()) return;
  peer->send_outbound(*batch);
  if (batch->prefix_count() >= kDrainBatch) {
    asio::post(io_, [this, id] { drain(id); });
  }
}

void Daemon::originate(const config::NetworkConfig& network) {
  wire::PathAttributes attrs;
  attrs.origin = network.origin;
  attrs.next_hop = network.next_hop;
  attrs.med = network.med;
  attrs.local_pref = network.local_pref;
  attrs.communities = network.communities;
  attrs.large_communities = network.large_communities;
  apply(rib_.originate(network.prefix, attrs));
}

}  // namespace bgpd::daemon
