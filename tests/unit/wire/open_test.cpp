// tests/unit/wire/open_test.cpp - OPEN, capabilities, validation, negotiation.
#include "wire_test_util.hpp"

namespace bgpd::wire::test {
namespace {

// AS 65001, hold 90, identifier 192.0.2.1, every capability we implement.
std::string open_golden() {
  return kMarker + R"(
  003b 01          # length 59, OPEN
  04               # version 4
  fde9             # My AS 65001
  005a             # Hold Time 90
  c0000201         # BGP Identifier 192.0.2.1
  1e               # Opt Parm Len 30
  02 1c            # parameter 2 (Capabilities), 28 octets
  01 04 0001 00 01 # Multiprotocol IPv4 unicast (RFC 4760)
  01 04 0002 00 01 # Multiprotocol IPv6 unicast
  02 00            # Route Refresh (RFC 2918)
  06 00            # Extended Message (RFC 8654)
  40 02 0078       # Graceful Restart: flags 0, restart time 120 (RFC 4724)
  41 04 0000fde9   # 4-octet AS 65001 (RFC 6793)
  46 00            # Enhanced Route Refresh (RFC 7313)
)";
}

CapabilitySet full_capabilities() {
  CapabilitySet caps;
  caps.multiprotocol = {kIpv4Unicast, kIpv6Unicast};
  caps.route_refresh = true;
  caps.extended_message = true;
  caps.enhanced_route_refresh = true;
  caps.graceful_restart = GracefulRestart{0, 120, {}};
  return caps;
}

std::vector<std::uint8_t> encode(const OpenMessage& open) {
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  encode_open(open, w);
  return out;
}

TEST(Open, GoldenEncode) {
  auto open = OpenMessage::make(65001, 90, 0xC0000201, full_capabilities());
  EXPECT_EQ(common::to_hex(encode(open)), common::to_hex(hex(open_golden())));
}

TEST(Open, GoldenDecode) {
  auto m = decode_message(hex(open_golden()), {});
  ASSERT_TRUE(m);
  const auto& open = std::get<OpenMessage>(*m);
  EXPECT_EQ(open.version, 4);
  EXPECT_EQ(open.my_as, 65001);
  EXPECT_EQ(open.hold_time, 90);
  EXPECT_EQ(open.bgp_identifier, 0xC0000201u);
  EXPECT_EQ(open.asn(), 65001u);
  EXPECT_EQ(open, OpenMessage::make(65001, 90, 0xC0000201, full_capabilities()));
  EXPECT_FALSE(open.capabilities.graceful_restart->restarting());
}

TEST(Open, FourOctetAsUsesAsTrans) {
  auto open = OpenMessage::make(4200000000u, 180, 1, {});
  EXPECT_EQ(open.my_as, kAsTrans);
  const auto golden = hex(kMarker + R"(
    0025 01 04
    5ba0             # My AS = AS_TRANS 23456
    00b4 00000001
    08 02 06         # one parameter, Capabilities, 6 octets
    41 04 fa56ea00   # 4-octet AS 4200000000
  )");
  EXPECT_EQ(encode(open), golden);
  auto back = decode_open(body_of(golden));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->asn(), 4200000000u);
}

