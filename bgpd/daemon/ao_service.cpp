// bgpd/daemon/ao_service.cpp - see ao_service.hpp.
#include "bgpd/daemon/ao_service.hpp"

#include <boost/asio/ip/udp.hpp>

#include "aotls/backend/kernel_backend.hpp"
#include "aotls/backend/nfqueue/userspace_backend.hpp"
#include "aotls/keys/mkt.hpp"
#include "bgpd/daemon/ao_status.hpp"
#include "bgpd/daemon/transport_factory.hpp"

namespace bgpd::daemon {

namespace asio = boost::asio;
namespace backend = aotls::backend;

bool derives_ao_keys(const config::NeighborConfig& neighbor) {
  return neighbor.ao.mode == config::AoMode::Opportunistic ||
         neighbor.ao.mode == config::AoMode::Required;
}

namespace {

backend::BackendChoice choice_of(config::AoBackend configured) {
  switch (configured) {
    case config::AoBackend::Kernel:
      return backend::BackendChoice::Kernel;
    case config::AoBackend::Userspace:
      return backend::BackendChoice::Userspace;
    case config::AoBackend::Auto:
      break;
  }
  return backend::BackendChoice::Auto;
}

aotls::segment::IpAddress to_segment(const asio::ip::address& address) {
  // Both come from the same text form; parsing one never fails.
  return *aotls::segment::IpAddress::parse(address.to_string());
}

aotls::segment::IpVersion family_of(const asio::ip::address& address) {
  return address.is_v4() ? aotls::segment::IpVersion::V4 : aotls::segment::IpVersion::V6;
}

backend::PeerPrefix peer_of(const config::NeighborConfig& neighbor) {
  return backend::PeerPrefix::host(to_segment(to_asio(neighbor.address)));
}

// The configuration checked the codes against profile section 2's table.
aotls::tls::Announcement announcement_of(const config::AoAnnounce& announce) {
  const std::array<std::uint8_t, 3> body{announce.prot, announce.auth, announce.kdf};
  auto decoded = aotls::tls::decode_announcement(body);
  return decoded ? *decoded : aotls::tls::Announcement{};
}

}  // namespace

struct AoService::Parts {
  backend::SystemSocketOptions syscalls;
  std::unique_ptr<backend::KernelBackend> kernel;
  std::unique_ptr<backend::nfqueue::UserspaceBackend> userspace;
  backend::Backend* active = nullptr;
  std::string probe_reason;
  std::optional<aotls::keylog::KeyLogWriter> keylog;
  std::uint16_t listen_port = 179;

  struct ListeningSocket {
    std::unique_ptr<backend::TcpAoSocket> socket;
    aotls::segment::IpVersion family;
  };
  std::vector<ListeningSocket> listeners;
  std::vector<config::NeighborConfig> neighbors;

