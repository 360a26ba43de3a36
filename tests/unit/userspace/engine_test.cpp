// Two user-space engines talking: round trips for IPv4/IPv6, both
// algorithms, options included/excluded; drops and their counters; the
// RNextKeyID rule; option-space handling on real segments.
#include <gtest/gtest.h>

#include "aotls/segment/packet.hpp"
#include "pair_fixture.hpp"

namespace aotls::backend::userspace::testing {
namespace {

struct AoFields {
  std::uint8_t key_id;
  std::uint8_t rnext_key_id;
};

// The TCP-AO option of a wire packet, found by walking the options here.
std::optional<AoFields> ao_of(const std::vector<std::uint8_t>& packet) {
  const auto options = tcp_options(packet);
  for (std::size_t i = 0; i < options.size();) {
    if (options[i] == 0) break;
    if (options[i] == 1) {
      ++i;
      continue;
    }
    if (options[i] == 29 && options[i + 1] == 16) return AoFields{options[i + 2], options[i + 3]};
    i += options[i + 1];
  }
  return std::nullopt;
}

std::optional<KeyCounters> counters_of(KeyRing& ring, keys::KeyId recv_id) {
  const auto all = ring.key_counters();
  EXPECT_TRUE(all.has_value());
  for (const auto& k : *all) {
    if (k.recv_id == recv_id) return k;
  }
  ADD_FAILURE() << "no key with RecvID " << int{recv_id};
  return std::nullopt;
}

std::uint64_t good_of(KeyRing& ring, keys::KeyId recv_id) {
  const auto k = counters_of(ring, recv_id);
  return k ? k->good : 0;
}

std::uint64_t bad_of(KeyRing& ring, keys::KeyId recv_id) {
  const auto k = counters_of(ring, recv_id);
  return k ? k->bad_mac : 0;
}

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(seed + i);
  return out;
}

class EngineRoundTrip : public ::testing::TestWithParam<PairParams> {
 protected:
  EnginePair pair{GetParam()};
};

TEST_P(EngineRoundTrip, HandshakeAndDataBothWaysAreSignedVerifiedAndStripped) {
  pair.handshake(1000, 5000);
  for (int round = 0; round < 3; ++round) {
    const auto c_plain = build(pair.from_client(kAck | kPsh, bytes(100 + round, 1)));
    const Trip c = pair.client_to_server(c_plain);
    ASSERT_EQ(c.sent.kind, VerdictKind::AcceptRewritten);
    ASSERT_EQ(c.received.kind, VerdictKind::AcceptRewritten) << to_string(c.received.reason);
    EXPECT_EQ(c.wire.size(), c_plain.size() + 16);
    EXPECT_TRUE(checksums_valid(c.wire));
    const auto ao = ao_of(c.wire);
    ASSERT_TRUE(ao.has_value());
    EXPECT_EQ(ao->key_id, EnginePair::kClientSendId);
    EXPECT_EQ(ao->rnext_key_id, EnginePair::kServerSendId);
    // What the server's kernel gets is exactly what the client's wrote.
    EXPECT_EQ(c.delivered, c_plain);
    pair.client_next += static_cast<std::uint32_t>(100 + round);

    const auto s_plain = build(pair.from_server(kAck | kPsh, bytes(50, 9)));
    const Trip s = pair.server_to_client(s_plain);
    ASSERT_EQ(s.sent.kind, VerdictKind::AcceptRewritten) << to_string(s.sent.reason);
    ASSERT_EQ(s.received.kind, VerdictKind::AcceptRewritten) << to_string(s.received.reason);
    EXPECT_TRUE(checksums_valid(s.wire));
    ASSERT_TRUE(ao_of(s.wire).has_value());
    EXPECT_EQ(ao_of(s.wire)->key_id, EnginePair::kServerSendId);
    EXPECT_EQ(ao_of(s.wire)->rnext_key_id, EnginePair::kClientSendId);
    EXPECT_EQ(s.delivered, s_plain);
    pair.server_next += 50;
  }
  // SYN + ACK + 3 data segments verified with key 1 at the server (the SYN
  // on the listener's key, the rest on the accepted connection's); SYN-ACK
  // + 3 data at the client with key 2.
  EXPECT_EQ(good_of(pair.listener_keys(), 1), 1u);
  EXPECT_EQ(good_of(pair.server_keys(), 1), 5u);
  EXPECT_EQ(good_of(pair.client_keys(), 2), 4u);
  const auto status = pair.server_keys().status();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->current_key_id, EnginePair::kServerSendId);
  EXPECT_EQ(status->rnext_key_id, EnginePair::kClientSendId);
  EXPECT_EQ(status->key_not_found + status->ao_required_missing + status->icmp_ignored, 0u);
}

