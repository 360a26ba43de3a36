// tests/tools/injector/ao_client.cpp - see ao_client.hpp.
#include "tests/tools/injector/ao_client.hpp"

#include "aotls/keying/exporter_hook.hpp"
#include "aotls/tls/tcp_ao_wiring.hpp"

namespace injector {

common::Expected<void, std::string> enable_tcp_ao(asio::ssl::context& context) {
  auto* native = context.native_handle();
  if (auto registered = aotls::tls::register_tcp_ao_extension(native); !registered) {
    return common::Unexpected("tcp_ao extension: " +
                              std::string(aotls::tls::to_string(registered.error())));
  }
  if (auto hooked = aotls::keying::register_exporter_hook(native); !hooked) {
    return common::Unexpected("exporter hook: " + hooked.error().message);
  }
  return {};
}

common::Expected<AoClient, std::string> start_ao_client(const AoClientOptions& options,
                                                        const bgpd::session::Endpoint& remote,
                                                        common::log::Logger log) {
  auto service_options = options.service;
  // The injector never listens: its rules need only the peer's port.
  service_options.listen_port = remote.port();
  auto service = bgpd::session::AoService::start(service_options, log);
  if (!service) return common::Unexpected(service.error());
  // Announcement: bgpd's default (codes 0, 0, 0); keys from the handshake only.
  bgpd::session::AoPeer peer;
  peer.address = remote.address();
  peer.port = remote.port();
  peer.requirement = options.requirement;
  if (auto added = (*service)->add_peer(peer); !added) {
    return common::Unexpected("TCP-AO peer " + remote.address().to_string() + ": " +
                              added.error());
  }
  return AoClient{std::move(*service), peer, std::move(log)};
}

AoReport make_ao_report(std::string backend, const aotls::keying::KeyingStatus& status,
                        const std::optional<aotls::backend::nfqueue::BackendDiagnostics>& drops) {
  AoReport out;
  out.backend = std::move(backend);
  out.state = status.state;
  out.generation = status.generation;
  for (const auto& key : status.keys) {
    out.keys.push_back({key.send_id, key.recv_id, key.is_current, key.good, key.bad_mac});
    out.good += key.good;
    out.bad_mac += key.bad_mac;
  }
  out.key_not_found = status.key_not_found;
  out.ao_required_missing = status.ao_required_missing;
  out.last_error = status.last_error ? status.last_error : status.backend_read_error;
  if (drops) {
    out.drops = drops->drops;
    for (const auto& [reason, count] : out.drops) out.dropped += count;
  }
  return out;
}

nlohmann::json AoReport::to_json() const {
  using nlohmann::json;
  json key_list = json::array();
  for (const auto& k : keys) {
    key_list.push_back({{"send_id", k.send_id},
                        {"recv_id", k.recv_id},
                        {"current", k.current},
                        {"good", k.good},
                        {"bad_mac", k.bad_mac}});
  }
  json drop_map = json::object();
  for (const auto& [reason, count] : drops) drop_map[reason] = count;
  json out = {{"backend", backend},
              {"state", state},
              {"generation", generation},
              {"keys", std::move(key_list)},
              {"good", good},
              {"bad_mac", bad_mac},
              {"key_not_found", key_not_found},
              {"ao_required_missing", ao_required_missing},
              {"mac_failures", mac_failures()},
              {"drops", std::move(drop_map)},
              {"dropped", dropped}};
  if (last_error) out["last_error"] = *last_error;
  return out;
}

}  // namespace injector
