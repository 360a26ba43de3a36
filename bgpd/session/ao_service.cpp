// bgpd/session/ao_service.cpp - see ao_service.hpp.
#include "bgpd/session/ao_service.hpp"

#include <algorithm>
#include <boost/asio/ip/udp.hpp>

#include "aotls/backend/kernel_backend.hpp"
#include "aotls/keys/mkt.hpp"

namespace bgpd::session {

namespace backend = aotls::backend;

namespace {

aotls::segment::IpAddress to_segment(const asio::ip::address& address) {
  // Both come from the same text form; parsing one never fails.
  return *aotls::segment::IpAddress::parse(address.to_string());
}

aotls::segment::IpVersion family_of(const asio::ip::address& address) {
  return address.is_v4() ? aotls::segment::IpVersion::V4 : aotls::segment::IpVersion::V6;
}

backend::PeerPrefix prefix_of(const AoPeer& peer) {
  return backend::PeerPrefix::host(to_segment(peer.address));
}

aotls::keys::Mkt mkt_of(const StaticKey& key) {
  aotls::keys::Mkt mkt;
  mkt.send_id = key.send_id;
  mkt.recv_id = key.recv_id;
  mkt.params = key.params;
  mkt.secret = aotls::crypto::Secret(key.secret->bytes());
  return mkt;
}

// The keys a socket holds for `peer`: the default MKT (profile section 3)
// or the static keys inside a lifetime.
std::vector<aotls::keys::Mkt> keys_of(const AoPeer& peer) {
  std::vector<aotls::keys::Mkt> out;
  if (!peer.is_static()) out.push_back(aotls::keys::make_default_mkt());
  for (const auto& key : peer.static_keys) {
    if (key.sendable || key.acceptable) out.push_back(mkt_of(key));
  }
  return out;
}

std::error_code add_keys(backend::TcpAoSocket& socket, const AoPeer& peer) {
  for (auto& mkt : keys_of(peer)) {
    if (auto ec = socket.add_key(prefix_of(peer), mkt)) return ec;
  }
  return {};
}

// Profile section 4 for static chains: send with the newest key inside its
// send lifetime; ask (RNextKeyID) for the newest inside its accept lifetime.
std::error_code choose_static_keys(backend::TcpAoSocket& socket, const AoPeer& peer) {
  const StaticKey* send = nullptr;
  const StaticKey* receive = nullptr;
  for (const auto& key : peer.static_keys) {
    if (key.sendable && (!send || key.send_start >= send->send_start)) send = &key;
    if (key.acceptable && (!receive || key.accept_start >= receive->accept_start)) receive = &key;
  }
  // No key inside its lifetime: nothing may protect the connection.
  if (!send || !receive) return std::make_error_code(std::errc::operation_not_permitted);
  if (auto ec = socket.set_current(send->send_id)) return ec;
  return socket.set_rnext(receive->recv_id);
}

}  // namespace

std::vector<aotls::rekey::ChainKey> chain_of(const AoPeer& peer) {
  std::vector<aotls::rekey::ChainKey> chain;
  for (const auto& key : peer.static_keys) {
    chain.push_back({key.send_id, key.recv_id, key.params, key.secret, key.send_lifetime,
                     key.accept_lifetime});
  }
  return chain;
}

struct AoService::Parts {
  backend::SystemSocketOptions syscalls;
  std::unique_ptr<backend::KernelBackend> kernel;
  std::unique_ptr<backend::nfqueue::UserspaceBackend> userspace;
  backend::Backend* active = nullptr;
  std::string probe_reason;
  std::optional<aotls::keylog::KeyLogWriter> keylog;
  std::uint16_t listen_port = 179;
  aotls::keys::Generation first_generation = aotls::keys::kFirstDerivedGeneration;

  struct ListeningSocket {
    std::unique_ptr<backend::TcpAoSocket> socket;
    aotls::segment::IpVersion family;
  };
  std::vector<ListeningSocket> listeners;
  std::vector<AoPeer> peers;