TEST_P(EngineRoundTrip, FlippedCoveredByteIsDroppedAndCountedUncoveredStillVerifies) {
  pair.handshake(1, 2);
  const auto plain = build(pair.from_client(kAck | kPsh, bytes(64, 3)));
  Trip t = pair.client_to_server(plain);
  ASSERT_EQ(t.received.kind, VerdictKind::AcceptRewritten);
  const std::uint64_t good_before = good_of(pair.server_keys(), 1);

  std::vector<std::uint8_t> tampered = t.wire;
  tampered[tampered.size() - 10] ^= 0x01;  // a payload byte
  EXPECT_EQ(pair.server.inbound(tampered), Verdict::drop(DropReason::BadMac));
  EXPECT_EQ(bad_of(pair.server_keys(), 1), 1u);

  // Time to live / hop limit is outside the MAC (RFC 5925 section 5.1).
  std::vector<std::uint8_t> hop = t.wire;
  hop[pair.params.ipv6 ? 7 : 8] = 3;
  EXPECT_EQ(pair.server.inbound(hop).kind, VerdictKind::AcceptRewritten);
  EXPECT_TRUE(checksums_valid(hop));
  EXPECT_EQ(good_of(pair.server_keys(), 1), good_before + 1);
}

TEST_P(EngineRoundTrip, UnknownKeyIdIsKeyNotFound) {
  pair.handshake(1, 2);
  Trip t = pair.client_to_server(build(pair.from_client(kAck, bytes(10, 1))));
  std::vector<std::uint8_t> wire = t.wire;
  const std::size_t ao_at = tcp_offset(wire) + tcp_header_len(wire) - 16;
  ASSERT_EQ(wire[ao_at], 29);
  wire[ao_at + 2] = 77;
  EXPECT_EQ(pair.server.inbound(wire), Verdict::drop(DropReason::KeyNotFound));
  EXPECT_EQ(pair.server_keys().status()->key_not_found, 1u);
}

TEST_P(EngineRoundTrip, PlainSegmentOnProtectedFlowIsDroppedAndCounted) {
  pair.handshake(1, 2);
  // An injected segment without TCP-AO (e.g. a spoofed RST).
  std::vector<std::uint8_t> rst = build(pair.from_client(kRst));
  EXPECT_EQ(pair.server.inbound(rst), Verdict::drop(DropReason::AoRequiredMissing));
  EXPECT_EQ(pair.server_keys().status()->ao_required_missing, 1u);
  std::vector<std::uint8_t> data = build(pair.from_server(kAck, bytes(5, 1)));
  EXPECT_EQ(pair.client.inbound(data), Verdict::drop(DropReason::AoRequiredMissing));
  EXPECT_EQ(pair.client_keys().status()->ao_required_missing, 1u);
}

TEST_P(EngineRoundTrip, PlainSynToProtectedListenerIsDroppedAndCounted) {
  TcpSpec syn = pair.from_client(kSyn);
  syn.options = mss_option(1460);
  std::vector<std::uint8_t> packet = build(syn);
  EXPECT_EQ(pair.server.inbound(packet), Verdict::drop(DropReason::AoRequiredMissing));
  EXPECT_EQ(pair.listener_keys().status()->ao_required_missing, 1u);
  EXPECT_FALSE(pair.server.find_connection(
      {pair.server_addr, pair.client_addr, EnginePair::kServerPort, EnginePair::kClientPort}));
}

