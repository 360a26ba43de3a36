// tests/tools/injector/stream_test.cpp - the stream writer, scanner and
// chunker, and the checks the injector makes before and after OPEN.
#include "tests/tools/injector/stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <variant>

#include "bgpd/wire/message.hpp"
#include "tests/tools/injector/control_client.hpp"
#include "tests/tools/injector/session.hpp"

namespace injector {
namespace {

namespace wire = bgpd::wire;

StreamOptions table(std::size_t v4, std::size_t v6, std::uint64_t seed = 7) {
  StreamOptions options;
  options.table.ipv4 = v4;
  options.table.ipv6 = v6;
  options.table.seed = seed;
  return options;
}

EncodedStream encode(const StreamOptions& options) {
  auto encoded = encode_stream(options);
  EXPECT_TRUE(encoded.has_value()) << (encoded ? "" : encoded.error().what);
  return encoded ? std::move(*encoded) : EncodedStream{};
}

// Every message of a stream, decoded.
std::vector<wire::DecodedUpdate> decode_all(std::span<const std::uint8_t> bytes,
                                            const wire::SessionOptions& session) {
  std::vector<wire::DecodedUpdate> out;
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t n = (std::size_t{bytes[at + 16]} << 8) | bytes[at + 17];
    auto message = wire::decode_message(bytes.subspan(at, n), session);
    EXPECT_TRUE(message.has_value());
    if (!message) break;
    out.push_back(std::get<wire::DecodedUpdate>(*message));
    at += n;
  }
  return out;
}

TEST(InjectorStream, ScanAgreesWithWriter) {
  const auto options = table(3000, 500);
  const auto encoded = encode(options);
  auto scanned = scan_stream(encoded.bytes, options.session);
  ASSERT_TRUE(scanned.has_value()) << scanned.error().what;
  EXPECT_EQ(*scanned, encoded.summary);
  EXPECT_EQ(scanned->ipv4_prefixes, 3000u);
  EXPECT_EQ(scanned->ipv6_prefixes, 500u);
  EXPECT_EQ(scanned->bytes, encoded.bytes.size());
  EXPECT_EQ(scanned->end_of_rib, (std::vector{wire::kIpv4Unicast, wire::kIpv6Unicast}));
  EXPECT_EQ(scanned->messages, scanned->updates + 2);
  EXPECT_LE(scanned->largest_message, wire::kMaxMessageSize);
  EXPECT_EQ(scanned->withdrawn, 0u);
  EXPECT_EQ(scanned->families(), (std::vector{wire::kIpv4Unicast, wire::kIpv6Unicast}));
}

TEST(InjectorStream, CarriesExactlyTheGeneratedRoutes) {
  const auto options = table(2000, 300, 11);
  const auto encoded = encode(options);
  std::map<wire::Prefix, wire::PathAttributes> sent;
  const auto updates = decode_all(encoded.bytes, options.session);
  ASSERT_FALSE(updates.empty());
  for (const auto& u : updates) {
    for (std::size_t i = 0; i < u.update.nlri.size(); ++i) {
      EXPECT_TRUE(sent.emplace(u.update.nlri[i], u.update.attributes_for(i)).second)
          << "sent twice: " << u.update.nlri[i].to_string();
    }
  }
  // End-of-RIB last, one per family (RFC 4724 section 2).
  ASSERT_GE(updates.size(), 2u);
  EXPECT_EQ(updates[updates.size() - 2].end_of_rib, wire::kIpv4Unicast);
  EXPECT_EQ(updates.back().end_of_rib, wire::kIpv6Unicast);

  std::size_t generated = 0;
  for (const auto& group : tablegen::generate_groups(options.table)) {
    for (const auto& prefix : group.prefixes) {
      ++generated;
      const auto it = sent.find(prefix);
      ASSERT_NE(it, sent.end()) << prefix.to_string();
      auto expected = group.attributes;
      expected.next_hop = prefix.family() == wire::Afi::Ipv4 ? options.table.next_hop_v4
                                                             : options.table.next_hop_v6;
      EXPECT_EQ(it->second, expected) << prefix.to_string();
    }
  }
  EXPECT_EQ(generated, sent.size());
}

TEST(InjectorStream, SameOptionsSameBytes) {
  EXPECT_EQ(encode(table(1500, 100, 3)).bytes, encode(table(1500, 100, 3)).bytes);
  EXPECT_NE(encode(table(1500, 100, 3)).bytes, encode(table(1500, 100, 4)).bytes);
}

TEST(InjectorStream, EmptyTableIsOneIpv4EndOfRib) {
  const auto encoded = encode(table(0, 0));
  EXPECT_EQ(encoded.summary.messages, 1u);
  EXPECT_EQ(encoded.summary.prefixes(), 0u);
  EXPECT_EQ(encoded.summary.end_of_rib, std::vector{wire::kIpv4Unicast});
  // RFC 4724 section 2: header + two zero length fields.
  EXPECT_EQ(encoded.bytes.size(), wire::kHeaderSize + 4);
}

TEST(InjectorStream, ExtendedMessageEncodingScansWithItsOptions) {
  auto options = table(20000, 0);
  const auto plain = encode(options);
  options.session.extended_message = true;
  const auto extended = encode(options);
  // tablegen's groups are rarely big enough to need more than 4096 octets,
  // so the extended stream may equal the plain one; it is never longer.
  EXPECT_LE(extended.summary.messages, plain.summary.messages);
  EXPECT_LE(extended.bytes.size(), plain.bytes.size());
  EXPECT_EQ(extended.summary.prefixes(), 20000u);
  EXPECT_LE(extended.summary.largest_message, wire::kMaxExtendedMessageSize);
  auto scanned = scan_stream(extended.bytes, options.session);
  ASSERT_TRUE(scanned.has_value()) << scanned.error().what;
  EXPECT_EQ(*scanned, extended.summary);
}

TEST(InjectorStream, TwoOctetAsEncodingScansWithItsOptions) {
  auto options = table(1000, 0);
  options.session.four_octet_as = false;
  const auto encoded = encode(options);
  auto scanned = scan_stream(encoded.bytes, options.session);
  ASSERT_TRUE(scanned.has_value()) << scanned.error().what;
  EXPECT_EQ(scanned->ipv4_prefixes, 1000u);
  EXPECT_NE(encoded.bytes, encode(table(1000, 0)).bytes);
}

TEST(InjectorStream, ScanRefusesWhatIsNotACleanUpdateStream) {
  const auto options = table(200, 0);
  const auto encoded = encode(options);

  auto truncated = encoded.bytes;
  truncated.pop_back();
  auto result = scan_stream(truncated, options.session);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().offset, encoded.bytes.size() - wire::kHeaderSize - 4);
  EXPECT_NE(result.error().what.find("truncated"), std::string::npos);

