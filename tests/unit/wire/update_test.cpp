// tests/unit/wire/update_test.cpp - UPDATE golden vectors, round trips,
// AS4_PATH handling, End-of-RIB.
#include "bgpd/wire/attributes.hpp"
#include "wire_test_util.hpp"

namespace bgpd::wire::test {
namespace {

constexpr SessionOptions kTwoOctet{false, false, false};
constexpr SessionOptions kFourOctet{true, false, false};
constexpr SessionOptions kFourOctetIbgp{true, false, true};

DecodedUpdate decode_ok(const std::vector<std::uint8_t>& message, const SessionOptions& o) {
  auto m = decode_message(message, o);
  EXPECT_TRUE(m) << (m ? "" : m.error().reason);
  if (!m) return {};
  return std::get<DecodedUpdate>(*m);
}

std::vector<std::uint8_t> encode(const Update& u, const SessionOptions& o) {
  std::vector<std::uint8_t> out;
  auto r = encode_update(u, o, out);
  EXPECT_TRUE(r);
  return out;
}

// UPDATE on a 2-octet eBGP session: withdraw 10.1.0.0/16, announce
// 198.51.100.0/24 and 10.0.0.0/8.
std::string ipv4_golden() {
  return kMarker + R"(
  0042 02              # length 66, UPDATE
  0003 10 0a01         # Withdrawn Routes Length 3: 10.1.0.0/16
  0022                 # Total Path Attribute Length 34
  40 01 01 00          # ORIGIN IGP
  40 02 06 02 02 fde9 fdea   # AS_PATH AS_SEQUENCE(2) 65001 65002
  40 03 04 c0000201    # NEXT_HOP 192.0.2.1
  80 04 04 00000064    # MULTI_EXIT_DISC 100
  c0 08 04 fde90064    # COMMUNITIES 65001:100
  18 c63364            # NLRI 198.51.100.0/24
  08 0a                # NLRI 10.0.0.0/8
)";
}

Update ipv4_update() {
  Update u;
  u.withdrawn = {pfx("10.1.0.0/16")};
  u.body_withdrawn_count = 1;
  u.nlri = {pfx("198.51.100.0/24"), pfx("10.0.0.0/8")};
  u.body_nlri_count = 2;
  u.attrs.origin = Origin::Igp;
  u.attrs.as_path.segments = {{AsPathSegmentType::AsSequence, {65001, 65002}}};
  u.attrs.next_hop = ip("192.0.2.1");
  u.ipv4_next_hop = ip("192.0.2.1");
  u.attrs.med = 100;
  u.attrs.communities = {0xFDE90064};
  return u;
}

TEST(Update, Ipv4GoldenEncode) {
  EXPECT_EQ(common::to_hex(encode(ipv4_update(), kTwoOctet)), common::to_hex(hex(ipv4_golden())));
}

TEST(Update, Ipv4GoldenDecode) {
  auto d = decode_ok(hex(ipv4_golden()), kTwoOctet);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_FALSE(d.end_of_rib);
  EXPECT_EQ(d.update, ipv4_update());
  EXPECT_EQ(d.update.attributes_for(0).next_hop, ip("192.0.2.1"));
}

// IPv6 on a 4-octet session: MP_REACH_NLRI with global + link-local.
std::string ipv6_golden() {
  return kMarker + R"(
  0056 02              # length 86, UPDATE
  0000                 # no withdrawn routes
  003f                 # Total Path Attribute Length 63
  90 0e 002a           # MP_REACH_NLRI, extended length 42 (first: RFC 7606 5.1)
    0002 01            # AFI IPv6, SAFI unicast
    20                 # next hop length 32
    20010db8000000000000000000000001   # 2001:db8::1
    fe800000000000000000000000000001   # fe80::1
    00                 # reserved
    20 20010db8        # 2001:db8::/32
  40 01 01 02          # ORIGIN INCOMPLETE
  40 02 0a 02 02 0000fde9 fa56ea00     # AS_PATH AS_SEQUENCE 65001 4200000000
)";
}

