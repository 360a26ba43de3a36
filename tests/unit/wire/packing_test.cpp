// tests/unit/wire/packing_test.cpp - many prefixes into few UPDATEs.
#include <map>

#include "wire_test_util.hpp"

namespace bgpd::wire::test {
namespace {

struct Split {
  std::vector<std::vector<std::uint8_t>> messages;
};

// Splits a buffer of back-to-back messages with the framing helper.
Split split(const std::vector<std::uint8_t>& out, const SessionOptions& o) {
  Split s;
  std::size_t at = 0;
  while (at < out.size()) {
    auto len = next_message_length(std::span(out).subspan(at), o);
    EXPECT_TRUE(len && len->has_value());
    if (!len || !len->has_value()) break;
    s.messages.emplace_back(out.begin() + static_cast<std::ptrdiff_t>(at),
                            out.begin() + static_cast<std::ptrdiff_t>(at + **len));
    at += **len;
  }
  return s;
}

std::vector<Prefix> many_v4(std::size_t n) {
  std::vector<Prefix> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    // Mixed lengths: /24 (4 octets on the wire) and /32 (5).
    const std::uint8_t len = i % 2 ? 32 : 24;
    out.push_back(*Prefix::make(IpAddress::v4(0x0A000000u + (i << 8)), len));
  }
  return out;
}

std::vector<Prefix> many_v6(std::size_t n) {
  std::vector<Prefix> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    auto a = ip("2001:db8::");
    a.bytes[4] = static_cast<std::uint8_t>(i >> 8);
    a.bytes[5] = static_cast<std::uint8_t>(i);
    out.push_back(*Prefix::make(a, i % 3 ? 48 : 64));
  }
  return out;
}

PathAttributes attrs_with(IpAddress nh) {
  PathAttributes a;
  a.as_path.segments = {{AsPathSegmentType::AsSequence, {65001, 4200000000u}}};
  a.next_hop = nh;
  a.communities = {1, 2, 3};
  return a;
}

// Every message within the limit, decodes cleanly with `attrs`, and the
// prefixes come back exactly once each; returns the message count.
std::size_t check_announce(const std::vector<std::uint8_t>& out, const SessionOptions& o,
                           const std::vector<Prefix>& prefixes, const PathAttributes& attrs) {
  std::map<Prefix, int> seen;
  auto s = split(out, o);
  for (const auto& msg : s.messages) {
    EXPECT_LE(msg.size(), o.max_message_size());
    auto m = decode_message(msg, o);
    EXPECT_TRUE(m);
    if (!m) continue;
    const auto& d = std::get<DecodedUpdate>(*m);
    EXPECT_TRUE(d.errors.empty());
    for (std::size_t i = 0; i < d.update.nlri.size(); ++i) {
      ++seen[d.update.nlri[i]];
      EXPECT_EQ(d.update.attributes_for(i), attrs);
    }
  }
  EXPECT_EQ(seen.size(), prefixes.size());
  for (const auto& p : prefixes) EXPECT_EQ(seen[p], 1) << p.to_string();
  return s.messages.size();
}

TEST(Packing, Ipv4AnnounceFillsMessages) {
  const SessionOptions o{false, false, false};
  const auto prefixes = many_v4(3000);
  auto attrs = attrs_with(ip("192.0.2.1"));
  UpdatePacker packer(o);
  std::vector<std::uint8_t> out;
  auto n = packer.announce(attrs, prefixes, out);
  ASSERT_TRUE(n);
  EXPECT_EQ(check_announce(out, o, prefixes, attrs), *n);
  // 1500 x 4 + 1500 x 5 = 13500 octets of NLRI; per message 4096 minus
  // 23 of header and the attribute block: 4 messages are the minimum.
  EXPECT_EQ(*n, 4u);
}

