// SNE across the 2^32 wrap in both directions, checked against an MAC
// computed independently with aotls/segment, and ICMP handling (RFC 5925
// section 7.8).
#include <gtest/gtest.h>

#include "aotls/crypto/mac.hpp"
#include "aotls/segment/segment_mac.hpp"
#include "aotls/segment/traffic_keys.hpp"
#include "pair_fixture.hpp"

namespace aotls::backend::userspace::testing {
namespace {

std::vector<std::uint8_t> payload(std::size_t n) {
  return std::vector<std::uint8_t>(n, 0x42);
}

// Verifies `wire` with the "other" traffic key of `mkt` derived here from the
// connection's parameters, under an explicit SNE.
bool verifies_with_sne(const std::vector<std::uint8_t>& wire, const keys::Mkt& mkt,
                       const segment::ConnectionId& receiver, std::uint32_t sne) {
  auto keys = segment::derive_traffic_keys(mkt.params.kdf, mkt.secret.bytes(), receiver);
  if (!keys) return false;
  auto mac = crypto::MacContext::create(mkt.params.mac, keys->receive_other.bytes());
  if (!mac) return false;
  return segment::verify(wire, *mac, mkt.params.include_options, sne).has_value();
}

enum class Sender { Client, Server };

class SneWrap : public ::testing::TestWithParam<Sender> {};

TEST_P(SneWrap, SegmentsAcrossTheWrapUseSneOneAndOldRetransmissionsSneZero) {
  const bool client_sends = GetParam() == Sender::Client;
  PairParams params;
  EnginePair pair(params);
  const std::uint32_t near_top = 0xffffff00u;
  pair.handshake(client_sends ? near_top : 1000, client_sends ? 1000 : near_top);

  auto send = [&](std::size_t len) {
    const auto plain = client_sends ? build(pair.from_client(kAck | kPsh, payload(len)))
                                    : build(pair.from_server(kAck | kPsh, payload(len)));
    Trip t = client_sends ? pair.client_to_server(plain) : pair.server_to_client(plain);
    (client_sends ? pair.client_next : pair.server_next) += static_cast<std::uint32_t>(len);
    return t;
  };
  // 0xffffff01 .. : the 200-byte segment straddles the wrap, the next one
  // starts after it.
  const Trip before = send(100);
  const Trip straddling = send(200);
  const Trip after = send(100);
  for (const Trip* t : {&before, &straddling, &after}) {
    ASSERT_EQ(t->received.kind, VerdictKind::AcceptRewritten) << to_string(t->received.reason);
  }

  // The receiver's view of the connection, to derive its traffic keys here.
  const segment::ConnectionId receiver = client_sends
                                             ? segment::ConnectionId{pair.server_addr,
                                                                     pair.client_addr,
                                                                     EnginePair::kServerPort,
                                                                     EnginePair::kClientPort,
                                                                     1000,
                                                                     near_top}
                                             : segment::ConnectionId{pair.client_addr,
                                                                     pair.server_addr,
                                                                     EnginePair::kClientPort,
                                                                     EnginePair::kServerPort,
                                                                     1000,
                                                                     near_top};
  const keys::Mkt mkt = client_sends ? make_mkt(1, 1, params, 0x11) : make_mkt(2, 2, params, 0x22);
  // Sequence numbers 0xffffff01 and 0xffffff65 precede the wrap: SNE 0.
  EXPECT_TRUE(verifies_with_sne(before.wire, mkt, receiver, 0));
  EXPECT_TRUE(verifies_with_sne(straddling.wire, mkt, receiver, 0));
  // 0x0000002d follows it: SNE 1, and not 0.
  EXPECT_TRUE(verifies_with_sne(after.wire, mkt, receiver, 1));
  EXPECT_FALSE(verifies_with_sne(after.wire, mkt, receiver, 0));

  const UserspaceTcpAo& sender_engine = client_sends ? pair.client : pair.server;
  const UserspaceTcpAo& receiver_engine = client_sends ? pair.server : pair.client;
  const FlowTuple sender_flow = client_sends
                                    ? FlowTuple{pair.client_addr, pair.server_addr,
                                                EnginePair::kClientPort, EnginePair::kServerPort}
                                    : FlowTuple{pair.server_addr, pair.client_addr,
                                                EnginePair::kServerPort, EnginePair::kClientPort};
  const FlowTuple receiver_flow{sender_flow.remote_addr, sender_flow.local_addr,
                                sender_flow.remote_port, sender_flow.local_port};
  const Connection* s = sender_engine.connection(*sender_engine.find_connection(sender_flow));
  const Connection* r = receiver_engine.connection(*receiver_engine.find_connection(receiver_flow));
  ASSERT_NE(s, nullptr);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(s->send_sne()->sne, 1u);
  EXPECT_EQ(r->receive_sne()->sne, 1u);

  // A retransmission of the pre-wrap segment, delivered after the wrap, is
  // still signed and verified with SNE 0.
  auto& next = client_sends ? pair.client_next : pair.server_next;
  const std::uint32_t saved = next;
  next = near_top + 1;
  const Trip again = send(100);
  next = saved;
  ASSERT_EQ(again.received.kind, VerdictKind::AcceptRewritten) << to_string(again.received.reason);
  EXPECT_TRUE(verifies_with_sne(again.wire, mkt, receiver, 0));
  EXPECT_EQ(again.delivered, before.delivered);
}

INSTANTIATE_TEST_SUITE_P(BothDirections, SneWrap, ::testing::Values(Sender::Client, Sender::Server),
                         [](const auto& param_info) {
                           return param_info.param == Sender::Client ? "ClientToServer"
                                                                     : "ServerToClient";
                         });

class Icmp : public ::testing::TestWithParam<bool> {
 protected:
  EnginePair pair{PairParams{GetParam(), crypto::MacAlgorithm::HmacSha1_96, false}};
  bool v6() const { return GetParam(); }
  // An error from the server's side about a segment the client sent.
  std::vector<std::uint8_t> error_to_client(std::uint8_t type, std::uint8_t code) {
    const auto quoted = build(pair.from_client(kAck, payload(20)));
    return icmp_error(pair.server_addr, pair.client_addr, type, code, quoted);
  }
  std::uint8_t unreachable() const { return v6() ? 1 : 3; }
  std::uint8_t port_unreachable() const { return v6() ? 4 : 3; }
};

TEST_P(Icmp, HardErrorForSynchronizedConnectionIsDroppedAndCounted) {
  pair.handshake(1, 2);
  std::vector<std::uint8_t> icmp = error_to_client(unreachable(), port_unreachable());
  EXPECT_EQ(pair.client.inbound(icmp), Verdict::drop(DropReason::IcmpIgnored));
  EXPECT_EQ(pair.client_keys().status()->icmp_ignored, 1u);
  // Every code of RFC 5925 section 7.8's list.
  for (std::uint8_t code :
       v6() ? std::vector<std::uint8_t>{1, 4} : std::vector<std::uint8_t>{2, 3, 4}) {
    std::vector<std::uint8_t> e = error_to_client(unreachable(), code);
    EXPECT_EQ(pair.client.inbound(e), Verdict::drop(DropReason::IcmpIgnored));
  }
  EXPECT_EQ(pair.client_keys().status()->icmp_ignored, v6() ? 3u : 4u);
}

TEST_P(Icmp, OtherCodesOtherFlowsAndUnsynchronizedConnectionsPass) {
  // Host unreachable (v4 code 1) / no route (v6 code 0) is not in the list.
  pair.handshake(1, 2);
  std::vector<std::uint8_t> other_code = error_to_client(unreachable(), v6() ? 0 : 1);
  EXPECT_EQ(pair.client.inbound(other_code), Verdict::accept());
  auto quoted = pair.from_client(kAck);
  quoted.src_port = 999;
  std::vector<std::uint8_t> other_flow = icmp_error(
      pair.server_addr, pair.client_addr, unreachable(), port_unreachable(), build(quoted));
  EXPECT_EQ(pair.client.inbound(other_flow), Verdict::accept());
  EXPECT_EQ(pair.client_keys().status()->icmp_ignored, 0u);

  EnginePair fresh{PairParams{v6(), crypto::MacAlgorithm::HmacSha1_96, false}};
  TcpSpec syn = fresh.from_client(kSyn);
  std::vector<std::uint8_t> syn_packet = build(syn);
  ASSERT_EQ(fresh.client.outbound(syn_packet).kind, VerdictKind::AcceptRewritten);
  std::vector<std::uint8_t> during_handshake = icmp_error(
      fresh.server_addr, fresh.client_addr, unreachable(), port_unreachable(), build(syn));
  EXPECT_EQ(fresh.client.inbound(during_handshake), Verdict::accept());
}

TEST_P(Icmp, AcceptIcmpsOptionLetsThemThrough) {
  EngineOptions options;
  options.accept_icmps = true;
  EnginePair lenient(PairParams{v6(), crypto::MacAlgorithm::HmacSha1_96, false}, options);
  lenient.handshake(1, 2);
  const auto quoted = build(lenient.from_client(kAck));
  std::vector<std::uint8_t> icmp = icmp_error(lenient.server_addr, lenient.client_addr,
                                              unreachable(), port_unreachable(), quoted);
  EXPECT_EQ(lenient.client.inbound(icmp), Verdict::accept());
}

INSTANTIATE_TEST_SUITE_P(IpVersions, Icmp, ::testing::Values(false, true),
                         [](const auto& param_info) {
                           return param_info.param ? "ICMPv6" : "ICMPv4";
                         });

}  // namespace
}  // namespace aotls::backend::userspace::testing