Update ipv6_update() {
  Update u;
  u.nlri = {pfx("2001:db8::/32")};
  u.mp_reach_family = kIpv6Unicast;
  u.attrs.origin = Origin::Incomplete;
  u.attrs.as_path.segments = {{AsPathSegmentType::AsSequence, {65001, 4200000000u}}};
  u.attrs.next_hop = ip("2001:db8::1");
  u.attrs.link_local_next_hop = ip("fe80::1");
  return u;
}

TEST(Update, Ipv6GoldenEncodeDecode) {
  EXPECT_EQ(common::to_hex(encode(ipv6_update(), kFourOctet)), common::to_hex(hex(ipv6_golden())));
  auto d = decode_ok(hex(ipv6_golden()), kFourOctet);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.update, ipv6_update());
}

TEST(Update, Ipv6NextHopWithoutLinkLocal) {
  auto u = ipv6_update();
  u.attrs.link_local_next_hop.reset();
  auto bytes = encode(u, kFourOctet);
  EXPECT_EQ(bytes[kHeaderSize + 4 + 4 + 3], 16);  // next hop length octet
  EXPECT_EQ(decode_ok(bytes, kFourOctet).update, u);
}

TEST(Update, MpUnreachGoldenDecode) {
  auto d = decode_ok(hex(kMarker + R"(
    0025 02 0000
    000e                       # 14 octets of attributes
    90 0f 000a 0002 01         # MP_UNREACH_NLRI IPv6 unicast
    30 20010db80001            # 2001:db8:1::/48
  )"),
                     kFourOctet);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.update.withdrawn, std::vector<Prefix>{pfx("2001:db8:1::/48")});
  EXPECT_EQ(d.update.mp_unreach_family, kIpv6Unicast);
  EXPECT_FALSE(d.end_of_rib);
}

TEST(Update, HostBitsPastPrefixLengthAreCleared) {
  auto d = decode_ok(hex(kMarker + R"(
    001c 02 0000 0000
    17 c63365            # withdrawn-free UPDATE: NLRI 198.51.101.0/23 (bit 23 set)
    00                   # 0.0.0.0/0
  )"),
                     kTwoOctet);
  // No attributes: treat-as-withdraw (missing mandatory attributes), so
  // the prefixes show up as withdrawn.
  EXPECT_TRUE(d.treat_as_withdraw());
  EXPECT_EQ(d.update.withdrawn, (std::vector<Prefix>{pfx("198.51.100.0/23"), pfx("0.0.0.0/0")}));
}

TEST(Update, Ipv4ViaMpReach) {
  auto d = decode_ok(hex(kMarker + R"(
    0034 02 0000
    001d                       # 29 octets
    80 0e 0d 0001 01 04 c0000202 00 18 c63364   # MP_REACH IPv4, next hop 192.0.2.2
    40 01 01 00
    40 02 06 02 01 0000fde9    # AS_PATH 65001 (4-octet)
  )"),
                     kFourOctet);
  EXPECT_TRUE(d.errors.empty());  // no NEXT_HOP needed without body NLRI
  EXPECT_EQ(d.update.nlri, std::vector<Prefix>{pfx("198.51.100.0/24")});
  EXPECT_EQ(d.update.mp_reach_family, kIpv4Unicast);
  EXPECT_EQ(d.update.attrs.next_hop, ip("192.0.2.2"));
  EXPECT_EQ(d.update.body_nlri_count, 0u);
  EXPECT_EQ(decode_ok(encode(d.update, kFourOctet), kFourOctet).update, d.update);
}

TEST(Update, BodyIpv4AndMpIpv6KeepBothNextHops) {
  Update u = ipv6_update();
  u.nlri.insert(u.nlri.begin(), pfx("203.0.113.0/24"));
  u.body_nlri_count = 1;
  u.ipv4_next_hop = ip("192.0.2.9");
  auto d = decode_ok(encode(u, kFourOctet), kFourOctet);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.update, u);
  EXPECT_EQ(d.update.attributes_for(0).next_hop, ip("192.0.2.9"));
  EXPECT_FALSE(d.update.attributes_for(0).link_local_next_hop);
  EXPECT_EQ(d.update.attributes_for(1).next_hop, ip("2001:db8::1"));
  EXPECT_EQ(d.update.attributes_for(1).link_local_next_hop, ip("fe80::1"));
}

