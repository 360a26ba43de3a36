// tests/unit/wire/rfc7606_test.cpp - UPDATE error handling: every case with
// its RFC 7606 approach and NOTIFICATION code/subcode/data.
#include "wire_test_util.hpp"

namespace bgpd::wire::test {
namespace {

constexpr SessionOptions kEbgp{false, false, false};  // 2-octet ASNs
constexpr SessionOptions kIbgp4{true, false, true};   // 4-octet ASNs, internal
constexpr SessionOptions kIbgp2{false, false, true};  // 2-octet ASNs, internal

// An UPDATE around `attributes` (hex), with withdrawn and NLRI fields.
std::vector<std::uint8_t> update(const std::string& attributes, const std::string& nlri = "08 0a",
                                 const std::string& withdrawn = "") {
  const auto w = hex(withdrawn);
  const auto a = hex(attributes);
  const auto n = hex(nlri);
  std::vector<std::uint8_t> msg = hex(kMarker + "0000 02");
  auto put16 = [&msg](std::size_t v) {
    msg.push_back(static_cast<std::uint8_t>(v >> 8));
    msg.push_back(static_cast<std::uint8_t>(v));
  };
  put16(w.size());
  msg.insert(msg.end(), w.begin(), w.end());
  put16(a.size());
  msg.insert(msg.end(), a.begin(), a.end());
  msg.insert(msg.end(), n.begin(), n.end());
  msg[16] = static_cast<std::uint8_t>(msg.size() >> 8);
  msg[17] = static_cast<std::uint8_t>(msg.size());
  return msg;
}

std::string origin_attr() {
  return "40 01 01 00 ";
}
std::string as_path_attr() {
  return "40 02 04 02 01 fde9 ";
}
std::string next_hop_attr() {
  return "40 03 04 c0000201 ";
}
std::string valid_attrs() {
  return origin_attr() + as_path_attr() + next_hop_attr();
}

struct NonFatalCase {
  const char* name;
  std::string attributes;
  SessionOptions options;
  Action action;
  UpdateSubcode subcode;
  std::string data;  // hex
};

class NonFatal : public ::testing::TestWithParam<NonFatalCase> {};

TEST_P(NonFatal, ActionSubcodeAndData) {
  const auto& c = GetParam();
  auto m = decode_message(update(c.attributes), c.options);
  ASSERT_TRUE(m) << m.error().reason;
  const auto& d = std::get<DecodedUpdate>(*m);
  ASSERT_EQ(d.errors.size(), 1u);
  const auto& e = d.errors[0];
  EXPECT_EQ(e.code, ErrorCode::UpdateMessage);
  EXPECT_EQ(e.subcode, static_cast<std::uint8_t>(c.subcode));
  EXPECT_EQ(e.action, c.action);
  EXPECT_EQ(common::to_hex(e.data), common::to_hex(hex(c.data)));
  EXPECT_EQ(d.action(), c.action);
  if (c.action == Action::TreatAsWithdraw) {
    // RFC 7606 2: the announced prefix becomes a withdrawal.
    EXPECT_TRUE(d.update.nlri.empty());
    EXPECT_EQ(d.update.withdrawn, std::vector<Prefix>{pfx("10.0.0.0/8")});
    EXPECT_EQ(d.update.attrs, PathAttributes{});
  } else {
    EXPECT_EQ(d.update.nlri, std::vector<Prefix>{pfx("10.0.0.0/8")});
    EXPECT_EQ(d.update.attrs.next_hop, ip("192.0.2.1"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7606, NonFatal,
    ::testing::Values(
        // 7.1 ORIGIN
        NonFatalCase{"OriginLength", "40 01 02 0000 " + as_path_attr() + next_hop_attr(), kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::AttributeLengthError, "40 01 02 0000"},
        NonFatalCase{"OriginValue", "40 01 01 03 " + as_path_attr() + next_hop_attr(), kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::InvalidOriginAttribute, "40010103"},
        // 3 (c) flags in conflict with the category
        NonFatalCase{"OriginFlags", "c0 01 01 00 " + as_path_attr() + next_hop_attr(), kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::AttributeFlagsError, "c0010100"},
        // 7.2 AS_PATH
        NonFatalCase{"AsPathSegmentType", origin_attr() + "40 02 04 05 01 fde9 " + next_hop_attr(),
                     kEbgp, Action::TreatAsWithdraw, UpdateSubcode::MalformedAsPath,
                     "40020405 01fde9"},
        NonFatalCase{"AsPathZeroSegment", origin_attr() + "40 02 02 02 00 " + next_hop_attr(),
                     kEbgp, Action::TreatAsWithdraw, UpdateSubcode::MalformedAsPath, "4002020200"},
        NonFatalCase{"AsPathOverrun", origin_attr() + "40 02 04 02 02 fde9 " + next_hop_attr(),
                     kEbgp, Action::TreatAsWithdraw, UpdateSubcode::MalformedAsPath,
                     "4002040202fde9"},
        NonFatalCase{"AsPathTrailingOctet",
                     origin_attr() + "40 02 05 02 01 fde9 02 " + next_hop_attr(), kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::MalformedAsPath, "400205 0201fde9 02"},
        NonFatalCase{"AsPathTwoOctetOnFourOctetSession",
                     origin_attr() + "40 02 06 02 02 fde9 fdea " + next_hop_attr(), kIbgp4,
                     Action::TreatAsWithdraw, UpdateSubcode::MalformedAsPath,
                     "400206 0202fde9fdea"},
        // 7.3 NEXT_HOP
        NonFatalCase{"NextHopLength", origin_attr() + as_path_attr() + "40 03 05 c000020100", kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::AttributeLengthError,
                     "400305c000020100"},
        NonFatalCase{"NextHopZero", origin_attr() + as_path_attr() + "40 03 04 00000000", kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::InvalidNextHopAttribute,
                     "40030400000000"},
        NonFatalCase{"NextHopMulticast", origin_attr() + as_path_attr() + "40 03 04 e0000001",
                     kEbgp, Action::TreatAsWithdraw, UpdateSubcode::InvalidNextHopAttribute,
                     "400304e0000001"},
        // 7.4 MULTI_EXIT_DISC, 7.5 LOCAL_PREF
        NonFatalCase{"MedLength", valid_attrs() + "80 04 03 000001", kEbgp, Action::TreatAsWithdraw,
                     UpdateSubcode::AttributeLengthError, "800403000001"},
        NonFatalCase{"LocalPrefLength", valid_attrs() + "40 05 02 0001", kIbgp2,
                     Action::TreatAsWithdraw, UpdateSubcode::AttributeLengthError, "4005020001"},
        // 7.6 ATOMIC_AGGREGATE, 7.7 AGGREGATOR: attribute discard
        NonFatalCase{"AtomicAggregateLength", valid_attrs() + "40 06 01 00", kEbgp,
                     Action::AttributeDiscard, UpdateSubcode::AttributeLengthError, "40060100"},
        NonFatalCase{"AggregatorLength", valid_attrs() + "c0 07 07 fde9 c0000201 00", kEbgp,
                     Action::AttributeDiscard, UpdateSubcode::AttributeLengthError,
                     "c00707fde9c000020100"},
        NonFatalCase{"AggregatorFlags", valid_attrs() + "40 07 06 fde9 c0000201", kEbgp,
                     Action::AttributeDiscard, UpdateSubcode::AttributeFlagsError,
                     "400706fde9c0000201"},
        // 7.8 COMMUNITIES, RFC 8092 6 LARGE_COMMUNITIES
        NonFatalCase{"CommunitiesEmpty", valid_attrs() + "c0 08 00", kEbgp, Action::TreatAsWithdraw,
                     UpdateSubcode::AttributeLengthError, "c00800"},
        NonFatalCase{"CommunitiesNotMultipleOf4", valid_attrs() + "c0 08 05 0001000200", kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::AttributeLengthError,
                     "c008050001000200"},
        NonFatalCase{"LargeCommunitiesLength", valid_attrs() + "c0 20 08 0000000100000002", kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::AttributeLengthError,
                     "c020080000000100000002"},
        // RFC 6793 6: AS4_PATH / AS4_AGGREGATOR malformed -> attribute discard
        NonFatalCase{"As4PathMalformed", valid_attrs() + "c0 11 04 02 02 0000", kEbgp,
                     Action::AttributeDiscard, UpdateSubcode::MalformedAsPath, "c01104 0202 0000"},
        NonFatalCase{"As4AggregatorLength", valid_attrs() + "c0 12 06 fde9 c0000201", kEbgp,
                     Action::AttributeDiscard, UpdateSubcode::AttributeLengthError,
                     "c01206fde9c0000201"},
        // 3 (g): a repeated attribute: all but the first discarded
        NonFatalCase{"DuplicateOrigin", valid_attrs() + "40 01 01 01", kEbgp,
                     Action::AttributeDiscard, UpdateSubcode::MalformedAttributeList, "40010101"},
        // 3 (d): missing well-known mandatory attributes
        NonFatalCase{"MissingOrigin", as_path_attr() + next_hop_attr(), kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::MissingWellKnownAttribute, "01"},
        NonFatalCase{"MissingAsPath", origin_attr() + next_hop_attr(), kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::MissingWellKnownAttribute, "02"},
        NonFatalCase{"MissingNextHop", origin_attr() + as_path_attr(), kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::MissingWellKnownAttribute, "03"},
        // RFC 4271 5: an unrecognized well-known attribute
        NonFatalCase{"UnrecognizedWellKnown", valid_attrs() + "40 63 01 00", kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::UnrecognizedWellKnownAttribute,
                     "40630100"},
        // 4: the last attribute overruns the Total Path Attribute Length
        NonFatalCase{"AttributeFramingOverrun", valid_attrs() + "c0 08 08 00010002", kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::MalformedAttributeList, ""},
        NonFatalCase{"AttributeFramingShortHeader", valid_attrs() + "c0", kEbgp,
                     Action::TreatAsWithdraw, UpdateSubcode::MalformedAttributeList, ""}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(Rfc7606, DiscardedAttributeIsAbsentAndFirstDuplicateKept) {
  auto m = decode_message(update(valid_attrs() + "40 06 01 00 40 01 01 01"), kEbgp);
  ASSERT_TRUE(m);
  const auto& d = std::get<DecodedUpdate>(*m);
  ASSERT_EQ(d.errors.size(), 2u);
  EXPECT_EQ(d.action(), Action::AttributeDiscard);
  EXPECT_FALSE(d.update.attrs.atomic_aggregate);
  EXPECT_EQ(d.update.attrs.origin, Origin::Igp);  // the first ORIGIN
}

TEST(Rfc7606, StrongestApproachWins) {
  // 3 (j): attribute discard (ATOMIC_AGGREGATE) + treat-as-withdraw (MED).
  auto m = decode_message(update(valid_attrs() + "40 06 01 00 80 04 02 0000"), kEbgp);
  ASSERT_TRUE(m);
  const auto& d = std::get<DecodedUpdate>(*m);
  ASSERT_EQ(d.errors.size(), 2u);
  EXPECT_EQ(d.errors[0].action, Action::AttributeDiscard);
  EXPECT_EQ(d.errors[1].action, Action::TreatAsWithdraw);
  EXPECT_TRUE(d.treat_as_withdraw());
  EXPECT_EQ(d.update.withdrawn, std::vector<Prefix>{pfx("10.0.0.0/8")});
}

TEST(Rfc7606, LocalPrefFromExternalPeerDiscardedEvenIfMalformed) {
  // 7.5: from an external neighbor LOCAL_PREF is discarded, whatever it holds.
  for (const char* local_pref : {"40 05 04 00000064", "40 05 02 0001", "c0 05 04 00000064"}) {
    auto m = decode_message(update(valid_attrs() + local_pref), kEbgp);
    ASSERT_TRUE(m);
    const auto& d = std::get<DecodedUpdate>(*m);
    EXPECT_TRUE(d.errors.empty()) << local_pref;
    EXPECT_FALSE(d.update.attrs.local_pref);
    EXPECT_EQ(d.update.nlri, std::vector<Prefix>{pfx("10.0.0.0/8")});
  }
  auto internal = decode_message(update(valid_attrs() + "40 05 04 00000064"), kIbgp2);
  ASSERT_TRUE(internal);
  EXPECT_EQ(std::get<DecodedUpdate>(*internal).update.attrs.local_pref, 100u);
}

TEST(Rfc7606, ExtendedLengthAcceptedOnAnyAttribute) {
  auto m = decode_message(update("50 01 0001 00 " + as_path_attr() + next_hop_attr()), kEbgp);
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::get<DecodedUpdate>(*m).errors.empty());
}

TEST(Rfc7606, AttributesWithoutNlriAreNotAnError) {
  auto m = decode_message(update(origin_attr(), ""), kEbgp);
  ASSERT_TRUE(m);
  const auto& d = std::get<DecodedUpdate>(*m);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_FALSE(d.end_of_rib);
}

struct FatalCase {
  const char* name;
  std::vector<std::uint8_t> message;
  UpdateSubcode subcode;
  std::string data;
};

class Fatal : public ::testing::TestWithParam<FatalCase> {};

TEST_P(Fatal, SessionResetWithNotification) {
  const auto& c = GetParam();
  auto m = decode_message(c.message, kIbgp4);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().action, Action::SessionReset);
  EXPECT_TRUE(m.error().fatal());
  EXPECT_EQ(m.error().code, ErrorCode::UpdateMessage);
  EXPECT_EQ(m.error().subcode, static_cast<std::uint8_t>(c.subcode));
  EXPECT_EQ(common::to_hex(m.error().data), common::to_hex(hex(c.data)));
  // The NOTIFICATION it becomes: code 3, the subcode, the data.
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  encode_notification(to_notification(m.error()), w);
  const auto expected_body = "03" + common::to_hex(std::vector<std::uint8_t>{m.error().subcode}) +
                             common::to_hex(hex(c.data));
  EXPECT_EQ(common::to_hex(body_of(out)), expected_body);
}

std::string valid_attrs4() {
  return "40 01 01 00 40 02 06 02 01 0000fde9 40 03 04 c0000201 ";
}
std::string mp_reach_attr() {
  return "90 0e 001a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8 ";
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7606, Fatal,
    ::testing::Values(
        // 3 (g): MP_REACH_NLRI twice
        FatalCase{"DuplicateMpReach",
                  update(mp_reach_attr() + mp_reach_attr() + valid_attrs4(), ""),
                  UpdateSubcode::MalformedAttributeList, ""},
        FatalCase{"DuplicateMpUnreach", update("90 0f 0003 0002 01 90 0f 0003 0002 01", ""),
                  UpdateSubcode::MalformedAttributeList, ""},
        // 7.11 / RFC 4760 7: next hop length inconsistent with the AFI
        FatalCase{"MpReachNextHopLength",
                  update("90 0e 000e 0002 01 04 c0000201 00 20 20010db8 " + valid_attrs4(), ""),
                  UpdateSubcode::OptionalAttributeError,
                  "900e000e 000201 04c0000201 00 2020010db8"},
        FatalCase{"MpReachPrefixTooLong",
                  update("80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 81 20010db8 " +
                             valid_attrs4(),
                         ""),
                  UpdateSubcode::OptionalAttributeError,
                  "800e1a 000201 10 20010db8000000000000000000000001 00 8120010db8"},
        FatalCase{"MpReachUnsupportedAfi", update("80 0e 05 0003 01 00 00 " + valid_attrs4(), ""),
                  UpdateSubcode::OptionalAttributeError, "800e05 000301 00 00"},
        FatalCase{"MpReachTruncated", update("80 0e 02 0002", ""),
                  UpdateSubcode::OptionalAttributeError, "800e02 0002"},
        FatalCase{"MpUnreachPrefixOverrun", update("80 0f 06 0002 01 40 2001", ""),
                  UpdateSubcode::OptionalAttributeError, "800f06 000201 40 2001"},
        FatalCase{"MpReachFlags", update("40 0f 03 0002 01", ""),
                  UpdateSubcode::AttributeFlagsError, "400f03000201"},
        // 5.3 / RFC 4271 6.3: NLRI and withdrawn syntax
        FatalCase{"NlriPrefixLength33", update(valid_attrs4(), "21 0a000000 00"),
                  UpdateSubcode::InvalidNetworkField, ""},
        FatalCase{"NlriPrefixOverrun", update(valid_attrs4(), "18 0a00"),
                  UpdateSubcode::InvalidNetworkField, ""},
        FatalCase{"WithdrawnPrefixOverrun", update("", "", "20 0a0000"),
                  UpdateSubcode::InvalidNetworkField, ""},
        // RFC 4271 6.3: lengths beyond the message
        FatalCase{"WithdrawnLengthOverrun",
                  hex(kMarker + "0018 02 0005 000000  # says 5 octets of withdrawn routes, has 3"),
                  UpdateSubcode::MalformedAttributeList, ""},
        FatalCase{"AttributeLengthOverrun", hex(kMarker + "0018 02 0000 0009 40"),
                  UpdateSubcode::MalformedAttributeList, ""}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

}  // namespace
}  // namespace bgpd::wire::test
