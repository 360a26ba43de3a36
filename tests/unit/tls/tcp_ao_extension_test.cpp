// Pure parts of aotls/tls: the tcp_ao extension codec and its alerts, the
// KeyID table of profile section 3, and the exporter context bytes.
#include "aotls/tls/tcp_ao_extension.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "aotls/tls/exporter.hpp"

namespace aotls::tls {
namespace {

using Bytes = std::vector<std::uint8_t>;
using crypto::KdfAlgorithm;
using crypto::MacAlgorithm;

constexpr Announcement kSha1{OptionProtection::Disabled, MacAlgorithm::HmacSha1_96,
                             KdfAlgorithm::HmacSha1};
constexpr Announcement kCmacCovered{OptionProtection::Enabled, MacAlgorithm::AesCmac128_96,
                                    KdfAlgorithm::AesCmac128};

Bytes to_bytes(EncodedAnnouncement e) {
  return {e.begin(), e.end()};
}

// ---- codec -------------------------------------------------------------

TEST(TcpAoExtension, DefaultsAndConstants) {
  EXPECT_EQ(kDefaultTcpAoExtensionType, 0xFF00);
  EXPECT_EQ(Announcement{}, kSha1);  // profile section 3 default announcement
  EXPECT_EQ(kExporterLabel, "tcp-ao");
  EXPECT_EQ(kExporterLabel.size(), 6U);  // no NUL
}

TEST(TcpAoExtension, EncodeGoldenBytes) {
  EXPECT_EQ(to_bytes(encode(kSha1)), (Bytes{0x00, 0x00, 0x00}));
  EXPECT_EQ(to_bytes(encode(kCmacCovered)), (Bytes{0x01, 0x01, 0x01}));
  EXPECT_EQ(to_bytes(encode(
                {OptionProtection::Enabled, MacAlgorithm::HmacSha1_96, KdfAlgorithm::HmacSha1})),
            (Bytes{0x01, 0x00, 0x00}));
  EXPECT_EQ(to_bytes(encode({OptionProtection::Disabled, MacAlgorithm::AesCmac128_96,
                             KdfAlgorithm::AesCmac128})),
            (Bytes{0x00, 0x01, 0x01}));
}

TEST(TcpAoExtension, DecodeGoldenBytes) {
  const Bytes a{0x00, 0x00, 0x00};
  const auto da = decode_announcement(a);
  ASSERT_TRUE(da);
  EXPECT_EQ(*da, kSha1);
  const Bytes b{0x01, 0x01, 0x01};
  const auto db = decode_announcement(b);
  ASSERT_TRUE(db);
  EXPECT_EQ(*db, kCmacCovered);
}

struct BadBody {
  Bytes body;
  ExtensionError error;
  std::uint8_t alert;
};

class TcpAoExtensionErrors : public ::testing::TestWithParam<BadBody> {};

TEST_P(TcpAoExtensionErrors, DecodeFailsWithTypedErrorAndAlert) {
  const BadBody& c = GetParam();
  const auto decoded = decode_announcement(c.body);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), c.error) << to_string(decoded.error());
  EXPECT_EQ(static_cast<std::uint8_t>(alert_for(decoded.error())), c.alert);
}

INSTANTIATE_TEST_SUITE_P(
    All, TcpAoExtensionErrors,
    ::testing::Values(BadBody{{}, ExtensionError::BadLength, 50},
                      BadBody{{0x00}, ExtensionError::BadLength, 50},
                      BadBody{{0x00, 0x00}, ExtensionError::BadLength, 50},
                      BadBody{{0x00, 0x00, 0x00, 0x00}, ExtensionError::BadLength, 50},
                      BadBody{{0x02, 0x00, 0x00}, ExtensionError::UnknownProt, 47},
                      BadBody{{0xff, 0x00, 0x00}, ExtensionError::UnknownProt, 47},
                      BadBody{{0x00, 0x02, 0x00}, ExtensionError::UnknownAuth, 47},
                      BadBody{{0x00, 0xff, 0x01}, ExtensionError::UnknownAuth, 47},
                      BadBody{{0x00, 0x00, 0x02}, ExtensionError::UnknownKdf, 47},
                      BadBody{{0x01, 0x01, 0xff}, ExtensionError::UnknownKdf, 47},
                      BadBody{{0x00, 0x00, 0x01}, ExtensionError::MixedAlgorithms, 47},
                      BadBody{{0x01, 0x01, 0x00}, ExtensionError::MixedAlgorithms, 47}));

