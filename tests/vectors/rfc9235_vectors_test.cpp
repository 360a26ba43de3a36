// RFC 9235 known answers, one ctest entry per (check, vector): KDF context,
// traffic key, MAC input, MAC, sign and verify.
#include <gtest/gtest.h>

#include <algorithm>

#include "aotls/crypto/kdf.hpp"
#include "aotls/segment/mac_input.hpp"
#include "aotls/segment/segment_mac.hpp"
#include "aotls/segment/traffic_keys.hpp"
#include "common/hex.hpp"
#include "rfc9235_fixture.hpp"

namespace aotls::test {
namespace {

using common::to_hex;
using segment::IpAddress;

IpAddress address(const std::string& text) {
  auto parsed = IpAddress::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return *parsed;
}

bool is_send(segment::TrafficKeyKind kind) {
  return kind == segment::TrafficKeyKind::SendSyn || kind == segment::TrafficKeyKind::SendOther;
}

TEST(Rfc9235File, LoadsAll32Vectors) {
  EXPECT_EQ(rfc9235_load_error(), "");
  EXPECT_EQ(rfc9235_vectors().size(), 32U);
}

TEST_P(Rfc9235Test, KdfContextFromFields) {
  auto context = segment::kdf_context(address(v().src_ip), address(v().dst_ip), v().src_port,
                                      v().dst_port, v().send_isn, v().recv_isn);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(to_hex(context->bytes()), to_hex(v().kdf_context));
}

// From the packet itself, given the receiver's real ISN: a pure SYN must
// zero it, every other segment (SYN-ACK included) must use it.
TEST_P(Rfc9235Test, KdfContextFromPacket) {
  const auto context = segment::kdf_context(view(), v().send_isn, receiver_isn(v()));
  EXPECT_EQ(to_hex(context.bytes()), to_hex(v().kdf_context));
}

TEST_P(Rfc9235Test, TrafficKey) {
  auto key = crypto::derive_traffic_key(v().kdf, v().mkt, v().kdf_context);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(to_hex(key->bytes()), to_hex(v().traffic_key));
}

// The four keys of the connection seen from the endpoint the vector's kind
// names (the sender for send_*, the receiver for recv_*).
TEST_P(Rfc9235Test, TrafficKeyFromConnection) {
  const bool local_is_sender = is_send(v().kind);
  const IpAddress sender = address(v().src_ip);
  const IpAddress receiver = address(v().dst_ip);
  const segment::ConnectionId connection{local_is_sender ? sender : receiver,
                                         local_is_sender ? receiver : sender,
                                         local_is_sender ? v().src_port : v().dst_port,
                                         local_is_sender ? v().dst_port : v().src_port,
                                         local_is_sender ? v().send_isn : receiver_isn(v()),
                                         local_is_sender ? receiver_isn(v()) : v().send_isn};
  auto keys = segment::derive_traffic_keys(v().kdf, v().mkt, connection);
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(to_hex(keys->get(v().kind).bytes()), to_hex(v().traffic_key));
  const auto direction = local_is_sender ? segment::Direction::Send : segment::Direction::Receive;
  EXPECT_EQ(segment::traffic_key_kind(view(), direction), v().kind);
}

TEST_P(Rfc9235Test, MacInput) {
  auto input = segment::mac_input_bytes(view(), v().include_options, v().sne);
  ASSERT_TRUE(input.has_value());
  EXPECT_EQ(to_hex(*input), to_hex(v().mac_input));
}

TEST_P(Rfc9235Test, MacOverPublishedInput) {
  crypto::MacContext context = mac();
  std::vector<std::uint8_t> out(context.mac_len());
  context.begin();
  context.update(v().mac_input);
  ASSERT_TRUE(context.finish(out).has_value());
  EXPECT_EQ(to_hex(out), to_hex(v().expected_mac));
}

TEST_P(Rfc9235Test, OptionFields) {
  const segment::PacketView parsed = view();
  const auto& ao = parsed.ao();
  ASSERT_TRUE(ao.has_value());
  EXPECT_EQ(ao->key_id, v().keyid);
  EXPECT_EQ(ao->rnext_key_id, v().rnext_keyid);
  EXPECT_EQ(ao->mac.size(), v().maclen);
  EXPECT_EQ(to_hex(ao->mac), to_hex(v().expected_mac));
}

TEST_P(Rfc9235Test, SignReproducesPacket) {
  std::vector<std::uint8_t> packet = v().packet;
  const std::size_t mac_at = view().ao_mac_offset();
  std::fill_n(packet.begin() + static_cast<std::ptrdiff_t>(mac_at), v().maclen, 0);
  ASSERT_NE(to_hex(packet), to_hex(v().packet));
  crypto::MacContext context = mac();
  ASSERT_TRUE(segment::sign(packet, context, v().include_options, v().sne).has_value());
  EXPECT_EQ(to_hex(packet), to_hex(v().packet));
}

TEST_P(Rfc9235Test, VerifyAcceptsPacket) {
  crypto::MacContext context = mac();
  auto verified = segment::verify(std::span<const std::uint8_t>(v().packet), context,
                                  v().include_options, v().sne);
  EXPECT_TRUE(verified.has_value()) << segment::to_string(verified.error());
  // The other option mode and another SNE change the MAC input.
  EXPECT_EQ(segment::verify(view(), context, !v().include_options, v().sne).error(),
            segment::SegmentError::MacMismatch);
  EXPECT_EQ(segment::verify(view(), context, v().include_options, v().sne + 1).error(),
            segment::SegmentError::MacMismatch);
}

TEST_P(Rfc9235Test, VerifyByKeyId) {
  crypto::MacContext context = mac();
  auto lookup = [&](std::uint8_t key_id) -> std::optional<segment::VerifyKey> {
    if (key_id != v().keyid) return std::nullopt;
    return segment::VerifyKey{&context, v().include_options};
  };
  auto option = segment::verify_with_lookup(view(), v().sne, lookup);
  ASSERT_TRUE(option.has_value()) << segment::to_string(option.error());
  EXPECT_EQ(option->rnext_key_id, v().rnext_keyid);
  auto none = [](std::uint8_t) -> std::optional<segment::VerifyKey> { return std::nullopt; };
  EXPECT_EQ(segment::verify_with_lookup(view(), v().sne, none).error(),
            segment::SegmentError::KeyNotFound);
}

INSTANTIATE_TEST_SUITE_P(Rfc9235, Rfc9235Test, ::testing::ValuesIn(rfc9235_vectors()),
                         vector_test_name);

}  // namespace
}  // namespace aotls::test
