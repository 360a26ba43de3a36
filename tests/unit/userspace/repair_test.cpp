// UserspaceTcpAo::repair, the user-space TCP_AO_REPAIR: two engines whose
// connections are restored mid-stream (no handshake) just before the 2^32
// sequence wrap; segments signed by one must verify at the other across the
// wrap, under SNE 0 then 1 (RFC 5925 section 6.2), and only with the right
// ISNs and SNE.
#include <gtest/gtest.h>

#include "aotls/crypto/mac.hpp"
#include "aotls/segment/segment_mac.hpp"
#include "aotls/segment/traffic_keys.hpp"
#include "pair_fixture.hpp"

namespace aotls::backend::userspace::testing {
namespace {

constexpr std::uint32_t kSenderIsn = 0x12345678u;
constexpr std::uint32_t kReceiverIsn = 0x9abcdef0u;
constexpr std::uint32_t kNearWrap = 0xfffffe00u;  // 2^32 - 512
constexpr std::uint32_t kAckSeq = 5000;
constexpr std::uint16_t kSenderPort = 40011;
constexpr std::uint16_t kReceiverPort = 40010;
constexpr std::size_t kSegmentLen = 200;
constexpr int kSegments = 6;  // 1200 bytes from 2^32 - 512: crosses the wrap

// Both ends of one repaired connection, keyed with the profile's layout
// (1/1 carries sender -> receiver, 2/2 the other way).
class RepairedPair {
 public:
  explicit RepairedPair(const PairParams& p)
      : params(p),
        sender_addr(ip(p.ipv6 ? "2001:db8::11" : "127.0.0.2")),
        receiver_addr(ip(p.ipv6 ? "2001:db8::10" : "127.0.0.1")) {
    sender_socket = open(sender, {sender_addr, receiver_addr, kSenderPort, kReceiverPort}, 1, 2);
    receiver_socket =
        open(receiver, {receiver_addr, sender_addr, kReceiverPort, kSenderPort}, 2, 1);
    // The sender's side of TCP_AO_REPAIR: snd_una sits 512 bytes below
    // the wrap with SNE 0.
    EXPECT_FALSE(
        sender.repair(sender_socket, {kSenderIsn, kReceiverIsn, {0, kNearWrap}, {0, kAckSeq}}));
  }

  // The receiver restored with `state` (its own view: local = receiver).
  std::error_code repair_receiver(const ConnectionRepair& state) {
    return receiver.repair(receiver_socket, state);
  }
  static ConnectionRepair good_receiver_state() {
    return {kReceiverIsn, kSenderIsn, {0, kAckSeq}, {0, kNearWrap}};
  }

  // The sender's i-th data segment as its kernel would write it, signed.
  std::vector<std::uint8_t> signed_segment(int i) {
    const TcpSpec spec{sender_addr,
                       receiver_addr,
                       kSenderPort,
                       kReceiverPort,
                       kNearWrap + static_cast<std::uint32_t>(i * kSegmentLen),
                       kAckSeq,
                       kAck | kPsh,
                       timestamps_option(100, 200),
                       std::vector<std::uint8_t>(kSegmentLen, static_cast<std::uint8_t>(i))};
    std::vector<std::uint8_t> packet = build(spec);
    const Verdict sent = sender.outbound(packet);
    EXPECT_EQ(sent.kind, VerdictKind::AcceptRewritten) << to_string(sent.reason);
    return packet;
  }

  // The receiver's verdicts for `wire`, delivered in order.
  std::vector<Verdict> deliver(const std::vector<std::vector<std::uint8_t>>& wire) {
    std::vector<Verdict> out;
    for (std::vector<std::uint8_t> packet : wire) out.push_back(receiver.inbound(packet));
    return out;
  }

  const Connection& receiver_connection() const { return *receiver.connection(receiver_socket); }
  const Connection& sender_connection() const { return *sender.connection(sender_socket); }

  PairParams params;
  segment::IpAddress sender_addr, receiver_addr;
  UserspaceTcpAo sender, receiver;
  SocketId sender_socket = 0, receiver_socket = 0;

