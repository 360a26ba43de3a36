// tests/unit/wire/notification_test.cpp - NOTIFICATION (RFC 4271 4.5,
// RFC 9003), ROUTE-REFRESH (RFC 2918, RFC 7313), KEEPALIVE.
#include "wire_test_util.hpp"

namespace bgpd::wire::test {
namespace {

std::vector<std::uint8_t> encode(const Notification& n) {
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  encode_notification(n, w);
  return out;
}

std::string shutdown_golden() {
  return kMarker + R"(
  0021 03                     # length 33, NOTIFICATION
  06 02                       # Cease / Administrative Shutdown
  0b 6d61696e74656e616e6365   # RFC 9003: length 11, "maintenance"
)";
}

TEST(Notification, ShutdownCommunicationGolden) {
  auto n = make_cease(CeaseSubcode::AdministrativeShutdown, "maintenance");
  EXPECT_EQ(encode(n), hex(shutdown_golden()));
  auto m = decode_message(hex(shutdown_golden()), {});
  ASSERT_TRUE(m);
  const auto& back = std::get<Notification>(*m);
  EXPECT_EQ(back, n);
  auto c = shutdown_communication(back);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "maintenance");
  EXPECT_TRUE(c->valid_utf8);
  EXPECT_TRUE(c->length_ok);
}

TEST(Notification, HoldTimerExpiredGolden) {
  const auto golden = hex(kMarker + "0015 03 04 00  # Hold Timer Expired, no data");
  EXPECT_EQ(encode(Notification{ErrorCode::HoldTimerExpired, 0, {}}), golden);
  auto m = decode_message(golden, {});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<Notification>(*m).code, ErrorCode::HoldTimerExpired);
  EXPECT_FALSE(shutdown_communication(std::get<Notification>(*m)));
}

TEST(Notification, CeaseTextCutAt255OnCharacterBoundary) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "\xc3\xa9";  // U+00E9, 2 octets
  auto n = make_cease(CeaseSubcode::AdministrativeReset, text);
  ASSERT_EQ(n.data.size(), 1u + 254u);
  EXPECT_EQ(n.data[0], 254);
  auto c = shutdown_communication(n);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->valid_utf8);
  EXPECT_EQ(c->text, text.substr(0, 254));
  // Other Cease subcodes carry no communication.
  EXPECT_TRUE(make_cease(CeaseSubcode::PeerDeconfigured, "x").data.empty());
}

TEST(Notification, ShutdownCommunicationDecodedTolerantly) {
  Notification n{ErrorCode::Cease, 2, hex("14 616263")};  // says 20, has 3
  auto c = shutdown_communication(n);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "abc");
  EXPECT_FALSE(c->length_ok);
  EXPECT_TRUE(c->valid_utf8);
  auto bad = shutdown_communication(Notification{ErrorCode::Cease, 4, hex("02 ff61")});
  ASSERT_TRUE(bad);
  EXPECT_TRUE(bad->length_ok);
  EXPECT_FALSE(bad->valid_utf8);
  EXPECT_FALSE(shutdown_communication(Notification{ErrorCode::Cease, 2, {}}));
  EXPECT_FALSE(shutdown_communication(Notification{ErrorCode::Cease, 3, hex("01 61")}));
}

TEST(Notification, Utf8Validation) {
  struct Case {
    const char* bytes;
    bool valid;
  } cases[] = {
      {"", true},          {"41", true},    {"c3a9", true},    {"e282ac", true},
      {"f09f9880", true},  {"c080", false}, {"e08080", false}, {"eda080", false},
      {"f4908080", false}, {"e282", false}, {"80", false},     {"ff", false},
      {"c341", false},
  };
  for (const auto& c : cases) {
    const auto bytes = hex(c.bytes);
    EXPECT_EQ(is_valid_utf8(std::string(bytes.begin(), bytes.end())), c.valid) << c.bytes;
  }
}

TEST(Notification, UnknownCodeKeptAndTooShortRejected) {
  auto n = decode_notification(hex("63 07 0102"));
  ASSERT_TRUE(n);
  EXPECT_EQ(static_cast<int>(n->code), 0x63);
  EXPECT_EQ(n->subcode, 7);
  EXPECT_EQ(n->data, hex("0102"));
  auto short_one = decode_notification(hex("06"));
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, ErrorCode::MessageHeader);
  EXPECT_EQ(short_one.error().data, hex("0014"));
}

TEST(Notification, ToNotificationCarriesCodeSubcodeData) {
  DecodeError e = header_error(HeaderSubcode::BadMessageLength, {0x00, 0x12}, "x");
  const auto n = to_notification(e);
  EXPECT_EQ(encode(n), hex(kMarker + "0017 03 01 02 0012"));
}

TEST(RouteRefresh, GoldenRequestAndDemarcation) {
  struct Case {
    RouteRefresh rr;
    std::string hex_body;
  } cases[] = {
      {{kIpv4Unicast, RouteRefreshSubtype::Request}, "0001 00 01  # IPv4 unicast, request"},
      {{kIpv6Unicast, RouteRefreshSubtype::BeginningOfRouteRefresh}, "0002 01 01  # BoRR"},
      {{kIpv6Unicast, RouteRefreshSubtype::EndOfRouteRefresh}, "0002 02 01  # EoRR"},
  };
  for (const auto& c : cases) {
    const auto golden = hex(kMarker + "0017 05" + c.hex_body);
    std::vector<std::uint8_t> out;
    ByteWriter w(out);
    encode_route_refresh(c.rr, w);
    EXPECT_EQ(out, golden);
    auto m = decode_message(golden, {});
    ASSERT_TRUE(m);
    EXPECT_EQ(std::get<RouteRefresh>(*m), c.rr);
    EXPECT_TRUE(std::get<RouteRefresh>(*m).known_subtype());
  }
}

TEST(RouteRefresh, UnknownSubtypeDecodesToBeIgnored) {
  auto r = decode_route_refresh(hex("0001 03 01"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->known_subtype());
}

TEST(RouteRefresh, LengthErrors) {
  // RFC 7313 5: BoRR/EoRR of the wrong length, data = the whole message.
  const auto borr = hex(kMarker + "0018 05 0002 01 01 00");
  auto r = decode_message(borr, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::RouteRefreshMessage);
  EXPECT_EQ(r.error().subcode,
            static_cast<std::uint8_t>(RouteRefreshSubcode::InvalidMessageLength));
  EXPECT_EQ(r.error().data, borr);
  // A plain request: RFC 4271 Bad Message Length.
  auto plain = decode_message(hex(kMarker + "0016 05 0001 00"), {});
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, ErrorCode::MessageHeader);
  EXPECT_EQ(plain.error().data, hex("0016"));
}

}  // namespace
}  // namespace bgpd::wire::test
