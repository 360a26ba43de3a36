#include "aotls/crypto/secret.hpp"

#include <gtest/gtest.h>

#include <array>
#include <sstream>
#include <type_traits>
#include <vector>

namespace aotls::crypto {
namespace {

static_assert(!std::is_copy_constructible_v<Secret>);
static_assert(!std::is_copy_assignable_v<Secret>);
static_assert(std::is_nothrow_move_constructible_v<Secret>);
static_assert(std::is_nothrow_move_assignable_v<Secret>);

constexpr std::array<std::uint8_t, 5> kKey{0xde, 0xad, 0xbe, 0xef, 0x01};
std::vector<std::uint8_t> key_vector() {
  return {kKey.begin(), kKey.end()};
}

TEST(Secret, PrintsOnlyItsLength) {
  const Secret secret(kKey);
  std::ostringstream os;
  os << secret;
  EXPECT_EQ(os.str(), "<secret len=5>");
  EXPECT_EQ(to_string(secret), "<secret len=5>");
  EXPECT_EQ(to_string(Secret{}), "<secret len=0>");
}

TEST(Secret, BytesAccessorReturnsTheKey) {
  const Secret secret(kKey);
  EXPECT_EQ(std::vector<std::uint8_t>(secret.bytes().begin(), secret.bytes().end()), key_vector());
  EXPECT_EQ(secret.size(), kKey.size());
}

TEST(Secret, MovedFromIsEmpty) {
  Secret a(kKey);
  Secret b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(a.bytes().size(), 0U);
  EXPECT_EQ(to_string(a), "<secret len=0>");
  EXPECT_EQ(b.size(), kKey.size());

  Secret c(std::vector<std::uint8_t>{1, 2});
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(std::vector<std::uint8_t>(c.bytes().begin(), c.bytes().end()), key_vector());
}

TEST(Secret, ClearZeroesAndEmpties) {
  Secret secret(kKey);
  const std::uint8_t* data = secret.bytes().data();
  // clear() keeps the vector's capacity, so the old block is still ours to read.
  secret.clear();
  EXPECT_TRUE(secret.empty());
  for (std::size_t i = 0; i < kKey.size(); ++i) EXPECT_EQ(data[i], 0) << i;
}

}  // namespace
}  // namespace aotls::crypto
