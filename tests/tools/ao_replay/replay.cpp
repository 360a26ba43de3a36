#include "tests/tools/ao_replay/replay.hpp"

#include <algorithm>

#include "aotls/segment/packet.hpp"
#include "aotls/segment/sne.hpp"

namespace ao_replay {
namespace {

namespace us = aotls::backend::userspace;

// The SNE the engine verifies `view` with (Connection::verify): 0 for a SYN,
// else relative to the receive reference (RFC 5925 section 6.2).
std::uint32_t expected_sne(const us::Connection& connection,
                           const aotls::segment::PacketView& view) {
  const auto reference = connection.receive_sne();
  if ((view.flags() & aotls::segment::kTcpFlagSyn) != 0 || !reference) return 0;
  return aotls::segment::sne_for(view.seq(), *reference);
}

}  // namespace

std::string endpoint_text(const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

common::Expected<Replay, std::string> Replay::create(const std::vector<aotls::keys::Mkt>& keys,
                                                     const std::vector<ReplayEndpoint>& endpoints,
                                                     const std::string& keys_path) {
  if (keys.empty()) return common::Unexpected(keys_path + ": no keys");
  Replay replay;
  for (const ReplayEndpoint& e : endpoints) {
    Endpoint endpoint{e.tuple, std::make_unique<us::UserspaceTcpAo>(), 0, {}};
    endpoint.socket = endpoint.engine->open_connection(e.tuple);
    us::KeyRing& ring = *endpoint.engine->keys(endpoint.socket);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (const std::error_code ec =
              ring.add_key(aotls::backend::PeerPrefix::host(e.tuple.remote_addr), keys[i])) {
        return common::Unexpected(keys_path + ": /keys/" + std::to_string(i) +
                                  ": the engine refuses this key: " + ec.message());
      }
    }
    // The sender's choice of key does not matter for verification, but a
    // connection socket has both (Linux sets them at connect()).
    if (const std::error_code ec = ring.set_current(keys.front().send_id)) {
      return common::Unexpected(keys_path + ": /keys/0: " + ec.message());
    }
    if (const std::error_code ec = ring.set_rnext(keys.front().recv_id)) {
      return common::Unexpected(keys_path + ": /keys/0: " + ec.message());
    }
    if (const std::error_code ec = endpoint.engine->repair(endpoint.socket, e.repair)) {
      return common::Unexpected("repair of " + endpoint_text(e.local_text, e.tuple.local_port) +
                                ": " + ec.message());
    }
    endpoint.report.local = e.local_text;
    endpoint.report.local_port = e.tuple.local_port;
    endpoint.report.remote = e.remote_text;
    endpoint.report.remote_port = e.tuple.remote_port;
    endpoint.report.final_receive_sne = e.repair.receive.sne;
    replay.endpoints_.push_back(std::move(endpoint));
  }
  return replay;
}

void Replay::feed(std::uint64_t frame, std::span<const std::uint8_t> ip) {
  if (us::classify(ip) != us::Payload::Tcp) return;
  auto view = aotls::segment::PacketView::parse(ip);
  if (!view) return;
  const us::FlowTuple tuple = us::flow_of(*view, us::PacketDirection::Inbound);
  const auto it = std::find_if(endpoints_.begin(), endpoints_.end(),
                               [&](const Endpoint& e) { return e.tuple == tuple; });
  if (it == endpoints_.end()) return;
  Endpoint& e = *it;
  const us::Connection& connection = *e.engine->connection(e.socket);
  const std::uint32_t sne = expected_sne(connection, *view);
  const std::uint32_t seq = view->seq();
  scratch_.assign(ip.begin(), ip.end());
  const us::Verdict verdict = e.engine->inbound(scratch_);
  EndpointReport& r = e.report;
  ++r.total;
  if (verdict.accepted()) {
    ++r.verified;
    r.min_sne = std::min(r.min_sne.value_or(sne), sne);
    r.max_sne = std::max(r.max_sne.value_or(sne), sne);
  } else if (r.failures.size() < kMaxFailures) {
    r.failures.push_back({frame, seq, sne, std::string(us::to_string(verdict.reason))});
  } else {
    ++r.failures_omitted;
  }
  if (const auto reference = connection.receive_sne()) r.final_receive_sne = reference->sne;
}

std::vector<EndpointReport> Replay::reports() const {
  std::vector<EndpointReport> out;
  out.reserve(endpoints_.size());
  for (const Endpoint& e : endpoints_) out.push_back(e.report);
  return out;
}

}  // namespace ao_replay