  auto with_keepalive = encoded.bytes;
  std::vector<std::uint8_t> keepalive;
  wire::ByteWriter w(keepalive);
  wire::encode_keepalive(w);
  with_keepalive.insert(with_keepalive.begin(), keepalive.begin(), keepalive.end());
  result = scan_stream(with_keepalive, options.session);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().offset, 0u);
  EXPECT_NE(result.error().what.find("KEEPALIVE"), std::string::npos);

  auto bad_marker = encoded.bytes;
  bad_marker[0] = 0;
  EXPECT_FALSE(scan_stream(bad_marker, options.session).has_value());
}

TEST(InjectorStream, ChunksEndOnMessageBoundaries) {
  const auto options = table(3000, 200);
  const auto encoded = encode(options);
  const std::span<const std::uint8_t> bytes(encoded.bytes);
  for (std::size_t max_chunk :
       {std::size_t{1}, std::size_t{100}, std::size_t{4096}, std::size_t{65536}, bytes.size()}) {
    std::uint64_t messages = 0;
    std::size_t offset = 0;
    while (offset < bytes.size()) {
      const std::size_t end = next_chunk_end(bytes, offset, max_chunk);
      ASSERT_GT(end, offset);
      auto chunk = scan_stream(bytes.subspan(offset, end - offset), options.session);
      ASSERT_TRUE(chunk.has_value()) << max_chunk << ": " << chunk.error().what;
      EXPECT_TRUE(end - offset <= max_chunk || chunk->messages == 1) << max_chunk;
      messages += chunk->messages;
      offset = end;
    }
    EXPECT_EQ(offset, bytes.size());
    EXPECT_EQ(messages, encoded.summary.messages) << max_chunk;
  }
}

TEST(InjectorRequirements, NamesWhatTheSessionLacks) {
  wire::NegotiatedSession session;
  session.four_octet_as = true;
  session.families = {wire::kIpv4Unicast};
  StreamRequirements needs{{wire::kIpv4Unicast}, true, 4096};
  EXPECT_EQ(unmet_requirement(session, needs), std::nullopt);

  needs.families.push_back(wire::kIpv6Unicast);
  auto unmet = unmet_requirement(session, needs);
  ASSERT_TRUE(unmet.has_value());
  EXPECT_NE(unmet->find("ipv6-unicast"), std::string::npos);

  needs.families = {wire::kIpv4Unicast};
  session.four_octet_as = false;
  unmet = unmet_requirement(session, needs);
  ASSERT_TRUE(unmet.has_value());
  EXPECT_NE(unmet->find("RFC 6793"), std::string::npos);

  session.four_octet_as = true;
  needs.largest_message = 5000;
  unmet = unmet_requirement(session, needs);
  ASSERT_TRUE(unmet.has_value());
  EXPECT_NE(unmet->find("RFC 8654"), std::string::npos);
  session.extended_message = true;
  EXPECT_EQ(unmet_requirement(session, needs), std::nullopt);
}

TEST(InjectorControlClient, ReadsNeighborProgress) {
  const auto reply = nlohmann::json::parse(R"([
    {"address": "10.0.0.9", "state": "Active"},
    {"address": "10.0.0.2", "state": "Established",
     "prefixes": {"received": 20000, "accepted": 19990, "rejected": 10}}])");
  auto progress = neighbor_progress(reply, "10.0.0.2");
  ASSERT_TRUE(progress.has_value()) << progress.error();
  EXPECT_EQ(*progress, (NeighborProgress{"Established", 20000, 19990}));
  progress = neighbor_progress(reply, "10.0.0.9");
  ASSERT_TRUE(progress.has_value());
  EXPECT_EQ(*progress, (NeighborProgress{"Active", 0, 0}));
  EXPECT_FALSE(neighbor_progress(reply, "10.0.0.3").has_value());
  EXPECT_FALSE(neighbor_progress(nlohmann::json::object(), "10.0.0.2").has_value());
}

}  // namespace
}  // namespace injector