  // The flows the userspace rules must queue: the peer's port (our
  // connections) and ours (its connections), once each.
  std::vector<backend::nfqueue::PeerFlow> flows_of(const AoPeer& peer) const {
    const auto address = to_segment(peer.address);
    std::vector<backend::nfqueue::PeerFlow> flows{{address, peer.port}};
    if (listen_port != peer.port) flows.push_back({address, listen_port});
    return flows;
  }
};

common::Expected<std::shared_ptr<AoService>, std::string> AoService::start(
    const AoServiceOptions& options, common::log::Logger log) {
  auto parts = std::make_unique<Parts>();
  parts->listen_port = options.listen_port;
  parts->first_generation = options.first_generation;
  parts->kernel = std::make_unique<backend::KernelBackend>(parts->syscalls);
  const auto probe = parts->kernel->probe();
  parts->probe_reason = probe.reason;
  const auto kind = backend::select_backend(options.backend, probe);
  if (!kind) return common::Unexpected("ao.backend \"kernel\": " + probe.reason);
  if (*kind == backend::BackendKind::Userspace) {
    backend::nfqueue::UserspaceBackendOptions userspace;
    userspace.shell.rules.queue_base = options.nfqueue_base;
    auto started = backend::nfqueue::UserspaceBackend::start(userspace);
    if (!started) return common::Unexpected(started.error());
    parts->userspace = std::move(*started);
    parts->active = parts->userspace.get();
  } else {
    parts->active = parts->kernel.get();
  }
  auto keylog = aotls::keylog::KeyLogWriter::from_environment(options.keylog_file);
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

void AoService::add_listener(int fd, const Endpoint& local) {
  backend::SocketSetup setup;
  setup.fd = fd;
  setup.role = backend::SocketRole::Listener;
  setup.family = family_of(local.address());
  auto socket = parts_->active->attach(setup);
  if (!socket) {
    log_.error("TCP-AO: the listener on {} could not be attached", local.address().to_string());
    return;
  }
  for (const auto& peer : parts_->peers) {
    if (family_of(peer.address) != setup.family) continue;
    if (auto ec = add_keys(*socket, peer)) {
      log_.error("TCP-AO: keys for {} on the listener: {}", peer.address.to_string(),
                 ec.message());
    }
  }
  parts_->listeners.push_back({std::move(socket), setup.family});
}

common::Expected<void, std::string> AoService::update_peer(const AoPeer& peer) {
  const auto known = std::find_if(parts_->peers.begin(), parts_->peers.end(),
                                  [&](const AoPeer& p) { return p.address == peer.address; });
  if (known == parts_->peers.end()) return add_peer(peer);
  const auto same_ids = [](const aotls::keys::Mkt& a) {
    return [&a](const aotls::keys::Mkt& b) { return a.send_id == b.send_id && a.recv_id == b.recv_id; };
  };
  const auto before = keys_of(*known);
  const auto after = keys_of(peer);
  const auto family = family_of(peer.address);
  for (auto& listener : parts_->listeners) {
    if (listener.family != family) continue;
    for (const auto& mkt : after) {
      if (std::any_of(before.begin(), before.end(), same_ids(mkt))) continue;
      if (auto ec = listener.socket->add_key(prefix_of(peer), mkt)) {
        return common::Unexpected("a new key on the listener: " + ec.message());
      }
    }
    for (const auto& mkt : before) {
      if (std::any_of(after.begin(), after.end(), same_ids(mkt))) continue;
      listener.socket->delete_key(prefix_of(peer), mkt.send_id, mkt.recv_id, {});
    }
  }
  *known = peer;
  return {};
}

common::Expected<void, std::string> AoService::add_peer(const AoPeer& peer) {
  const auto family = family_of(peer.address);
  for (auto& listener : parts_->listeners) {
    if (listener.family != family) continue;
    if (auto ec = add_keys(*listener.socket, peer)) {
      return common::Unexpected("keys on the listener: " + ec.message());
    }
  }
  if (parts_->userspace) {
    for (const auto& flow : parts_->flows_of(peer)) {
      if (auto added = parts_->userspace->add_peer(flow); !added) {
        return common::Unexpected(added.error());
      }
    }
  }
  parts_->peers.push_back(peer);
  return {};
}

void AoService::remove_peer(const AoPeer& peer) {
  const auto family = family_of(peer.address);
  for (auto& listener : parts_->listeners) {
    if (listener.family != family) continue;
    for (const auto& mkt : keys_of(peer)) {
      listener.socket->delete_key(prefix_of(peer), mkt.send_id, mkt.recv_id, {});
    }
  }
  if (parts_->userspace) {
    for (const auto& flow : parts_->flows_of(peer)) {
      if (auto removed = parts_->userspace->remove_peer(flow); !removed) {
        log_.warning("TCP-AO rules for {}: {}", peer.address.to_string(), removed.error());
      }
    }
  }
  std::erase_if(parts_->peers, [&](const auto& known) { return known.address == peer.address; });
}

common::Expected<std::shared_ptr<AoSession>, std::string> AoService::connecting(
    asio::ip::tcp::socket& socket, const AoPeer& peer) {
  return session(socket, peer, false);
}

common::Expected<std::shared_ptr<AoSession>, std::string> AoService::accepted(
    asio::ip::tcp::socket& socket, const AoPeer& peer) {
  return session(socket, peer, true);
}

common::Expected<std::shared_ptr<AoSession>, std::string> AoService::session(
    asio::ip::tcp::socket& socket, const AoPeer& peer, bool accepted) {
  boost::system::error_code ec;
  const auto local = socket.local_endpoint(ec);
  if (ec) return common::Unexpected("the socket has no local address: " + ec.message());
  backend::SocketSetup setup;
  setup.fd = socket.native_handle();
  setup.role = backend::SocketRole::Connection;
  setup.family = family_of(local.address());
  setup.remote_addr = to_segment(peer.address);
  setup.remote_port = peer.port;
  if (accepted) {
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return common::Unexpected("the socket has no peer: " + ec.message());
    setup.remote_port = remote.port();
  }
  auto attached = parts_->active->attach(setup);
  if (!attached) return common::Unexpected("the TCP-AO backend could not attach the socket");
  if (peer.is_static()) {
    // An accepted socket inherited the keys from its listener.
    if (auto added = accepted ? std::error_code() : add_keys(*attached, peer)) {
      return common::Unexpected("static keys: " + added.message());
    }
    if (auto chosen = choose_static_keys(*attached, peer)) {
      return common::Unexpected("no static key inside its lifetimes: " + chosen.message());
    }
    return std::make_shared<AoSession>(shared_from_this(), std::string(backend_name()),
                                       std::move(attached), prefix_of(peer), chain_of(peer));
  }
  const aotls::keying::KeyingOptions options{
      .side = accepted ? aotls::keys::Side::Server : aotls::keys::Side::Client,
      .peer = prefix_of(peer),
      .announce = peer.announce,
      .requirement = peer.requirement,
      .keylog = parts_->keylog ? &*parts_->keylog : nullptr,
      .clock = nullptr,
      .rto = nullptr,
      .rekey = peer.rekey,
      .kick = nullptr,  // AoSession forwards to its connection's kick
      .first_generation = parts_->first_generation};
  auto ao = std::make_shared<AoSession>(shared_from_this(), std::string(backend_name()),
                                        std::move(attached), options);
  if (accepted) {
    ao->keying().default_mkt_inherited();
  } else if (auto installed = ao->keying().install_default_mkt()) {
    return common::Unexpected("default MKT: " + installed.message());
  }
  return ao;
}

const std::string& AoService::kernel_probe() const { return parts_->probe_reason; }

bool AoService::key_log_on() const { return parts_->keylog.has_value(); }

std::optional<backend::nfqueue::BackendDiagnostics> AoService::diagnostics() const {
  if (!parts_->userspace) return std::nullopt;
  return parts_->userspace->diagnostics();
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

common::Expected<void, std::error_code> prepare_ao_connect(AoService& service, const AoPeer& peer,
                                                           ConnectOptions& options,
                                                           std::shared_ptr<AoSession>& ao,
                                                           const common::log::Logger& log) {
  if (!options.local_address) {
    auto source = source_address_for(options.remote.address());
    if (!source) return common::Unexpected(source.error());
    options.local_address = *source;
  }
  options.before_connect = [&service, peer, &ao, log](asio::ip::tcp::socket& socket) {
    auto made = service.connecting(socket, peer);
    if (!made) {
      log.error("TCP-AO toward {}: {}", peer.address.to_string(), made.error());
      return make_error_code(AoFailure::KeyingFailed);
    }
    ao = std::move(*made);
    return std::error_code();
  };
  return {};
}

}  // namespace bgpd::session
