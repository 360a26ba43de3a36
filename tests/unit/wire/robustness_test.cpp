// tests/unit/wire/robustness_test.cpp - truncated and corrupted input
// never crashes and always yields a value or a typed error.
#include <random>

#include "wire_test_util.hpp"

namespace bgpd::wire::test {
namespace {

// One message of every type, encoded by our own encoders.
std::vector<std::vector<std::uint8_t>> samples() {
  std::vector<std::vector<std::uint8_t>> out;
  auto add = [&out](auto&& write) {
    std::vector<std::uint8_t> buf;
    ByteWriter w(buf);
    write(w, buf);
    out.push_back(std::move(buf));
  };
  CapabilitySet caps;
  caps.multiprotocol = {kIpv4Unicast, kIpv6Unicast};
  caps.route_refresh = true;
  caps.graceful_restart = GracefulRestart{0, 90, {{kIpv4Unicast, 0x80}}};
  caps.unknown = {RawCapability{99, {1, 2}}};
  add([&](ByteWriter& w, auto&) { encode_open(OpenMessage::make(4200000000u, 90, 7, caps), w); });
  add([](ByteWriter& w, auto&) {
    encode_notification(make_cease(CeaseSubcode::AdministrativeShutdown, "bye"), w);
  });
  add([](ByteWriter& w, auto&) {
    encode_route_refresh({kIpv6Unicast, RouteRefreshSubtype::EndOfRouteRefresh}, w);
  });
  add([](ByteWriter& w, auto&) { encode_keepalive(w); });
  add([](ByteWriter&, auto& buf) { encode_end_of_rib(kIpv6Unicast, buf); });
  PathAttributes attrs;
  attrs.as_path.segments = {{AsPathSegmentType::AsSequence, {65001, 4200000000u}},
                            {AsPathSegmentType::AsSet, {1, 2}}};
  attrs.med = 5;
  attrs.local_pref = 100;
  attrs.atomic_aggregate = true;
  attrs.aggregator = Aggregator{4200000001u, ip("192.0.2.5")};
  attrs.communities = {1, 2};
  attrs.large_communities = {{1, 2, 3}};
  attrs.unknown = {UnknownAttribute{0xC0, 99, {9, 9}}};
  for (bool four : {false, true}) {
    Update u;
    u.withdrawn = {pfx("10.9.0.0/16"), pfx("2001:db8:9::/48")};
    u.body_withdrawn_count = 1;
    u.mp_unreach_family = kIpv6Unicast;
    u.nlri = {pfx("10.0.0.0/8"), pfx("2001:db8::/32")};
    u.body_nlri_count = 1;
    u.mp_reach_family = kIpv6Unicast;
    u.attrs = attrs;
    u.attrs.next_hop = ip("2001:db8::1");
    u.attrs.link_local_next_hop = ip("fe80::1");
    u.ipv4_next_hop = ip("192.0.2.1");
    std::vector<std::uint8_t> buf;
    EXPECT_TRUE(encode_update(u, {four, false, true}, buf));
    out.push_back(std::move(buf));
  }
  return out;
}

// Exercises every decoder on `bytes`; the result is only required to exist.
std::size_t decode_all(std::span<const std::uint8_t> bytes) {
  std::size_t ok = 0;
  for (const SessionOptions& o :
       {SessionOptions{false, false, false}, SessionOptions{true, true, true}}) {
    ok += decode_message(bytes, o).has_value();
    auto len = next_message_length(bytes, o);
    ok += len.has_value();
    const auto body = bytes.size() > kHeaderSize ? bytes.subspan(kHeaderSize) : bytes;
    ok += decode_update(body, o).has_value();
  }
  ok += decode_open(bytes).has_value();
  ok += decode_notification(bytes).has_value();
  ok += decode_route_refresh(bytes).has_value();
  return ok;
}

TEST(Robustness, SamplesDecodeWhole) {
  const auto all = samples();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& s = all[i];
    // The last sample is the UPDATE encoded with 4-octet ASNs, the one
    // before it with 2-octet ASNs.
    const bool four = i + 1 == all.size();
    auto m = decode_message(s, {four, true, true});
    ASSERT_TRUE(m) << common::to_hex(s) << " " << m.error().reason;
    if (auto* d = std::get_if<DecodedUpdate>(&*m)) {
      EXPECT_TRUE(d->errors.empty());
    }
  }
}

TEST(Robustness, EveryTruncationIsATypedError) {
  for (const auto& s : samples()) {
    for (std::size_t n = 0; n < s.size(); ++n) {
      const auto cut = std::span(s).first(n);
      auto m = decode_message(cut, {true, true, true});
      EXPECT_FALSE(m) << "length " << n << " of " << common::to_hex(s);
      auto len = next_message_length(cut, {true, true, true});
      ASSERT_TRUE(len);
      EXPECT_FALSE(len->has_value());
      decode_all(cut);
    }
  }
}

TEST(Robustness, TruncatedBodiesWithFixedLengthField) {
  // The header says the full length but the body decoders see less.
  for (const auto& s : samples()) {
    const auto body = std::span(s).subspan(kHeaderSize);
    for (std::size_t n = 0; n < body.size(); ++n) decode_all(body.first(n));
  }
  SUCCEED() << "no crash, no sanitizer report";
}

TEST(Robustness, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(4271);
  std::size_t decoded = 0;
  for (const auto& s : samples()) {
    for (int round = 0; round < 400; ++round) {
      auto m = s;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < flips; ++i) {
        // Mostly the body (past the marker), sometimes anywhere.
        const std::size_t from = (rng() % 8 != 0 && m.size() > kHeaderSize) ? kHeaderSize : 0;
        const std::size_t at = from + rng() % (m.size() - from);
        m[at] = static_cast<std::uint8_t>(rng());
      }
      decoded += decode_all(m);
    }
  }
  // Some corrupted messages still decode (a flipped community value is
  // valid), so the decoders are not simply rejecting everything.
  EXPECT_GT(decoded, 0u);
}

}  // namespace
}  // namespace bgpd::wire::test
