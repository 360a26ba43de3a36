// Bad input never crashes and never slips through: every truncation and
// many byte mutations of signed segments, fed to the inbound path, end in a
// drop or in an accepted packet with valid checksums (run under ASan/UBSan
// in the sanitized build). Deterministic, so failures reproduce.
#include <gtest/gtest.h>

#include <random>

#include "pair_fixture.hpp"

namespace aotls::backend::userspace::testing {
namespace {

class Robustness : public ::testing::TestWithParam<PairParams> {
 protected:
  void SetUp() override {
    pair.handshake(0x7fffff00u, 0xfffffff0u);
    TcpSpec data = pair.from_client(kAck | kPsh, std::vector<std::uint8_t>(40, 0x61));
    data.options = concat({timestamps_option(1, 2), sack_option(1)});
    const Trip t = pair.client_to_server(build(data));
    ASSERT_EQ(t.received.kind, VerdictKind::AcceptRewritten);
    wire = t.wire;
  }
  EnginePair pair{GetParam()};
  std::vector<std::uint8_t> wire;
};

TEST_P(Robustness, EveryTruncationIsDropped) {
  for (std::size_t len = 0; len < wire.size(); ++len) {
    std::vector<std::uint8_t> cut(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_EQ(pair.server.inbound(cut).kind, VerdictKind::Drop) << "length " << len;
  }
}

TEST_P(Robustness, RandomMutationsAreDroppedOrStayConsistent) {
  std::mt19937 rng(12345);
  std::size_t accepted = 0;
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::uint8_t> mutated = wire;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      mutated[rng() % mutated.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    }
    if (rng() % 4 == 0) mutated.resize(rng() % (mutated.size() + 8), 0xab);
    const Verdict in = pair.server.inbound(mutated);
    if (in.accepted() && in.kind == VerdictKind::AcceptRewritten) {
      // Only flips outside the MAC's coverage can pass (IP header fields
      // RFC 5925 section 5.1 leaves out, the TCP checksum, or link padding).
      ++accepted;
      EXPECT_TRUE(checksums_valid(mutated));
    }
    std::vector<std::uint8_t> out = mutated;
    (void)pair.client.outbound(out);  // must not crash whatever it decides
  }
  EXPECT_LT(accepted, 2000u);
}

INSTANTIATE_TEST_SUITE_P(AllCombinations, Robustness, ::testing::ValuesIn(all_pair_params()),
                         pair_param_name);

}  // namespace
}  // namespace aotls::backend::userspace::testing