TEST(Open, CapabilitiesSplitOverParametersDecodeTheSame) {
  auto r = decode_open(hex(R"(
    04 fde9 005a c0000201
    10                      # 16 octets of parameters
    02 06 01 04 0002 00 01  # parameter: MP IPv6 unicast
    02 02 02 00             # parameter: route refresh
    02 02 80 00             # parameter: code 128 (pre-standard route refresh), kept raw
  )"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->capabilities.multiprotocol, std::vector<Family>{kIpv6Unicast});
  EXPECT_TRUE(r->capabilities.route_refresh);
  ASSERT_EQ(r->capabilities.unknown.size(), 1u);
  EXPECT_EQ(r->capabilities.unknown[0].code, 128);
  EXPECT_TRUE(r->capabilities.unknown[0].value.empty());
  EXPECT_EQ(r->asn(), 65001u);  // no 4-octet capability: My AS
}

// Each capability alone: its exact <code, length, value> and a round trip.
TEST(Capabilities, EachEncodesAndDecodes) {
  struct Case {
    const char* name;
    CapabilitySet caps;
    const char* tlv;
  };
  auto with = [](auto&& set_one) {
    CapabilitySet c;
    set_one(c);
    return c;
  };
  const Case cases[] = {
      {"multiprotocol", with([](auto& c) { c.multiprotocol = {kIpv6Unicast}; }),
       "01 04 0002 00 01"},
      {"route_refresh", with([](auto& c) { c.route_refresh = true; }), "02 00"},
      {"extended_message", with([](auto& c) { c.extended_message = true; }), "06 00"},
      {"graceful_restart_default", with([](auto& c) { c.graceful_restart = GracefulRestart{}; }),
       "40 02 0000  # restarting = no, time 0, no families"},
      {"graceful_restart_families", with([](auto& c) {
         c.graceful_restart = GracefulRestart{0, 300, {{kIpv4Unicast, 0}, {kIpv6Unicast, 0x80}}};
       }),
       "40 0a 012c 0001 01 00 0002 01 80"},
      {"four_octet_as", with([](auto& c) { c.four_octet_as = 4200000000u; }), "41 04 fa56ea00"},
      {"enhanced_route_refresh", with([](auto& c) { c.enhanced_route_refresh = true; }), "46 00"},
      {"unknown", with([](auto& c) {
         c.unknown = {RawCapability{73, {0x01, 0x02}}};
       }),
       "49 02 0102"},
  };
  for (const auto& c : cases) {
    std::vector<std::uint8_t> out;
    ByteWriter w(out);
    encode_capabilities(c.caps, w);
    EXPECT_EQ(common::to_hex(out), common::to_hex(hex(c.tlv))) << c.name;
    CapabilitySet back;
    ASSERT_TRUE(decode_capabilities(out, back)) << c.name;
    EXPECT_EQ(back, c.caps) << c.name;
  }
}

TEST(Open, GracefulRestartParsedFully) {
  auto r = decode_open(hex(R"(
    04 fde9 005a c0000201 0e 02 0c
    40 0a            # Graceful Restart, 10 octets
    8078             # R bit set, restart time 120
    0001 01 80       # IPv4 unicast, forwarding state preserved
    0002 01 00       # IPv6 unicast
  )"));
  ASSERT_TRUE(r);
  const auto& gr = *r->capabilities.graceful_restart;
  EXPECT_TRUE(gr.restarting());
  EXPECT_EQ(gr.restart_time, 120);
  ASSERT_EQ(gr.families.size(), 2u);
  EXPECT_EQ(gr.families[0], (GracefulRestart::Entry{kIpv4Unicast, 0x80}));
  EXPECT_EQ(gr.families[1], (GracefulRestart::Entry{kIpv6Unicast, 0}));
  // Round trip keeps every field.
  auto again = decode_open(body_of(encode(*r)));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *r);
}

TEST(Open, ExtendedOptionalParametersRfc9072) {
  auto r = decode_open(hex(R"(
    04 fde9 005a c0000201
    ff ff 0009       # Non-Ext OP Len 255, Non-Ext OP Type 255, Extended Length 9
    02 0006          # Capabilities, 2-octet length 6
    41 04 0000fde9
  )"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->capabilities.four_octet_as, 65001u);
}

TEST(Open, LongCapabilitiesUseExtendedEncoding) {
  CapabilitySet caps;
  for (std::uint8_t code = 200; code < 230; ++code) {
    caps.unknown.push_back(RawCapability{code, std::vector<std::uint8_t>(10, code)});
  }
  auto open = OpenMessage::make(65001, 90, 1, caps);
  auto bytes = encode(open);
  ASSERT_GT(bytes.size(), 19u + 10u + 255u);
  EXPECT_EQ(bytes[28], 0xff);  // Non-Ext OP Len
  EXPECT_EQ(bytes[29], 0xff);  // Non-Ext OP Type
  auto back = decode_message(bytes, {});
  ASSERT_TRUE(back);
  EXPECT_EQ(std::get<OpenMessage>(*back), open);
}

TEST(Open, DecodeErrors) {
  struct Case {
    const char* body;
    OpenSubcode subcode;
  } cases[] = {
      {"04 fde9 005a c0000201 07 02 05 01 03 000100", OpenSubcode::Unspecific},  // MP length 3
      {"04 fde9 005a c0000201 04 02 02 41 04", OpenSubcode::Unspecific},         // cap overruns
      {"04 fde9 005a c0000201 03 02 01", OpenSubcode::Unspecific},        // parameter overruns
      {"04 fde9 005a c0000201 05 02 02 02 00", OpenSubcode::Unspecific},  // length mismatch
      {"04 fde9 005a c0000201 04 01 02 0000", OpenSubcode::UnsupportedOptionalParameter},
      {"04 fde9 005a c0000201 02 02 01", OpenSubcode::Unspecific},  // parameter value missing
  };
  for (const auto& c : cases) {
    auto r = decode_open(hex(c.body));
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().code, ErrorCode::OpenMessage) << c.body;
    EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(c.subcode)) << c.body;
  }
  auto short_open = decode_open(hex("04 fde9 005a c0000201"));
  ASSERT_FALSE(short_open);
  EXPECT_EQ(short_open.error().code, ErrorCode::MessageHeader);
  EXPECT_EQ(short_open.error().data, hex("001c"));
}