TEST_P(EngineRoundTrip, SynMssIsLoweredByTheOptionLengthBothWays) {
  pair.client_next = 7;
  TcpSpec syn = pair.from_client(kSyn);
  syn.options = concat({mss_option(1460), {4, 2, 1, 1}});
  const Trip t = pair.client_to_server(build(syn));
  ASSERT_EQ(t.received.kind, VerdictKind::AcceptRewritten);
  const auto wire_options = tcp_options(t.wire);
  EXPECT_EQ(std::vector<std::uint8_t>(wire_options.begin(), wire_options.begin() + 4),
            mss_option(1460 - 16));
  EXPECT_EQ(tcp_options(t.delivered), concat({mss_option(1460 - 32), {4, 2, 1, 1}}));
  EXPECT_TRUE(checksums_valid(t.wire));
  EXPECT_TRUE(checksums_valid(t.delivered));
}

TEST_P(EngineRoundTrip, RNextKeyIdSwitchesTheSendKey) {
  pair.handshake(100, 200);
  // Generation 2 on both sides: c(2) = 3, s(2) = 4.
  const auto server = PeerPrefix::host(pair.server_addr);
  const auto client = PeerPrefix::host(pair.client_addr);
  ASSERT_FALSE(pair.client_keys().add_key(server, make_mkt(3, 3, pair.params, 0x33)));
  ASSERT_FALSE(pair.client_keys().add_key(server, make_mkt(4, 4, pair.params, 0x44)));
  ASSERT_FALSE(pair.server_keys().add_key(client, make_mkt(4, 4, pair.params, 0x44)));
  ASSERT_FALSE(pair.server_keys().add_key(client, make_mkt(3, 3, pair.params, 0x33)));

  // Forcing one's own send key is not how a rollover starts (profile s4);
  // asking is: the client wants to receive s(2) next.
  ASSERT_FALSE(pair.client_keys().set_rnext(4));
  Trip ask = pair.client_to_server(build(pair.from_client(kAck, bytes(10, 1))));
  ASSERT_EQ(ask.received.kind, VerdictKind::AcceptRewritten);
  EXPECT_EQ(ao_of(ask.wire)->key_id, 1);
  EXPECT_EQ(ao_of(ask.wire)->rnext_key_id, 4);
  pair.client_next += 10;
  EXPECT_EQ(pair.server_keys().status()->current_key_id, 4);

  Trip answer = pair.server_to_client(build(pair.from_server(kAck, bytes(10, 2))));
  ASSERT_EQ(answer.received.kind, VerdictKind::AcceptRewritten)
      << to_string(answer.received.reason);
  EXPECT_EQ(ao_of(answer.wire)->key_id, 4);
  EXPECT_EQ(good_of(pair.client_keys(), 4), 1u);
  pair.server_next += 10;

  // The server asks for c(2) in turn; the client switches.
  ASSERT_FALSE(pair.server_keys().set_rnext(3));
  Trip ask2 = pair.server_to_client(build(pair.from_server(kAck, bytes(3, 3))));
  ASSERT_EQ(ask2.received.kind, VerdictKind::AcceptRewritten);
  EXPECT_EQ(pair.client_keys().status()->current_key_id, 3);
  pair.server_next += 3;
  // A retransmission leaves with the key current when it leaves.
  const auto retransmit = build(pair.from_client(kAck, bytes(4, 4)));
  Trip r = pair.client_to_server(retransmit);
  EXPECT_EQ(ao_of(r.wire)->key_id, 3);
  EXPECT_EQ(r.received.kind, VerdictKind::AcceptRewritten);

  // An RNextKeyID with no matching send key changes nothing.
  ASSERT_FALSE(pair.client_keys().set_rnext(2));
  ASSERT_FALSE(pair.server_keys().delete_key(client, 2, 2, KeyReplacement{4, std::nullopt}));
  Trip stale = pair.client_to_server(build(pair.from_client(kAck, bytes(4, 5))));
  ASSERT_EQ(stale.received.kind, VerdictKind::AcceptRewritten);
  EXPECT_EQ(pair.server_keys().status()->current_key_id, 4);
}