 private:
  SocketId open(UserspaceTcpAo& engine, const FlowTuple& tuple, keys::KeyId current,
                keys::KeyId rnext) {
    const SocketId id = engine.open_connection(tuple);
    KeyRing& ring = *engine.keys(id);
    EXPECT_FALSE(ring.add_key(PeerPrefix::host(tuple.remote_addr), make_mkt(1, 1, params, 0x11)));
    EXPECT_FALSE(ring.add_key(PeerPrefix::host(tuple.remote_addr), make_mkt(2, 2, params, 0x22)));
    EXPECT_FALSE(ring.set_current(current));
    EXPECT_FALSE(ring.set_rnext(rnext));
    return id;
  }
};

std::vector<std::vector<std::uint8_t>> signed_segments(RepairedPair& pair) {
  std::vector<std::vector<std::uint8_t>> wire;
  for (int i = 0; i < kSegments; ++i) wire.push_back(pair.signed_segment(i));
  return wire;
}

std::uint32_t seq_of(int i) {
  return kNearWrap + static_cast<std::uint32_t>(i * kSegmentLen);
}

// MAC check written apart from the engine: the receiver's "other" traffic
// key of MKT 1/1 for the repaired ISNs, under an explicit SNE.
bool verifies_with_sne(const std::vector<std::uint8_t>& wire, const RepairedPair& pair,
                       std::uint32_t sne) {
  const keys::Mkt mkt = make_mkt(1, 1, pair.params, 0x11);
  const segment::ConnectionId receiver{pair.receiver_addr, pair.sender_addr, kReceiverPort,
                                       kSenderPort,        kReceiverIsn,     kSenderIsn};
  auto keys = segment::derive_traffic_keys(mkt.params.kdf, mkt.secret.bytes(), receiver);
  if (!keys) return false;
  auto mac = crypto::MacContext::create(mkt.params.mac, keys->receive_other.bytes());
  if (!mac) return false;
  return segment::verify(wire, *mac, mkt.params.include_options, sne).has_value();
}

class RepairWrap : public ::testing::TestWithParam<PairParams> {};

TEST_P(RepairWrap, RepairedReceiverAcceptsSegmentsAcrossTheWrap) {
  RepairedPair pair(GetParam());
  ASSERT_FALSE(pair.repair_receiver(RepairedPair::good_receiver_state()));
  EXPECT_TRUE(pair.receiver_connection().synchronized());
  const auto wire = signed_segments(pair);
  const auto verdicts = pair.deliver(wire);
  for (int i = 0; i < kSegments; ++i) {
    EXPECT_EQ(verdicts[static_cast<std::size_t>(i)].kind, VerdictKind::AcceptRewritten)
        << "segment " << i << ": " << to_string(verdicts[static_cast<std::size_t>(i)].reason);
    // Segments starting before 2^32 carry SNE 0, the others SNE 1.
    const std::uint32_t sne = seq_of(i) >= kNearWrap ? 0 : 1;
    EXPECT_TRUE(verifies_with_sne(wire[static_cast<std::size_t>(i)], pair, sne)) << i;
    EXPECT_FALSE(verifies_with_sne(wire[static_cast<std::size_t>(i)], pair, 1 - sne)) << i;
  }
  ASSERT_TRUE(pair.receiver_connection().receive_sne());
  EXPECT_EQ(pair.receiver_connection().receive_sne()->sne, 1u);
  EXPECT_EQ(pair.receiver_connection().receive_sne()->seq, seq_of(kSegments - 1));
  EXPECT_EQ(pair.sender_connection().send_sne()->sne, 1u);
}

INSTANTIATE_TEST_SUITE_P(AllPairs, RepairWrap, ::testing::ValuesIn(all_pair_params()),
                         pair_param_name);

int accepted(const std::vector<Verdict>& verdicts) {
  int n = 0;
  for (const Verdict& v : verdicts) n += v.accepted() ? 1 : 0;
  return n;
}

bool all_bad_mac(const std::vector<Verdict>& verdicts) {
  for (const Verdict& v : verdicts) {
    if (v.kind != VerdictKind::Drop || v.reason != DropReason::BadMac) return false;
  }
  return !verdicts.empty();
}

TEST(Repair, WithoutRepairTheReceiverCannotVerifyMidStream) {
  RepairedPair pair(PairParams{});
  const auto verdicts = pair.deliver(signed_segments(pair));
  EXPECT_EQ(accepted(verdicts), 0);
  EXPECT_EQ(verdicts.front().reason, DropReason::NotSynchronized);
}

TEST(Repair, WrongReceiveSneDropsEverySegmentAsBadMac) {
  RepairedPair pair(PairParams{});
  ConnectionRepair state = RepairedPair::good_receiver_state();
  state.receive.sne = 1;
  ASSERT_FALSE(pair.repair_receiver(state));
  EXPECT_TRUE(all_bad_mac(pair.deliver(signed_segments(pair))));
}

TEST(Repair, WrongRemoteIsnDropsEverySegmentAsBadMac) {
  RepairedPair pair(PairParams{true, crypto::MacAlgorithm::AesCmac128_96, true});
  ConnectionRepair state = RepairedPair::good_receiver_state();
  state.remote_isn = kSenderIsn + 1;
  ASSERT_FALSE(pair.repair_receiver(state));
  EXPECT_TRUE(all_bad_mac(pair.deliver(signed_segments(pair))));
}

TEST(Repair, WrongLocalIsnDropsEverySegmentAsBadMac) {
  RepairedPair pair(PairParams{});
  ConnectionRepair state = RepairedPair::good_receiver_state();
  state.local_isn = kReceiverIsn ^ 0x80000000u;
  ASSERT_FALSE(pair.repair_receiver(state));
  EXPECT_TRUE(all_bad_mac(pair.deliver(signed_segments(pair))));
}

// The cached traffic keys follow the ISNs of the latest repair, both ways:
// a good key is not reused after a repair with other ISNs, and a bad one is
// replaced after a repair with the right ISNs.
TEST(Repair, RepairWithNewIsnsDerivesTrafficKeysAgain) {
  RepairedPair pair(PairParams{});
  const auto wire = signed_segments(pair);
  ASSERT_FALSE(pair.repair_receiver(RepairedPair::good_receiver_state()));
  EXPECT_EQ(accepted(pair.deliver({wire[0]})), 1);

  ConnectionRepair wrong = RepairedPair::good_receiver_state();
  wrong.remote_isn = kSenderIsn - 1;
  ASSERT_FALSE(pair.repair_receiver(wrong));
  EXPECT_TRUE(all_bad_mac(pair.deliver({wire[0]})));

  ASSERT_FALSE(pair.repair_receiver(RepairedPair::good_receiver_state()));
  EXPECT_EQ(accepted(pair.deliver(wire)), kSegments);
}

TEST(Repair, RepairSetsTheSneReferences) {
  RepairedPair pair(PairParams{});
  const ConnectionRepair state{kReceiverIsn, kSenderIsn, {7, 100}, {3, 200}};
  ASSERT_FALSE(pair.repair_receiver(state));
  const Connection& c = pair.receiver_connection();
  EXPECT_EQ(c.send_sne(), (segment::SneReference{7, 100}));
  EXPECT_EQ(c.receive_sne(), (segment::SneReference{3, 200}));
}

TEST(Repair, UnknownSocketAndListenerAreRefused) {
  UserspaceTcpAo engine;
  const SocketId listener = engine.open_listener(ip("0.0.0.0"), 179);
  const ConnectionRepair state = RepairedPair::good_receiver_state();
  EXPECT_EQ(engine.repair(listener + 100, state), std::errc::no_such_file_or_directory);
  EXPECT_EQ(engine.repair(listener, state), make_error_code(BackendErrc::ListeningSocket));
  const SocketId connection =
      engine.open_connection({ip("192.0.2.1"), ip("192.0.2.2"), 40000, 179});
  EXPECT_FALSE(engine.repair(connection, state));
  engine.close(connection);
  EXPECT_EQ(engine.repair(connection, state), std::errc::no_such_file_or_directory);
}

}  // namespace
}  // namespace aotls::backend::userspace::testing
