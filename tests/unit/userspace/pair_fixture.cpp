#include "pair_fixture.hpp"

#include <algorithm>

namespace aotls::backend::userspace::testing {
namespace {

Trip trip(UserspaceTcpAo& from, UserspaceTcpAo& to, const std::vector<std::uint8_t>& plain) {
  Trip t;
  t.wire = plain;
  t.sent = from.outbound(t.wire);
  t.delivered = t.wire;
  if (t.sent.accepted()) t.received = to.inbound(t.delivered);
  return t;
}

}  // namespace

void PrintTo(const PairParams& params, std::ostream* os) {
  *os << pair_param_name(::testing::TestParamInfo<PairParams>(params, 0));
}

std::string pair_param_name(const ::testing::TestParamInfo<PairParams>& info) {
  const PairParams& p = info.param;
  return std::string(p.ipv6 ? "IPv6" : "IPv4") +
         (p.mac == crypto::MacAlgorithm::HmacSha1_96 ? "_HmacSha1" : "_AesCmac") +
         (p.include_options ? "_OptionsIncluded" : "_OptionsExcluded");
}

std::vector<PairParams> all_pair_params() {
  std::vector<PairParams> out;
  for (bool v6 : {false, true}) {
    for (auto mac : {crypto::MacAlgorithm::HmacSha1_96, crypto::MacAlgorithm::AesCmac128_96}) {
      for (bool opts : {false, true}) out.push_back({v6, mac, opts});
    }
  }
  return out;
}

keys::Mkt make_mkt(keys::KeyId send_id, keys::KeyId recv_id, const PairParams& params,
                   std::uint8_t secret_seed) {
  std::vector<std::uint8_t> secret(32);
  for (std::size_t i = 0; i < secret.size(); ++i) {
    secret[i] = static_cast<std::uint8_t>(secret_seed + i * 7);
  }
  keys::Mkt mkt;
  mkt.send_id = send_id;
  mkt.recv_id = recv_id;
  mkt.params.include_options = params.include_options;
  mkt.params.mac = params.mac;
  mkt.params.kdf = crypto::algorithm_row(params.mac).kdf;
  mkt.secret = crypto::Secret(secret);
  mkt.generation = 1;
  return mkt;
}

EnginePair::EnginePair(const PairParams& p, EngineOptions options)
    : client_addr(ip(p.ipv6 ? "2001:db8::1" : "192.0.2.1")),
      server_addr(ip(p.ipv6 ? "2001:db8::2" : "192.0.2.2")),
      params(p),
      client(options),
      server(options) {
  client_socket = client.open_connection({client_addr, server_addr, kClientPort, kServerPort});
  listener_socket = server.open_listener(ip(p.ipv6 ? "::" : "0.0.0.0"), kServerPort);
  // Profile section 3's layout: the c2s secret is keyed 1/1 on both sides,
  // the s2c secret 2/2.
  KeyRing& c = client_keys();
  EXPECT_FALSE(c.add_key(PeerPrefix::host(server_addr), make_mkt(1, 1, p, 0x11)));
  EXPECT_FALSE(c.add_key(PeerPrefix::host(server_addr), make_mkt(2, 2, p, 0x22)));
  EXPECT_FALSE(c.set_current(kClientSendId));
  EXPECT_FALSE(c.set_rnext(kServerSendId));
  KeyRing& l = listener_keys();
  EXPECT_FALSE(l.add_key(PeerPrefix::host(client_addr), make_mkt(2, 2, p, 0x22)));
  EXPECT_FALSE(l.add_key(PeerPrefix::host(client_addr), make_mkt(1, 1, p, 0x11)));
}

KeyRing& EnginePair::server_keys() {
  const auto id = server.find_connection({server_addr, client_addr, kServerPort, kClientPort});
  EXPECT_TRUE(id.has_value());
  return *server.keys(*id);
}

TcpSpec EnginePair::from_client(std::uint8_t flags, std::vector<std::uint8_t> payload) const {
  TcpSpec s{client_addr,       server_addr, kClientPort, kServerPort,
            client_next,       server_next, flags,       timestamps_option(100, 200),
            std::move(payload)};
  return s;
}

TcpSpec EnginePair::from_server(std::uint8_t flags, std::vector<std::uint8_t> payload) const {
  TcpSpec s{server_addr,       client_addr, kServerPort, kClientPort,
            server_next,       client_next, flags,       timestamps_option(300, 100),
            std::move(payload)};
  return s;
}

Trip EnginePair::client_to_server(const std::vector<std::uint8_t>& plain) {
  return trip(client, server, plain);
}

Trip EnginePair::server_to_client(const std::vector<std::uint8_t>& plain) {
  return trip(server, client, plain);
}

void EnginePair::handshake(std::uint32_t client_isn, std::uint32_t server_isn) {
  const auto syn_options =
      concat({mss_option(1460), {1, 3, 3, 7}, {4, 2}, {8, 10, 0, 0, 0, 100, 0, 0, 0, 0}});
  client_next = client_isn;
  TcpSpec syn = from_client(kSyn);
  syn.options = syn_options;
  const Trip t1 = client_to_server(build(syn));
  ASSERT_EQ(t1.sent.kind, VerdictKind::AcceptRewritten);
  ASSERT_EQ(t1.received.kind, VerdictKind::AcceptRewritten) << to_string(t1.received.reason);
  client_next = client_isn + 1;
  server_next = server_isn;
  TcpSpec syn_ack = from_server(kSyn | kAck);
  syn_ack.options = syn_options;
  const Trip t2 = server_to_client(build(syn_ack));
  ASSERT_EQ(t2.sent.kind, VerdictKind::AcceptRewritten) << to_string(t2.sent.reason);
  ASSERT_EQ(t2.received.kind, VerdictKind::AcceptRewritten) << to_string(t2.received.reason);
  server_next = server_isn + 1;
  const Trip t3 = client_to_server(build(from_client(kAck)));
  ASSERT_EQ(t3.sent.kind, VerdictKind::AcceptRewritten);
  ASSERT_EQ(t3.received.kind, VerdictKind::AcceptRewritten) << to_string(t3.received.reason);
}

}  // namespace aotls::backend::userspace::testing
