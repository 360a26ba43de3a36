#include "aotls/keys/mkt.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>
#include <vector>

#include "common/hex.hpp"

namespace aotls::keys {
namespace {

static_assert(!std::is_copy_constructible_v<Mkt>, "an MKT carries a move-only secret");
static_assert(std::is_nothrow_move_constructible_v<Mkt>);

crypto::Secret secret_of(std::uint8_t fill, std::size_t len = 32) {
  return crypto::Secret(std::vector<std::uint8_t>(len, fill));
}

constexpr MktParams kCmac{true, crypto::MacAlgorithm::AesCmac128_96,
                          crypto::KdfAlgorithm::AesCmac128};

TEST(Mkt, DefaultMktHasTheProfileValues) {
  const Mkt mkt = make_default_mkt();
  EXPECT_EQ(mkt.send_id, 0);
  EXPECT_EQ(mkt.recv_id, 0);
  EXPECT_EQ(mkt.params.mac, crypto::MacAlgorithm::HmacSha1_96);
  EXPECT_EQ(mkt.params.kdf, crypto::KdfAlgorithm::HmacSha1);
  EXPECT_FALSE(mkt.params.include_options);
  const std::vector<std::uint8_t> expected{0x1c, 0xeb, 0xb1, 0xff};
  EXPECT_EQ(std::vector<std::uint8_t>(mkt.secret.bytes().begin(), mkt.secret.bytes().end()),
            expected);
  EXPECT_EQ(mkt.generation, kDefaultGeneration);
  EXPECT_EQ(mkt.direction, Direction::Both);
  EXPECT_EQ(mkt.use_by(Side::Client), KeyUse::SendAndReceive);
  EXPECT_EQ(mkt.use_by(Side::Server), KeyUse::SendAndReceive);
}

TEST(Mkt, DerivedMktTakesItsIdsFromTheLayout) {
  auto c2s = make_derived_mkt(Direction::ClientToServer, 3, kCmac, secret_of(0xaa));
  ASSERT_TRUE(c2s);
  EXPECT_EQ(c2s->send_id, 5);
  EXPECT_EQ(c2s->recv_id, 5);
  EXPECT_EQ(c2s->generation, 3U);
  EXPECT_EQ(c2s->params, kCmac);
  EXPECT_EQ(c2s->secret.size(), 32U);
  EXPECT_EQ(c2s->use_by(Side::Client), KeyUse::Send);
  EXPECT_EQ(c2s->use_by(Side::Server), KeyUse::Receive);

  auto s2c = make_derived_mkt(Direction::ServerToClient, 3, MktParams{}, secret_of(0xbb));
  ASSERT_TRUE(s2c);
  EXPECT_EQ(s2c->send_id, 6);
  EXPECT_EQ(s2c->recv_id, 6);
  EXPECT_EQ(s2c->use_by(Side::Server), KeyUse::Send);
  EXPECT_EQ(s2c->use_by(Side::Client), KeyUse::Receive);
}

TEST(Mkt, DerivedMktRefusesBadInput) {
  const MktParams mixed{false, crypto::MacAlgorithm::HmacSha1_96, crypto::KdfAlgorithm::AesCmac128};
  auto mixed_mkt = make_derived_mkt(Direction::ClientToServer, 1, mixed, secret_of(1));
  ASSERT_FALSE(mixed_mkt);
  EXPECT_EQ(mixed_mkt.error(), MktError::MixedAlgorithms);

  auto empty = make_derived_mkt(Direction::ClientToServer, 1, MktParams{}, crypto::Secret{});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(), MktError::EmptySecret);

  auto zero = make_derived_mkt(Direction::ClientToServer, 0, MktParams{}, secret_of(1));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error(), MktError::DefaultGeneration);

  auto both = make_derived_mkt(Direction::Both, 1, MktParams{}, secret_of(1));
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error(), MktError::DefaultGeneration);
}

TEST(Mkt, PrintsEverythingButTheSecret) {
  auto mkt = make_derived_mkt(Direction::ServerToClient, 1, kCmac, secret_of(0x5c, 32));
  ASSERT_TRUE(mkt);
  std::ostringstream os;
  os << *mkt;
  EXPECT_EQ(os.str(),
            "MKT g=1 s2c SendID=2 RecvID=2 AES-128-CMAC-96/KDF_AES_128_CMAC options=included "
            "<secret len=32>");
  EXPECT_EQ(to_string(*mkt), os.str());
  EXPECT_EQ(os.str().find(common::to_hex(mkt->secret.bytes()).substr(0, 4)), std::string::npos);
  EXPECT_EQ(to_string(make_default_mkt()),
            "MKT g=0 both SendID=0 RecvID=0 HMAC-SHA-1-96/KDF_HMAC_SHA1 options=excluded "
            "<secret len=4>");
  const Mkt default_mkt = make_default_mkt();
  EXPECT_EQ(to_string(default_mkt).find(common::to_hex(default_mkt.secret.bytes())),
            std::string::npos);
}

}  // namespace
}  // namespace aotls::keys