TEST_P(EngineRoundTrip, TamperedSegmentDoesNotSwitchTheSendKey) {
  pair.handshake(100, 200);
  ASSERT_FALSE(pair.server_keys().add_key(PeerPrefix::host(pair.client_addr),
                                          make_mkt(4, 4, pair.params, 0x44)));
  ASSERT_FALSE(pair.client_keys().add_key(PeerPrefix::host(pair.server_addr),
                                          make_mkt(4, 4, pair.params, 0x44)));
  ASSERT_FALSE(pair.client_keys().set_rnext(4));
  Trip t = pair.client_to_server(build(pair.from_client(kAck, bytes(10, 1))));
  // (the honest copy already switched the server; reset and replay a forgery)
  ASSERT_FALSE(pair.server_keys().set_current(2));
  std::vector<std::uint8_t> forged = t.wire;
  forged.back() ^= 0x80;
  EXPECT_EQ(pair.server.inbound(forged), Verdict::drop(DropReason::BadMac));
  EXPECT_EQ(pair.server_keys().status()->current_key_id, 2);
}

TEST_P(EngineRoundTrip, SackTrimmedWhenTimestampsSackAndAoExceed40Bytes) {
  pair.handshake(10, 20);
  TcpSpec ack = pair.from_client(kAck);
  ack.options = concat({timestamps_option(5, 6), sack_option(3)});  // 40 bytes
  const auto plain = build(ack);
  const Trip t = pair.client_to_server(plain);
  ASSERT_EQ(t.sent.kind, VerdictKind::AcceptRewritten);
  ASSERT_EQ(t.received.kind, VerdictKind::AcceptRewritten) << to_string(t.received.reason);
  EXPECT_EQ(tcp_header_len(t.wire), 60u);
  EXPECT_TRUE(checksums_valid(t.wire));
  const auto three = sack_option(3);
  const auto kept = concat({timestamps_option(5, 6),
                            {1, 1, 5, 10},
                            std::vector<std::uint8_t>(three.begin() + 4, three.begin() + 12)});
  EXPECT_EQ(tcp_options(t.delivered), kept);
  EXPECT_TRUE(checksums_valid(t.delivered));
}

TEST_P(EngineRoundTrip, OptionsThatCannotFitAreDropped) {
  pair.handshake(10, 20);
  TcpSpec ack = pair.from_client(kAck);
  ack.options =
      concat({timestamps_option(5, 6), {253, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}});
  std::vector<std::uint8_t> packet = build(ack);
  EXPECT_EQ(pair.client.outbound(packet), Verdict::drop(DropReason::OptionSpace));
}

INSTANTIATE_TEST_SUITE_P(AllCombinations, EngineRoundTrip, ::testing::ValuesIn(all_pair_params()),
                         pair_param_name);

TEST(EngineFlows, UnprotectedFlowPassesUnchanged) {
  EnginePair pair(PairParams{});
  TcpSpec other = pair.from_client(kSyn);
  other.dst_port = 22;
  const auto original = build(other);
  std::vector<std::uint8_t> out = original;
  EXPECT_EQ(pair.client.outbound(out), Verdict::accept());
  EXPECT_EQ(out, original);
  TcpSpec in = pair.from_server(kSyn);
  in.src_port = 22;
  std::vector<std::uint8_t> in_packet = build(in);
  EXPECT_EQ(pair.client.inbound(in_packet), Verdict::accept());
}

TEST(EngineFlows, TruncatedPacketIsDroppedFailClosed) {
  EnginePair pair(PairParams{});
  pair.handshake(1, 2);
  std::vector<std::uint8_t> packet = build(pair.from_server(kAck));
  packet.resize(30);
  EXPECT_EQ(pair.client.inbound(packet), Verdict::drop(DropReason::Malformed));
  std::vector<std::uint8_t> garbage{0x00, 0x01};
  EXPECT_EQ(pair.client.outbound(garbage), Verdict::drop(DropReason::Malformed));
}