TEST(Update, AllAttributesRoundTripIbgp) {
  Update u = ipv4_update();
  u.attrs.local_pref = 200;
  u.attrs.atomic_aggregate = true;
  u.attrs.aggregator = Aggregator{4200000001u, ip("192.0.2.77")};
  u.attrs.communities = {kNoExport, 0x00010002};
  std::sort(u.attrs.communities.begin(), u.attrs.communities.end());
  u.attrs.large_communities = {{4200000000u, 1, 2}, {65001, 3, 4}};
  std::sort(u.attrs.large_communities.begin(), u.attrs.large_communities.end());
  u.attrs.unknown = {UnknownAttribute{0xC0 | 0x20, 99, {1, 2, 3}}};
  for (const auto& o : {kFourOctetIbgp, SessionOptions{false, false, true}}) {
    auto d = decode_ok(encode(u, o), o);
    EXPECT_TRUE(d.errors.empty());
    EXPECT_EQ(d.update, u);
  }
}

TEST(Update, LocalPrefIgnoredFromAndNotSentToExternalPeers) {
  Update u = ipv4_update();
  u.attrs.local_pref = 200;
  auto ebgp = encode(u, kFourOctet);
  auto ibgp = encode(u, kFourOctetIbgp);
  EXPECT_EQ(ibgp.size(), ebgp.size() + 7);  // RFC 4271 5.1.5
  auto d = decode_ok(ibgp, kFourOctet);     // received on an eBGP session
  EXPECT_FALSE(d.update.attrs.local_pref);
  EXPECT_TRUE(d.errors.empty());
}

