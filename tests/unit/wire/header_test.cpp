// tests/unit/wire/header_test.cpp - RFC 4271 4.1 / 6.1 header and framing.
#include "wire_test_util.hpp"

namespace bgpd::wire::test {
namespace {

constexpr SessionOptions kPlain{};
constexpr SessionOptions kExtended{false, true, false};

TEST(Header, KeepaliveGoldenEncodeDecode) {
  const auto golden = hex(kMarker + "0013 04  # length 19, type 4 KEEPALIVE");
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  encode_keepalive(w);
  EXPECT_EQ(out, golden);
  auto m = decode_message(golden, kPlain);
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::holds_alternative<Keepalive>(*m));
}

TEST(Header, FramingNeedsMoreBytes) {
  const auto msg = hex(kMarker + "0017 02 0000 0000  # empty UPDATE, 23 octets");
  for (std::size_t n = 0; n < msg.size(); ++n) {
    auto len = next_message_length(std::span(msg).first(n), kPlain);
    ASSERT_TRUE(len) << n;
    EXPECT_FALSE(len->has_value()) << n;
  }
  auto len = next_message_length(msg, kPlain);
  ASSERT_TRUE(len && len->has_value());
  EXPECT_EQ(**len, 23u);
}

TEST(Header, FramingFindsFirstOfTwoMessages) {
  auto two = hex(kMarker + "0013 04" + kMarker + "0017 02 0000 0000");
  auto len = next_message_length(two, kPlain);
  ASSERT_TRUE(len && len->has_value());
  EXPECT_EQ(**len, 19u);
  auto second = next_message_length(std::span(two).subspan(19), kPlain);
  ASSERT_TRUE(second && second->has_value());
  EXPECT_EQ(**second, 23u);
}

TEST(Header, BadMarkerIsConnectionNotSynchronized) {
  auto msg = hex("ffffffffffffffffffffffffffffff00 0013 04  # last marker octet 00");
  auto r = next_message_length(msg, kPlain);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::MessageHeader);
  EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(HeaderSubcode::ConnectionNotSynchronized));
  EXPECT_TRUE(r.error().data.empty());
  EXPECT_EQ(r.error().action, Action::SessionReset);
}

TEST(Header, LengthBelow19CarriesLengthField) {
  auto r = next_message_length(hex(kMarker + "0012 04"), kPlain);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength));
  EXPECT_EQ(r.error().data, hex("0012"));
}

TEST(Header, LengthAbove4096UnlessExtended) {
  const auto msg = hex(kMarker + "1001 02  # 4097");
  auto r = next_message_length(msg, kPlain);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength));
  EXPECT_EQ(r.error().data, hex("1001"));
  // RFC 8654: up to 65535 once negotiated; the body is not buffered yet.
  auto ext = next_message_length(msg, kExtended);
  ASSERT_TRUE(ext);
  EXPECT_FALSE(ext->has_value());
  auto frame = peek_header(msg, kExtended);
  ASSERT_TRUE(frame && frame->has_value());
  EXPECT_EQ((*frame)->length, 4097u);
  EXPECT_EQ((*frame)->type, MessageType::Update);
}

TEST(Header, BadTypeCarriesType) {
  auto r = next_message_length(hex(kMarker + "0013 06"), kPlain);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(HeaderSubcode::BadMessageType));
  EXPECT_EQ(r.error().data, hex("06"));
  auto zero = next_message_length(hex(kMarker + "0013 00"), kPlain);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().data, hex("00"));
}

// RFC 4271 6.1: per-type minimum lengths.
TEST(Header, PerTypeLengthRules) {
  struct Case {
    const char* header;
    bool ok;
  } cases[] = {
      {"0014 04", false},                      // KEEPALIVE must be exactly 19
      {"001c 01", false},                      // OPEN below 29
      {"001d 01", true},                       // OPEN at 29
      {"0016 02", false},                      // UPDATE below 23
      {"0017 02", true},  {"0014 03", false},  // NOTIFICATION below 21
      {"0015 03", true},
  };
  for (const auto& c : cases) {
    auto r = peek_header(hex(kMarker + c.header), kPlain);
    EXPECT_EQ(static_cast<bool>(r), c.ok) << c.header;
    if (!r) {
      EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength));
      EXPECT_EQ(r.error().data, hex(std::string(c.header).substr(0, 4)));
    }
  }
}

TEST(Header, OpenAndKeepaliveNeverExtended) {
  // RFC 8654 4: extended messages do not apply to OPEN and KEEPALIVE.
  auto open = peek_header(hex(kMarker + "1001 01"), kExtended);
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().subcode, static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength));
  EXPECT_EQ(open.error().data, hex("1001"));
  EXPECT_TRUE(peek_header(hex(kMarker + "1001 03"), kExtended));  // NOTIFICATION may be
}

TEST(Header, DecodeMessageRejectsTrailingOctets) {
  auto msg = hex(kMarker + "0013 04 00");
  auto r = decode_message(msg, kPlain);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength));
  EXPECT_EQ(r.error().data, hex("0013"));
}

}  // namespace
}  // namespace bgpd::wire::test
