// tests/unit/fsm/collision_test.cpp - RFC 4271 section 6.8 collision
// detection (with the RFC 6286 2.3 equal-identifier rule).
#include "bgpd/fsm/collision.hpp"

#include <gtest/gtest.h>

#include "tests/unit/fsm/fsm_test_util.hpp"

namespace bgpd::fsm::test {
namespace {

using V = CollisionVerdict;

constexpr std::uint32_t kLow = 0x0A000001;   // 10.0.0.1
constexpr std::uint32_t kHigh = 0x0A000002;  // 10.0.0.2

CollisionCheck check(std::uint32_t local, std::uint32_t remote, bool existing_locally,
                     State existing = State::OpenConfirm) {
  CollisionCheck c;
  c.local_bgp_id = local;
  c.remote_bgp_id = remote;
  c.local_as = 65001;
  c.remote_as = 65002;
  c.existing_state = existing;
  c.existing_initiated_locally = existing_locally;
  return c;
}

// Section 6.8 step 2, literally: local < remote, the existing OpenConfirm
// connection is ours (the new OPEN came on the remote's connection): close
// the existing one, accept the remote's.
TEST(Collision, LowerLocalIdentifierClosesItsOwnExistingConnection) {
  EXPECT_EQ(resolve_collision(check(kLow, kHigh, true)), V::CloseExisting);
}

// Step 3: otherwise close the newly created connection.
TEST(Collision, HigherLocalIdentifierClosesTheNewConnection) {
  EXPECT_EQ(resolve_collision(check(kHigh, kLow, true)), V::CloseNew);
}

// Direction matters: the survivor is always the connection initiated by
// the speaker with the higher identifier.
TEST(Collision, ExistingConnectionInitiatedByPeer) {
  EXPECT_EQ(resolve_collision(check(kHigh, kLow, false)), V::CloseExisting);
  EXPECT_EQ(resolve_collision(check(kLow, kHigh, false)), V::CloseNew);
}

// Both speakers see the same two TCP connections (X initiated by the low
// speaker, Y by the high one) and must close the same one: X.
TEST(Collision, BothSidesAgreeOnTheSurvivor) {
  // Low speaker: X is its own (existing, locally initiated), OPEN arrives on Y.
  EXPECT_EQ(resolve_collision(check(kLow, kHigh, true)), V::CloseExisting);  // closes X
  // High speaker: Y is its own (existing), OPEN arrives on X (new).
  EXPECT_EQ(resolve_collision(check(kHigh, kLow, true)), V::CloseNew);  // closes X
  // And with the arrival order swapped on both sides.
  EXPECT_EQ(resolve_collision(check(kLow, kHigh, false)), V::CloseNew);       // X is new
  EXPECT_EQ(resolve_collision(check(kHigh, kLow, false)), V::CloseExisting);  // X exists
}

// "converting them to host byte order and treating them as 4-octet
// unsigned integers": 128.0.0.0 is higher than 127.255.255.255 (a signed
// comparison would say otherwise).
TEST(Collision, IdentifiersCompareUnsigned) {
  EXPECT_EQ(resolve_collision(check(0x80000000u, 0x7FFFFFFFu, true)), V::CloseNew);
  EXPECT_EQ(resolve_collision(check(0x7FFFFFFFu, 0x80000000u, true)), V::CloseExisting);
  EXPECT_EQ(resolve_collision(check(0xFFFFFFFFu, 0x00000001u, true)), V::CloseNew);
}

// RFC 6286 2.3: equal identifiers, the larger AS number's connection wins.
TEST(Collision, EqualIdentifiersFallBackToAsNumbers) {
  CollisionCheck c = check(kLow, kLow, true);
  c.local_as = 65010;
  c.remote_as = 65002;
  EXPECT_EQ(resolve_collision(c), V::CloseNew);
  c.local_as = 65001;
  EXPECT_EQ(resolve_collision(c), V::CloseExisting);
}

TEST(Collision, EqualIdentifiersAndAsAreABadIdentifier) {
  CollisionCheck c = check(kLow, kLow, true);
  c.remote_as = c.local_as;
  EXPECT_EQ(resolve_collision(c), V::BadBgpIdentifier);
}

// "a connection collision cannot be detected with connections that are in
// Idle, Connect, or Active states."
TEST(Collision, NoCollisionBeforeOpenSent) {
  for (State s : {State::Idle, State::Connect, State::Active}) {
    EXPECT_EQ(resolve_collision(check(kHigh, kLow, true, s)), V::NoCollision) << to_string(s);
  }
}

// OpenSent is examined only when the operator says the identifier is known.
TEST(Collision, OpenSentOnlyWhenAllowed) {
  CollisionCheck c = check(kLow, kHigh, true, State::OpenSent);
  EXPECT_EQ(resolve_collision(c), V::NoCollision);
  c.examine_open_sent = true;
  EXPECT_EQ(resolve_collision(c), V::CloseExisting);
}

// "Unless allowed via configuration, a connection collision with an
// existing BGP connection that is in the Established state causes closing
// of the newly created connection."
TEST(Collision, EstablishedKeepsTheExistingConnection) {
  CollisionCheck c = check(kLow, kHigh, true, State::Established);
  EXPECT_EQ(resolve_collision(c), V::CloseNew);
  c.collision_detect_established_state = true;
  EXPECT_EQ(resolve_collision(c), V::CloseExisting);
}

// The loser's FSM gets OpenCollisionDump and sends Cease / Connection
// Collision Resolution (RFC 4486 subcode 7) before dropping.
TEST(Collision, LoserSendsCeaseSubcode7) {
  Fsm loser;
  reach(loser, State::OpenConfirm);
  const StepResult r = loser.step(Event::OpenCollisionDump, milliseconds{10'000});
  ASSERT_FALSE(r.actions.empty());
  EXPECT_EQ(
      r.actions.front(),
      Action(SendNotification{
          wire::ErrorCode::Cease, sub(wire::CeaseSubcode::ConnectionCollisionResolution), {}}));
  EXPECT_EQ(loser.state(), State::Idle);
}

TEST(Collision, VerdictNames) {
  EXPECT_EQ(to_string(V::NoCollision), "NoCollision");
  EXPECT_EQ(to_string(V::CloseExisting), "CloseExisting");
  EXPECT_EQ(to_string(V::CloseNew), "CloseNew");
  EXPECT_EQ(to_string(V::BadBgpIdentifier), "BadBgpIdentifier");
}

}  // namespace
}  // namespace bgpd::fsm::test