TEST(Update, UnknownOptionalTransitiveGetsPartialBitWhenPassedOn) {
  auto msg = hex(kMarker + R"(
    0034 02 0000 001b
    40 01 01 00 40 02 00 40 03 04 c0000201
    c0 63 02 abcd        # unknown optional transitive type 99
    80 64 01 00          # unknown optional non-transitive type 100: ignored
    e0 62 01 ee          # unknown type 98, Partial already set
    08 0a
  )");
  auto d = decode_ok(msg, kFourOctet);
  EXPECT_TRUE(d.errors.empty());
  ASSERT_EQ(d.update.attrs.unknown.size(), 2u);
  EXPECT_EQ(d.update.attrs.unknown[0].type, 98);  // kept in type order
  EXPECT_EQ(d.update.attrs.unknown[1], (UnknownAttribute{0xC0, 99, {0xab, 0xcd}}));
  auto out = encode(d.update, kFourOctet);
  EXPECT_EQ(common::to_hex(out), common::to_hex(hex(kMarker + R"(
    0030 02 0000 0017
    40 01 01 00 40 02 00 40 03 04 c0000201
    e0 62 01 ee          # written before type 99 (ascending, RFC 4271 5)
    e0 63 02 abcd        # Partial bit set
    08 0a
  )")));
}

TEST(Update, LongAttributeUsesExtendedLength) {
  Update u = ipv4_update();
  for (std::uint32_t i = 0; i < 100; ++i) u.attrs.communities.push_back(i);
  std::sort(u.attrs.communities.begin(), u.attrs.communities.end());
  auto bytes = encode(u, kTwoOctet);
  const std::string needle =
      "d008"
      "0194";  // optional transitive + ext, type 8, 404 octets
  EXPECT_NE(common::to_hex(bytes).find(needle), std::string::npos);
  EXPECT_EQ(decode_ok(bytes, kTwoOctet).update, u);
}

// RFC 6793 4.2.2: a 2-octet session gets AS_TRANS plus AS4_PATH.
TEST(As4, TwoOctetEncodingAddsAs4Path) {
  Update u = ipv4_update();
  u.withdrawn.clear();
  u.body_withdrawn_count = 0;
  u.attrs.med.reset();
  u.attrs.communities.clear();
  u.nlri = {pfx("10.0.0.0/8")};
  u.body_nlri_count = 1;
  u.attrs.as_path.segments = {{AsPathSegmentType::AsSequence, {65001, 4200000000u, 65002}}};
  const auto golden = hex(kMarker + R"(
    0040 02 0000 0027
    40 01 01 00
    40 02 08 02 03 fde9 5ba0 fdea          # AS_PATH with AS_TRANS
    40 03 04 c0000201
    c0 11 0e 02 03 0000fde9 fa56ea00 0000fdea   # AS4_PATH
    08 0a
  )");
  EXPECT_EQ(common::to_hex(encode(u, kTwoOctet)), common::to_hex(golden));
  EXPECT_EQ(decode_ok(golden, kTwoOctet).update, u);
}

std::vector<std::uint8_t> as4_update(const std::string& attributes) {
  const auto attrs = hex(attributes);
  std::vector<std::uint8_t> msg = hex(kMarker + "0000 02 0000");
  msg.push_back(static_cast<std::uint8_t>(attrs.size() >> 8));
  msg.push_back(static_cast<std::uint8_t>(attrs.size()));
  msg.insert(msg.end(), attrs.begin(), attrs.end());
  msg.push_back(0x08);
  msg.push_back(0x0a);
  msg[16] = static_cast<std::uint8_t>(msg.size() >> 8);
  msg[17] = static_cast<std::uint8_t>(msg.size());
  return msg;
}

std::string mandatory_attrs() {
  return "40 01 01 00 40 03 04 c0000201 ";
}

TEST(As4, MergeAfterOldSpeakerPrepended) {
  auto d = decode_ok(as4_update(mandatory_attrs() + R"(
    40 02 0a 02 04 0064 fde9 5ba0 fdea       # AS_PATH 100 65001 AS_TRANS 65002
    c0 11 0e 02 03 0000fde9 fa56ea00 0000fdea # AS4_PATH 65001 4200000000 65002
  )"),
                     kTwoOctet);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.update.attrs.as_path.to_string(), "100 65001 4200000000 65002");
}

TEST(As4, MergeKeepsAsSetAndCountsItAsOne) {
  auto d = decode_ok(as4_update(mandatory_attrs() + R"(
    40 02 0e 02 01 0064 01 02 5ba0 fde9 02 01 5ba0   # 100 {AS_TRANS,65001} AS_TRANS
    c0 11 10 01 02 fa56ea00 0000fde9 02 01 fa56ea01  # {4200000000,65001} 4200000001
  )"),
                     kTwoOctet);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.update.attrs.as_path.to_string(), "100 {4200000000,65001} 4200000001");
}

TEST(As4, LongerAs4PathIsIgnored) {
  auto d = decode_ok(as4_update(mandatory_attrs() + R"(
    40 02 04 02 01 5ba0                       # AS_PATH: AS_TRANS
    c0 11 0a 02 02 fa56ea00 fa56ea01          # AS4_PATH with 2 ASes
  )"),
                     kTwoOctet);
  EXPECT_EQ(d.update.attrs.as_path.to_string(), "23456");
}

TEST(As4, AggregatorMergeRules) {
  // AGGREGATOR with AS_TRANS: AS4_AGGREGATOR gives the real AS.
  auto d = decode_ok(as4_update(mandatory_attrs() + R"(
    40 02 04 02 01 5ba0
    c0 07 06 5ba0 c0000263                    # AGGREGATOR AS_TRANS 192.0.2.99
    c0 11 06 02 01 fa56ea00
    c0 12 08 fa56ea00 c0000263                # AS4_AGGREGATOR 4200000000
  )"),
                     kTwoOctet);
  ASSERT_TRUE(d.update.attrs.aggregator);
  EXPECT_EQ(d.update.attrs.aggregator->asn, 4200000000u);
  EXPECT_EQ(d.update.attrs.as_path.to_string(), "4200000000");
  // RFC 6793 4.2.3: a real AS in AGGREGATOR means AS4_AGGREGATOR and
  // AS4_PATH are both ignored.
  auto old = decode_ok(as4_update(mandatory_attrs() + R"(
    40 02 04 02 01 5ba0
    c0 07 06 fde9 c0000263                    # AGGREGATOR 65001
    c0 11 06 02 01 fa56ea00
    c0 12 08 fa56ea00 c0000263
  )"),
                       kTwoOctet);
  EXPECT_EQ(old.update.attrs.aggregator->asn, 65001u);
  EXPECT_EQ(old.update.attrs.as_path.to_string(), "23456");
}