// Every (auth, kdf) pair under prot 0, 1 and two refused prot values
// (262,144 bodies): exactly the four rows of profile sections 2 and 3.
// (prot is checked first, so other prot values behave like 2 and 255.)
TEST(TcpAoExtension, OnlyTheFourProfileBodiesDecode) {
  std::vector<Bytes> accepted;
  for (unsigned prot : {0U, 1U, 2U, 255U}) {
    for (unsigned auth = 0; auth < 256; ++auth) {
      for (unsigned kdf = 0; kdf < 256; ++kdf) {
        const std::array<std::uint8_t, 3> body{static_cast<std::uint8_t>(prot),
                                               static_cast<std::uint8_t>(auth),
                                               static_cast<std::uint8_t>(kdf)};
        const auto decoded = decode_announcement(body);
        if (!decoded) continue;
        accepted.emplace_back(body.begin(), body.end());
        EXPECT_EQ(to_bytes(encode(*decoded)), accepted.back());  // round trip
      }
    }
  }
  EXPECT_EQ(accepted, (std::vector<Bytes>{{0, 0, 0}, {0, 1, 1}, {1, 0, 0}, {1, 1, 1}}));
  for (unsigned prot = 2; prot < 256; ++prot) {
    const std::array<std::uint8_t, 3> body{static_cast<std::uint8_t>(prot), 0, 0};
    const auto decoded = decode_announcement(body);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), ExtensionError::UnknownProt) << "prot=" << prot;
  }
}

TEST(TcpAoExtension, ValidateRefusesWhatDecodeRefuses) {
  EXPECT_TRUE(validate(kSha1));
  EXPECT_TRUE(validate(kCmacCovered));
  const auto mixed =
      validate({OptionProtection::Disabled, MacAlgorithm::HmacSha1_96, KdfAlgorithm::AesCmac128});
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error(), ExtensionError::MixedAlgorithms);
  const auto prot = validate(
      {static_cast<OptionProtection>(2), MacAlgorithm::HmacSha1_96, KdfAlgorithm::HmacSha1});
  ASSERT_FALSE(prot);
  EXPECT_EQ(prot.error(), ExtensionError::UnknownProt);
  const auto auth =
      validate({OptionProtection::Disabled, static_cast<MacAlgorithm>(9), KdfAlgorithm::HmacSha1});
  ASSERT_FALSE(auth);
  EXPECT_EQ(auth.error(), ExtensionError::UnknownAuth);
}

TEST(TcpAoExtension, ErrorStringsAreDistinct) {
  const std::array<ExtensionError, 5> all{ExtensionError::BadLength, ExtensionError::UnknownProt,
                                          ExtensionError::UnknownAuth, ExtensionError::UnknownKdf,
                                          ExtensionError::MixedAlgorithms};
  std::set<std::string_view> texts;
  for (ExtensionError e : all) texts.insert(to_string(e));
  EXPECT_EQ(texts.size(), all.size());
}

// ---- exporter context --------------------------------------------------

Bytes context_bytes(Direction d, const Announcement& a, KeyGeneration g) {
  const auto ctx = exporter_context(d, a, g);
  EXPECT_TRUE(ctx) << "g=" << g;
  if (!ctx) return {};
  return {ctx->bytes().begin(), ctx->bytes().end()};
}

TEST(ExporterContext, FirstGenerationIsTheDraftsFourBytes) {
  EXPECT_EQ(context_bytes(Direction::ClientToServer, kSha1, 1), (Bytes{0x00, 0x00, 0x00, 0x01}));
  EXPECT_EQ(context_bytes(Direction::ServerToClient, kSha1, 1), (Bytes{0x00, 0x00, 0x00, 0x02}));
  EXPECT_EQ(context_bytes(Direction::ServerToClient, kCmacCovered, 1),
            (Bytes{0x01, 0x01, 0x01, 0x02}));
}

TEST(ExporterContext, LaterGenerationsAppendGBigEndian) {
  EXPECT_EQ(context_bytes(Direction::ClientToServer, kSha1, 2),
            (Bytes{0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02}));
  EXPECT_EQ(context_bytes(Direction::ServerToClient, kCmacCovered, 3),
            (Bytes{0x01, 0x01, 0x01, 0x06, 0x00, 0x00, 0x00, 0x03}));
  // KeyID wrapped back to c(1) = 1, but g keeps the context distinct.
  EXPECT_EQ(context_bytes(Direction::ClientToServer, kSha1, 128),
            (Bytes{0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x80}));
  EXPECT_EQ(context_bytes(Direction::ServerToClient, kSha1, 0x01020304),
            (Bytes{0x00, 0x00, 0x00, 0x34, 0x01, 0x02, 0x03, 0x04}));
  EXPECT_EQ(context_bytes(Direction::ClientToServer, kCmacCovered, 0xFFFFFFFF),
            (Bytes{0x01, 0x01, 0x01, 0x1d, 0xff, 0xff, 0xff, 0xff}));
}

TEST(ExporterContext, GenerationZeroIsRefused) {
  const auto ctx = exporter_context(Direction::ClientToServer, kSha1, 0);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error(), ExporterError::BadGeneration);
  EXPECT_FALSE(to_string(ctx.error()).empty());
}

TEST(ExporterContext, ExportBeforeAnyHandshakeIsRefused) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(ctx, nullptr);
  SSL* ssl = SSL_new(ctx);
  ASSERT_NE(ssl, nullptr);
  const auto secret = derive_mkt_secret(ssl, Direction::ClientToServer, kSha1, 1);
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error(), ExporterError::NotExportable);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

}  // namespace
}  // namespace aotls::tls