TEST(Open, FlagCapabilityWithValueIsMalformed) {
  auto r = decode_open(hex("04 fde9 005a c0000201 05 02 03 02 01 00  # route refresh, length 1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(OpenSubcode::Unspecific));
}

TEST(Open, Validation) {
  const auto good = OpenMessage::make(65001, 90, 1, {});
  EXPECT_TRUE(validate_open(good, {65001}));
  EXPECT_TRUE(validate_open(good, {}));

  auto expect = [](const OpenMessage& o, OpenExpectations e, OpenSubcode sub,
                   const std::vector<std::uint8_t>& data) {
    auto r = validate_open(o, e);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::OpenMessage);
    EXPECT_EQ(r.error().subcode, static_cast<std::uint8_t>(sub));
    EXPECT_EQ(r.error().data, data);
    EXPECT_EQ(to_notification(r.error()).data, data);
  };
  auto v3 = good;
  v3.version = 3;
  expect(v3, {}, OpenSubcode::UnsupportedVersionNumber, {0x00, 0x04});
  expect(good, {65002}, OpenSubcode::BadPeerAs, {});
  auto zero_id = good;
  zero_id.bgp_identifier = 0;
  expect(zero_id, {}, OpenSubcode::BadBgpIdentifier, {});
  for (int hold : {1, 2}) {
    auto h = good;
    h.hold_time = static_cast<std::uint16_t>(hold);
    expect(h, {}, OpenSubcode::UnacceptableHoldTime, {});
  }
  for (int hold : {0, 3}) {
    auto h = good;
    h.hold_time = static_cast<std::uint16_t>(hold);
    EXPECT_TRUE(validate_open(h, {})) << hold;
  }
  // The peer AS is the 4-octet capability's, not AS_TRANS.
  const auto wide = OpenMessage::make(4200000000u, 90, 1, {});
  EXPECT_TRUE(validate_open(wide, {4200000000u}));
  expect(wide, {kAsTrans}, OpenSubcode::BadPeerAs, {});
}

TEST(Negotiate, TakesCommonCapabilitiesAndMinimumHoldTime) {
  auto local = OpenMessage::make(65001, 90, 1, full_capabilities());
  CapabilitySet peer_caps;
  peer_caps.multiprotocol = {kIpv6Unicast};
  peer_caps.route_refresh = true;
  peer_caps.enhanced_route_refresh = true;
  peer_caps.graceful_restart = GracefulRestart{GracefulRestart::kRestartState, 60, {}};
  auto remote = OpenMessage::make(65002, 30, 2, peer_caps);
  auto s = negotiate(local, remote);
  EXPECT_EQ(s.hold_time, 30);
  EXPECT_EQ(s.keepalive_time, 10);
  EXPECT_EQ(s.families, std::vector<Family>{kIpv6Unicast});
  EXPECT_TRUE(s.four_octet_as);
  EXPECT_TRUE(s.route_refresh);
  EXPECT_TRUE(s.enhanced_route_refresh);
  EXPECT_FALSE(s.extended_message);  // the peer did not announce it
  ASSERT_TRUE(s.peer_graceful_restart);
  EXPECT_TRUE(s.peer_graceful_restart->restarting());
  EXPECT_EQ(s.peer_as, 65002u);
  EXPECT_FALSE(s.ibgp());
  const auto o = s.options();
  EXPECT_TRUE(o.four_octet_as);
  EXPECT_EQ(o.max_message_size(), kMaxMessageSize);
  // The three copies a peer keeps: what each side said, what is in use.
  const PeerCapabilities kept{local.capabilities, remote.capabilities, s};
  EXPECT_TRUE(kept.announced.extended_message);
  EXPECT_FALSE(kept.received.extended_message);
  EXPECT_FALSE(kept.negotiated.extended_message);
}

TEST(Negotiate, OldSpeakerWithoutCapabilities) {
  auto local = OpenMessage::make(65001, 0, 1, full_capabilities());
  OpenMessage old;  // RFC 4271 only: no capabilities at all
  old.my_as = 65001;
  old.hold_time = 180;
  old.bgp_identifier = 2;
  auto s = negotiate(local, old);
  EXPECT_EQ(s.hold_time, 0);  // zero disables the timers
  EXPECT_EQ(s.keepalive_time, 0);
  EXPECT_FALSE(s.four_octet_as);
  EXPECT_FALSE(s.route_refresh);
  EXPECT_EQ(s.families, std::vector<Family>{kIpv4Unicast});  // implied (RFC 4760)
  EXPECT_TRUE(s.ibgp());
  EXPECT_TRUE(s.options().ibgp);
}

TEST(Negotiate, EnhancedRouteRefreshNeedsRouteRefreshAndExtendedBothSides) {
  CapabilitySet a = full_capabilities();
  CapabilitySet b = full_capabilities();
  b.route_refresh = false;  // RFC 7313 3: ERR without RR is not usable
  auto s = negotiate(OpenMessage::make(1, 90, 1, a), OpenMessage::make(2, 90, 2, b));
  EXPECT_FALSE(s.enhanced_route_refresh);
  EXPECT_TRUE(s.extended_message);
  EXPECT_EQ(s.options().max_message_size(), kMaxExtendedMessageSize);
  EXPECT_EQ(s.families, (std::vector<Family>{kIpv4Unicast, kIpv6Unicast}));
}

}  // namespace
}  // namespace bgpd::wire::test