TEST(As4, AggregatorEncodingOnTwoOctetSession) {
  Update u = ipv4_update();
  u.attrs.aggregator = Aggregator{4200000000u, ip("192.0.2.99")};
  const auto hexed = common::to_hex(encode(u, kTwoOctet));
  EXPECT_NE(hexed.find("c007065ba0c0000263"), std::string::npos);      // AGGREGATOR AS_TRANS
  EXPECT_NE(hexed.find("c01208fa56ea00c0000263"), std::string::npos);  // AS4_AGGREGATOR
  EXPECT_EQ(decode_ok(encode(u, kTwoOctet), kTwoOctet).update, u);
  // Between NEW speakers neither AS4_* attribute is sent.
  const auto four = common::to_hex(encode(u, kFourOctet));
  EXPECT_NE(four.find("c00708fa56ea00c0000263"), std::string::npos);
  EXPECT_EQ(four.find("c012"), std::string::npos);
}

TEST(As4, As4AttributesFromNewSpeakerAreDiscarded) {
  auto d = decode_ok(as4_update(mandatory_attrs() + R"(
    40 02 06 02 01 0000fde9                   # 4-octet AS_PATH 65001
    c0 11 06 02 01 fa56ea00                   # AS4_PATH: must be ignored
  )"),
                     kFourOctet);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.update.attrs.as_path.to_string(), "65001");
}

TEST(EndOfRib, Ipv4GoldenAndDetection) {
  const auto golden = hex(kMarker + "0017 02 0000 0000  # RFC 4724 2: empty UPDATE");
  std::vector<std::uint8_t> out;
  encode_end_of_rib(kIpv4Unicast, out);
  EXPECT_EQ(out, golden);
  EXPECT_EQ(decode_ok(golden, kFourOctet).end_of_rib, kIpv4Unicast);
}

TEST(EndOfRib, Ipv6GoldenAndDetection) {
  const auto golden = hex(kMarker + R"(
    001e 02 0000 0007
    90 0f 0003 0002 01   # MP_UNREACH_NLRI IPv6 unicast, no prefixes
  )");
  std::vector<std::uint8_t> out;
  encode_end_of_rib(kIpv6Unicast, out);
  EXPECT_EQ(out, golden);
  EXPECT_EQ(decode_ok(golden, kFourOctet).end_of_rib, kIpv6Unicast);
}

TEST(EndOfRib, NotForUpdatesWithContent) {
  EXPECT_FALSE(decode_ok(hex(ipv4_golden()), kTwoOctet).end_of_rib);
  // An empty MP_UNREACH next to another attribute is not End-of-RIB.
  auto d = decode_ok(hex(kMarker + "0022 02 0000 000b 90 0f 0003 0002 01 40 01 01 00"), kFourOctet);
  EXPECT_FALSE(d.end_of_rib);
}

TEST(AttributeTable, RowsAreInTypeOrderWithRfc7606Actions) {
  const auto table = attribute_table();
  ASSERT_EQ(table.size(), 13u);
  for (std::size_t i = 1; i < table.size(); ++i) {
    EXPECT_LT(table[i - 1].type, table[i].type);
  }
  EXPECT_EQ(find_attribute(1)->name, "ORIGIN");
  EXPECT_EQ(find_attribute(6)->on_error, Action::AttributeDiscard);
  EXPECT_EQ(find_attribute(14)->on_error, Action::SessionReset);
  EXPECT_EQ(find_attribute(2)->on_error, Action::TreatAsWithdraw);
  EXPECT_EQ(find_attribute(99), nullptr);
}

}  // namespace
}  // namespace bgpd::wire::test