TEST(Packing, Ipv6AnnounceInMpReachWithLinkLocal) {
  const SessionOptions o{true, false, false};
  const auto prefixes = many_v6(2000);
  auto attrs = attrs_with(ip("2001:db8::1"));
  attrs.link_local_next_hop = ip("fe80::1");
  UpdatePacker packer(o);
  std::vector<std::uint8_t> out;
  auto n = packer.announce(attrs, prefixes, out);
  ASSERT_TRUE(n);
  EXPECT_EQ(check_announce(out, o, prefixes, attrs), *n);
  std::size_t nlri_octets = 0;
  for (const auto& p : prefixes) nlri_octets += 1 + (p.length + 7u) / 8u;
  const std::size_t room = kMaxMessageSize - 200;  // generous per-message overhead
  EXPECT_LE(*n, (nlri_octets + room - 1) / room);
}

TEST(Packing, ExtendedMessagesPackMore) {
  const SessionOptions o{true, true, false};
  const auto prefixes = many_v4(20000);
  auto attrs = attrs_with(ip("192.0.2.1"));
  UpdatePacker packer(o);
  std::vector<std::uint8_t> out;
  auto n = packer.announce(attrs, prefixes, out);
  ASSERT_TRUE(n);
  EXPECT_EQ(check_announce(out, o, prefixes, attrs), *n);
  EXPECT_EQ(*n, 2u);  // 90000 octets of NLRI
}

TEST(Packing, MixedFamiliesInOneCallNeedMatchingNextHop) {
  const SessionOptions o{true, false, false};
  std::vector<Prefix> mixed = {pfx("10.0.0.0/8"), pfx("2001:db8::/32")};
  UpdatePacker packer(o);
  std::vector<std::uint8_t> out = {0xAA};
  auto r = packer.announce(attrs_with(ip("192.0.2.1")), mixed, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), EncodeError::NextHopMissing);
  EXPECT_EQ(out, std::vector<std::uint8_t>{0xAA});  // nothing appended on error
}

TEST(Packing, WithdrawBothFamilies) {
  const SessionOptions o{true, false, false};
  auto v4 = many_v4(2500);
  auto v6 = many_v6(1500);
  std::vector<Prefix> all = v4;
  all.insert(all.end(), v6.begin(), v6.end());
  UpdatePacker packer(o);
  std::vector<std::uint8_t> out;
  const std::size_t n = packer.withdraw(all, out);
  auto s = split(out, o);
  ASSERT_EQ(s.messages.size(), n);
  std::map<Prefix, int> seen;
  for (const auto& msg : s.messages) {
    EXPECT_LE(msg.size(), kMaxMessageSize);
    auto m = decode_message(msg, o);
    ASSERT_TRUE(m);
    const auto& d = std::get<DecodedUpdate>(*m);
    EXPECT_TRUE(d.errors.empty());
    EXPECT_TRUE(d.update.nlri.empty());
    for (const auto& p : d.update.withdrawn) ++seen[p];
  }
  EXPECT_EQ(seen.size(), all.size());
  for (const auto& p : all) EXPECT_EQ(seen[p], 1);
  // 11250 octets IPv4 -> 3 messages; IPv6 1500 prefixes ~ 10000 octets -> 3.
  EXPECT_EQ(n, 6u);
}

TEST(Packing, AttributesTooLargeForAnyPrefix) {
  const SessionOptions o{false, false, false};
  auto attrs = attrs_with(ip("192.0.2.1"));
  for (std::uint32_t i = 0; i < 1100; ++i) attrs.communities.push_back(1000 + i);
  UpdatePacker packer(o);
  std::vector<std::uint8_t> out;
  auto r = packer.announce(attrs, many_v4(1), out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), EncodeError::AttributesTooLarge);
  EXPECT_TRUE(out.empty());
}

TEST(Packing, EncodeUpdateRejectsOversizedMessage) {
  Update u;
  u.nlri = many_v4(1200);
  u.body_nlri_count = u.nlri.size();
  u.attrs = attrs_with(ip("192.0.2.1"));
  std::vector<std::uint8_t> out;
  auto r = encode_update(u, {}, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), EncodeError::MessageTooLarge);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(encode_update(u, {false, true, false}, out));
}

}  // namespace
}  // namespace bgpd::wire::test
