// tests/vectors/rfc9235_fixture.hpp - parameterized fixture over the RFC 9235 vectors.
#pragma once

#include <gtest/gtest.h>

#include "aotls/crypto/mac.hpp"
#include "aotls/segment/packet.hpp"
#include "rfc9235_vectors.hpp"

namespace aotls::test {

class Rfc9235Test : public ::testing::TestWithParam<Rfc9235Vector> {
 protected:
  const Rfc9235Vector& v() const { return GetParam(); }

  segment::PacketView view() const {
    auto parsed = segment::PacketView::parse(v().packet);
    EXPECT_TRUE(parsed.has_value()) << segment::to_string(parsed.error());
    return *parsed;
  }

  // A MAC context keyed with the vector's published traffic key.
  crypto::MacContext mac() const {
    auto context = crypto::MacContext::create(v().alg, v().traffic_key);
    EXPECT_TRUE(context.has_value());
    return std::move(*context);
  }
};

inline std::string vector_test_name(const ::testing::TestParamInfo<Rfc9235Vector>& info) {
  return info.param.test_name;
}

}  // namespace aotls::test