TEST(EngineFlows, AoSegmentForNoConnectionIsDropped) {
  EnginePair pair(PairParams{});
  pair.handshake(1, 2);
  Trip t = pair.client_to_server(build(pair.from_client(kAck, bytes(3, 1))));
  UserspaceTcpAo stranger;
  std::vector<std::uint8_t> wire = t.wire;
  EXPECT_EQ(stranger.inbound(wire), Verdict::drop(DropReason::NoConnection));
}

TEST(EngineFlows, SegmentBeforeTheHandshakeCannotBeSigned) {
  EnginePair pair(PairParams{});
  std::vector<std::uint8_t> data = build(pair.from_client(kAck, bytes(3, 1)));
  EXPECT_EQ(pair.client.outbound(data), Verdict::drop(DropReason::NotSynchronized));
}

TEST(EngineFlows, AcceptedConnectionFallsBackToNewestKeyWhenSynAsksForNone) {
  EnginePair pair(PairParams{});
  // The listener holds no send key with SendID 2 (what the client's SYN
  // asks for): Current_key becomes the newest key for the peer, as Linux's
  // accept() does, and the SYN-ACK is still signed.
  UserspaceTcpAo server;
  const SocketId listener = server.open_listener(pair.server_addr, EnginePair::kServerPort);
  const auto client = PeerPrefix::host(pair.client_addr);
  ASSERT_FALSE(server.keys(listener)->add_key(client, make_mkt(1, 1, pair.params, 0x11)));
  ASSERT_FALSE(server.keys(listener)->add_key(client, make_mkt(7, 7, pair.params, 0x77)));
  TcpSpec syn = pair.from_client(kSyn);
  std::vector<std::uint8_t> packet = build(syn);
  ASSERT_EQ(pair.client.outbound(packet).kind, VerdictKind::AcceptRewritten);
  ASSERT_EQ(server.inbound(packet).kind, VerdictKind::AcceptRewritten);
  pair.client_next += 1;
  std::vector<std::uint8_t> syn_ack = build(pair.from_server(kSyn | kAck));
  ASSERT_EQ(server.outbound(syn_ack).kind, VerdictKind::AcceptRewritten);
  ASSERT_TRUE(ao_of(syn_ack).has_value());
  EXPECT_EQ(ao_of(syn_ack)->key_id, 7);
  EXPECT_EQ(ao_of(syn_ack)->rnext_key_id, 1);  // the KeyID the SYN came with
}

TEST(EngineFlows, ProcessCopiesAndRunsTheDirectionsPath) {
  EnginePair pair(PairParams{});
  TcpSpec syn = pair.from_client(kSyn);
  const std::vector<std::uint8_t> plain = build(syn);
  std::vector<std::uint8_t> wire;
  ASSERT_EQ(pair.client.process(PacketDirection::Outbound, plain, wire).kind,
            VerdictKind::AcceptRewritten);
  EXPECT_EQ(wire.size(), plain.size() + 16);
  std::vector<std::uint8_t> delivered;
  ASSERT_EQ(pair.server.process(PacketDirection::Inbound, wire, delivered).kind,
            VerdictKind::AcceptRewritten);
  EXPECT_EQ(delivered, plain);
}

TEST(EngineFlows, InboundMssKeptWhenConfigured) {
  EngineOptions options;
  options.lower_inbound_mss = false;
  EnginePair pair(PairParams{}, options);
  TcpSpec syn = pair.from_client(kSyn);
  syn.options = mss_option(1460);
  const Trip t = pair.client_to_server(build(syn));
  ASSERT_EQ(t.received.kind, VerdictKind::AcceptRewritten);
  EXPECT_EQ(tcp_options(t.delivered), mss_option(1444));
}

}  // namespace
}  // namespace aotls::backend::userspace::testing