  // The flows the userspace rules must queue: the neighbor's port (our
  // connections) and ours (its connections), once each.
  std::vector<backend::nfqueue::PeerFlow> flows_of(const config::NeighborConfig& neighbor) const {
    const auto peer = to_segment(to_asio(neighbor.address));
    std::vector<backend::nfqueue::PeerFlow> flows{{peer, neighbor.port}};
    if (listen_port != neighbor.port) flows.push_back({peer, listen_port});
    return flows;
  }
};

common::Expected<std::shared_ptr<AoService>, std::string> AoService::start(
    const config::Config& config, common::log::Logger log) {
  if (std::none_of(config.neighbors.begin(), config.neighbors.end(), derives_ao_keys)) {
    return std::shared_ptr<AoService>();
  }
  auto parts = std::make_unique<Parts>();
  parts->listen_port = config.global.listen.port;
  parts->kernel = std::make_unique<backend::KernelBackend>(parts->syscalls);
  const auto probe = parts->kernel->probe();
  parts->probe_reason = probe.reason;
  const auto kind = backend::select_backend(choice_of(config.global.ao.backend), probe);
  if (!kind) return common::Unexpected("ao.backend \"kernel\": " + probe.reason);
  if (*kind == backend::BackendKind::Userspace) {
    backend::nfqueue::UserspaceBackendOptions options;
    options.shell.rules.queue_base = config.global.ao.nfqueue_base;
    auto started = backend::nfqueue::UserspaceBackend::start(options);
    if (!started) return common::Unexpected(started.error());
    parts->userspace = std::move(*started);
    parts->active = parts->userspace.get();
  } else {
    parts->active = parts->kernel.get();
  }
  auto keylog = aotls::keylog::KeyLogWriter::from_environment(config.global.ao.keylog_file);
  if (!keylog) return common::Unexpected("key log file: " + keylog.error().message());
  parts->keylog = std::move(*keylog);
  log.info("TCP-AO backend {} (kernel probe: {}){}", backend::to_string(*kind), probe.reason,
           parts->keylog ? "; key log on" : "");
  return std::make_shared<AoService>(std::move(parts), std::move(log));
}

AoService::AoService(std::unique_ptr<Parts> parts, common::log::Logger log)
    : parts_(std::move(parts)), log_(std::move(log)) {}

AoService::~AoService() {
  parts_->listeners.clear();
  if (parts_->userspace) parts_->userspace->stop();
}

std::string_view AoService::backend_name() const {
  return backend::to_string(parts_->active->kind());
}

void AoService::add_listener(int fd, const session::Endpoint& local) {
  backend::SocketSetup setup;
  setup.fd = fd;
  setup.role = backend::SocketRole::Listener;
  setup.family = family_of(local.address());
  auto socket = parts_->active->attach(setup);
  if (!socket) {
    log_.error("TCP-AO: the listener on {} could not be attached", local.address().to_string());
    return;
  }
  for (const auto& neighbor : parts_->neighbors) {
    if (family_of(to_asio(neighbor.address)) != setup.family) continue;
    if (auto ec = socket->add_key(peer_of(neighbor), aotls::keys::make_default_mkt())) {
      log_.error("TCP-AO: default MKT for {} on the listener: {}", neighbor.address.to_string(),
                 ec.message());
    }
  }
  parts_->listeners.push_back({std::move(socket), setup.family});
}

common::Expected<void, std::string> AoService::add_neighbor(
    const config::NeighborConfig& neighbor) {
  const auto family = family_of(to_asio(neighbor.address));
  for (auto& listener : parts_->listeners) {
    if (listener.family != family) continue;
    if (auto ec = listener.socket->add_key(peer_of(neighbor), aotls::keys::make_default_mkt())) {
      return common::Unexpected("default MKT on the listener: " + ec.message());
    }
  }
  if (parts_->userspace) {
    for (const auto& flow : parts_->flows_of(neighbor)) {
      if (auto added = parts_->userspace->add_peer(flow); !added) {
        return common::Unexpected(added.error());
      }
    }
  }
  parts_->neighbors.push_back(neighbor);
  return {};
}

void AoService::remove_neighbor(const config::NeighborConfig& neighbor) {
  const auto family = family_of(to_asio(neighbor.address));
  const auto default_id = aotls::keys::kDefaultKeyId;
  for (auto& listener : parts_->listeners) {
    if (listener.family != family) continue;
    listener.socket->delete_key(peer_of(neighbor), default_id, default_id, {});
  }
  if (parts_->userspace) {
    for (const auto& flow : parts_->flows_of(neighbor)) {
      if (auto removed = parts_->userspace->remove_peer(flow); !removed) {
        log_.warning("TCP-AO rules for {}: {}", neighbor.address.to_string(), removed.error());
      }
    }
  }
  std::erase_if(parts_->neighbors,
                [&](const auto& known) { return known.address == neighbor.address; });
}

common::Expected<std::shared_ptr<session::AoSession>, std::string> AoService::connecting(
    asio::ip::tcp::socket& socket, const config::NeighborConfig& neighbor) {
  return session(socket, neighbor, false);
}

common::Expected<std::shared_ptr<session::AoSession>, std::string> AoService::accepted(
    asio::ip::tcp::socket& socket, const config::NeighborConfig& neighbor) {
  return session(socket, neighbor, true);
}

common::Expected<std::shared_ptr<session::AoSession>, std::string> AoService::session(
    asio::ip::tcp::socket& socket, const config::NeighborConfig& neighbor, bool accepted) {
  boost::system::error_code ec;
  const auto local = socket.local_endpoint(ec);
  if (ec) return common::Unexpected("the socket has no local address: " + ec.message());
  backend::SocketSetup setup;
  setup.fd = socket.native_handle();
  setup.role = backend::SocketRole::Connection;
  setup.family = family_of(local.address());
  const auto remote = to_asio(neighbor.address);
  setup.remote_addr = to_segment(remote);
  setup.remote_port = neighbor.port;
  if (accepted) {
    const auto peer = socket.remote_endpoint(ec);
    if (ec) return common::Unexpected("the socket has no peer: " + ec.message());
    setup.remote_port = peer.port();
  }
  auto attached = parts_->active->attach(setup);
  if (!attached) return common::Unexpected("the TCP-AO backend could not attach the socket");
  const aotls::keying::KeyingOptions options{
      .side = accepted ? aotls::keys::Side::Server : aotls::keys::Side::Client,
      .peer = peer_of(neighbor),
      .announce = announcement_of(neighbor.ao.announce),
      .requirement = neighbor.ao.mode == config::AoMode::Required
                         ? aotls::tls::AoRequirement::Required
                         : aotls::tls::AoRequirement::Opportunistic,
      .keylog = parts_->keylog ? &*parts_->keylog : nullptr,
      .clock = nullptr,
      .rto = nullptr};
  auto ao = std::make_shared<session::AoSession>(shared_from_this(),
                                                 std::string(backend_name()),
                                                 std::move(attached), options);
  if (accepted) {
    ao->keying().default_mkt_inherited();
  } else if (auto installed = ao->keying().install_default_mkt()) {
    return common::Unexpected("default MKT: " + installed.message());
  }
  return ao;
}

nlohmann::json AoService::status() const {
  nlohmann::json out = {{"backend", backend_name()}, {"kernel_probe", parts_->probe_reason},
                        {"key_log", parts_->keylog.has_value()}};
  if (parts_->userspace) out["userspace"] = to_json(parts_->userspace->diagnostics());
  return out;
}

common::Expected<asio::ip::address, std::error_code> source_address_for(
    const asio::ip::address& remote) {
  boost::system::error_code ec;
  asio::io_context io;
  asio::ip::udp::socket probe(io);
  probe.open(remote.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
  if (!ec) probe.connect(asio::ip::udp::endpoint(remote, 179), ec);
  if (ec) return common::Unexpected(std::error_code(ec));
  const auto local = probe.local_endpoint(ec);
  if (ec) return common::Unexpected(std::error_code(ec));
  return local.address();
}

}  // namespace bgpd::daemon
