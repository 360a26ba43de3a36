// The tcp_ao extension and the exporter over real in-memory TLS 1.3
// handshakes (OpenSSL, memory BIOs driven by hand, throwaway EC P-256 PKI).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "aotls/tls/exporter.hpp"
#include "aotls/tls/tcp_ao_wiring.hpp"
#include "tests/unit/tls/memory_handshake.hpp"
#include "tests/unit/tls/test_pki.hpp"

namespace aotls::tls {
namespace {

using test::CtxPtr;
using test::MemoryHandshake;
using test::Side;
using test::StepResult;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kHandshakeFailure = 40;
constexpr std::uint8_t kIllegalParameter = 47;
constexpr std::uint8_t kDecodeError = 50;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kEncryptedExtensions = 8;

constexpr Announcement kClientAnn{OptionProtection::Disabled, crypto::MacAlgorithm::HmacSha1_96,
                                  crypto::KdfAlgorithm::HmacSha1};
constexpr Announcement kServerAnn{OptionProtection::Enabled, crypto::MacAlgorithm::AesCmac128_96,
                                  crypto::KdfAlgorithm::AesCmac128};

// Secrets are compared as bytes with EXPECT_TRUE, never EXPECT_EQ, so that a
// failure does not print key material.
Bytes bytes_of(const crypto::Secret& s) {
  return {s.bytes().begin(), s.bytes().end()};
}

CtxPtr registered_context(bool server, std::uint16_t type = kDefaultTcpAoExtensionType) {
  CtxPtr ctx = test::make_test_context(server);
  const auto registered = register_tcp_ao_extension(ctx.get(), type);
  EXPECT_TRUE(registered) << (registered ? "" : to_string(registered.error()));
  return ctx;
}

void arm(SSL* ssl, const Announcement& a, AoRequirement r) {
  const auto armed = arm_tcp_ao(ssl, a, r);
  ASSERT_TRUE(armed) << to_string(armed.error());
}

struct Pair {
  CtxPtr client_ctx;
  CtxPtr server_ctx;
  MemoryHandshake hs;
  Pair(CtxPtr c, CtxPtr s)
      : client_ctx(std::move(c)),
        server_ctx(std::move(s)),
        hs(client_ctx.get(), server_ctx.get()) {}
};

// Both sides registered with the default type and armed opportunistically.
Pair armed_pair(AoRequirement client_req = AoRequirement::Opportunistic,
                AoRequirement server_req = AoRequirement::Opportunistic) {
  Pair p(registered_context(false), registered_context(true));
  arm(p.hs.ssl(Side::Client), kClientAnn, client_req);
  arm(p.hs.ssl(Side::Server), kServerAnn, server_req);
  return p;
}

TcpAoStatus status(SSL* ssl) {
  const auto s = tcp_ao_status(ssl);
  EXPECT_TRUE(s.has_value());
  return s.value_or(TcpAoStatus{});
}

// ---- registration and arming -------------------------------------------

TEST(TcpAoWiring, OpenSslBuiltInTypeIsRefused) {
  CtxPtr ctx = test::make_test_context(false);
  const auto refused = register_tcp_ao_extension(ctx.get(), 65281);  // renegotiation_info
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), WiringError::ExtensionTypeRefused);
}

TEST(TcpAoWiring, OneTypePerContext) {
  CtxPtr ctx = test::make_test_context(true);
  ASSERT_TRUE(register_tcp_ao_extension(ctx.get()));
  for (std::uint16_t type : {kDefaultTcpAoExtensionType, std::uint16_t{65282}}) {
    const auto again = register_tcp_ao_extension(ctx.get(), type);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), WiringError::AlreadyRegistered);
  }
}

TEST(TcpAoWiring, TypeTakenByAnotherCustomExtensionIsRefused) {
  CtxPtr ctx = test::make_test_context(false);
  ASSERT_EQ(SSL_CTX_add_custom_ext(ctx.get(), kDefaultTcpAoExtensionType, SSL_EXT_CLIENT_HELLO,
                                   nullptr, nullptr, nullptr, nullptr, nullptr),
            1);
  const auto taken = register_tcp_ao_extension(ctx.get());
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error(), WiringError::ExtensionTypeRefused);
}

TEST(TcpAoWiring, ArmingChecksAnnouncementAndOnce) {
  Pair p(registered_context(false), registered_context(true));
  SSL* client = p.hs.ssl(Side::Client);
  EXPECT_FALSE(tcp_ao_status(client).has_value());  // not armed
  const auto mixed = arm_tcp_ao(client,
                                {OptionProtection::Disabled, crypto::MacAlgorithm::AesCmac128_96,
                                 crypto::KdfAlgorithm::HmacSha1},
                                AoRequirement::Required);
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error(), WiringError::InvalidAnnouncement);
  EXPECT_FALSE(tcp_ao_status(client).has_value());
  arm(client, kClientAnn, AoRequirement::Required);
  const auto again = arm_tcp_ao(client, kClientAnn, AoRequirement::Required);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), WiringError::AlreadyArmed);
  const TcpAoStatus s = status(client);
  EXPECT_EQ(s.peer_status, PeerStatus::Pending);
  EXPECT_EQ(s.local, kClientAnn);
  EXPECT_EQ(s.requirement, AoRequirement::Required);
}

// ---- both sides announce ------------------------------------------------

TEST(TcpAoHandshake, BothSidesSeeEachOthersAnnouncement) {
  Pair p = armed_pair(AoRequirement::Required, AoRequirement::Required);
  ASSERT_TRUE(p.hs.run().both_finished());
  const TcpAoStatus c = status(p.hs.ssl(Side::Client));
  const TcpAoStatus s = status(p.hs.ssl(Side::Server));
  EXPECT_EQ(c.peer_status, PeerStatus::Announced);
  EXPECT_EQ(s.peer_status, PeerStatus::Announced);
  EXPECT_EQ(c.peer, kServerAnn);
  EXPECT_EQ(s.peer, kClientAnn);
  EXPECT_FALSE(c.refuses_handshake());
  for (Side side : {Side::Client, Side::Server}) {
    const auto roles = role_announcements(p.hs.ssl(side));
    ASSERT_TRUE(roles.has_value());
    EXPECT_EQ(roles->client, kClientAnn);
    EXPECT_EQ(roles->server, kServerAnn);
  }
}

TEST(TcpAoHandshake, WireCarriesTypeLengthAndBody) {
  Pair p = armed_pair();
  ASSERT_TRUE(p.hs.run().both_finished());
  // extension_type 0xFF00, length 3, prot|auth|kdf (draft section 4.1).
  const auto ch = p.hs.written_message(Side::Client, kClientHello);
  ASSERT_TRUE(ch.has_value());
  EXPECT_TRUE(test::contains(*ch, {0xff, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00}));
  const auto ee = p.hs.written_message(Side::Server, kEncryptedExtensions);
  ASSERT_TRUE(ee.has_value());
  EXPECT_TRUE(test::contains(*ee, {0xff, 0x00, 0x00, 0x03, 0x01, 0x01, 0x01}));
}

TEST(TcpAoHandshake, BothSidesDeriveEqualSecretsPerGeneration) {
  Pair p = armed_pair();
  ASSERT_TRUE(p.hs.run().both_finished());
  const auto roles = role_announcements(p.hs.ssl(Side::Client));
  ASSERT_TRUE(roles.has_value());
  std::vector<Bytes> all;
  for (KeyGeneration g = 1; g <= 3; ++g) {
    auto c = derive_generation(p.hs.ssl(Side::Client), roles->client, roles->server, g);
    auto s = derive_generation(p.hs.ssl(Side::Server), roles->client, roles->server, g);
    ASSERT_TRUE(c && s) << "g=" << g;
    EXPECT_EQ(c->client_to_server.size(), kMktSecretLen);
    EXPECT_TRUE(bytes_of(c->client_to_server) == bytes_of(s->client_to_server)) << "g=" << g;
    EXPECT_TRUE(bytes_of(c->server_to_client) == bytes_of(s->server_to_client)) << "g=" << g;
    all.push_back(bytes_of(c->client_to_server));
    all.push_back(bytes_of(c->server_to_client));
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = i + 1; j < all.size(); ++j) EXPECT_TRUE(all[i] != all[j]) << i << "," << j;
  }
}

// Checks the direction rule against OpenSSL directly, with context bytes
// written out by hand: C2S uses the client's announcement (00 00 00) and
// c(g), S2C the server's (01 01 01) and s(g).
TEST(TcpAoHandshake, SecretsAreTheExporterOverTheProfilesContexts) {
  Pair p = armed_pair();
  ASSERT_TRUE(p.hs.run().both_finished());
  SSL* ssl = p.hs.ssl(Side::Server);
  auto direct = [ssl](const Bytes& context) {
    std::array<std::uint8_t, 32> out{};
    EXPECT_EQ(SSL_export_keying_material(ssl, out.data(), out.size(), "tcp-ao", 6, context.data(),
                                         context.size(), 1),
              1);
    return Bytes(out.begin(), out.end());
  };
  const auto g1 = derive_generation(ssl, kClientAnn, kServerAnn, 1);
  const auto g2 = derive_generation(ssl, kClientAnn, kServerAnn, 2);
  ASSERT_TRUE(g1 && g2);
  EXPECT_TRUE(bytes_of(g1->client_to_server) == direct({0x00, 0x00, 0x00, 0x01}));
  EXPECT_TRUE(bytes_of(g1->server_to_client) == direct({0x01, 0x01, 0x01, 0x02}));
  EXPECT_TRUE(bytes_of(g2->client_to_server) == direct({0x00, 0x00, 0x00, 0x03, 0, 0, 0, 2}));
  EXPECT_TRUE(bytes_of(g2->server_to_client) == direct({0x01, 0x01, 0x01, 0x04, 0, 0, 0, 2}));
}

// Profile section 3: the server may export as soon as its first
// SSL_do_handshake returned WANT_READ with the whole flight written, and
// not earlier; the client once it processed the server Finished; all export
// points agree.
TEST(TcpAoHandshake, ServerExportsEarlyAndMatchesClientsLaterExport) {
  Pair p = armed_pair();
  SSL* client = p.hs.ssl(Side::Client);
  SSL* server = p.hs.ssl(Side::Server);
  ASSERT_EQ(p.hs.step(Side::Client), StepResult::WantIo);  // ClientHello written
  ASSERT_GT(p.hs.transfer(Side::Client), 0U);
  EXPECT_FALSE(derive_generation(server, kClientAnn, kServerAnn, 1));  // nothing processed yet

  ASSERT_EQ(p.hs.step(Side::Server), StepResult::WantIo);
  EXPECT_GT(p.hs.pending_output(Side::Server), 0U);  // the flight is in the memory BIO
  const auto roles = role_announcements(server);
  ASSERT_TRUE(roles.has_value());  // the ClientHello's announcement is known
  auto early = derive_generation(server, roles->client, roles->server, 1);
  ASSERT_TRUE(early) << to_string(early.error());
  const auto client_too_soon = derive_generation(client, kClientAnn, kServerAnn, 1);
  ASSERT_FALSE(client_too_soon);
  EXPECT_EQ(client_too_soon.error(), ExporterError::NotExportable);

  ASSERT_GT(p.hs.transfer(Side::Server), 0U);
  ASSERT_EQ(p.hs.step(Side::Client), StepResult::Finished);
  auto client_export = derive_generation(client, kClientAnn, kServerAnn, 1);
  ASSERT_TRUE(client_export);
  EXPECT_TRUE(bytes_of(client_export->client_to_server) == bytes_of(early->client_to_server));
  EXPECT_TRUE(bytes_of(client_export->server_to_client) == bytes_of(early->server_to_client));

  p.hs.transfer(Side::Client);
  ASSERT_EQ(p.hs.step(Side::Server), StepResult::Finished);
  auto late = derive_generation(server, kClientAnn, kServerAnn, 1);
  ASSERT_TRUE(late);
  EXPECT_TRUE(bytes_of(late->client_to_server) == bytes_of(early->client_to_server));
  EXPECT_TRUE(bytes_of(late->server_to_client) == bytes_of(early->server_to_client));
}

// The server accepts only P-256 key shares; OpenSSL's client offers X25519
// first, so the server answers HelloRetryRequest and reads a second
// ClientHello, which must carry the announcement again.
TEST(TcpAoHandshake, HelloRetryRequestKeepsTheAnnouncements) {
  Pair p = armed_pair(AoRequirement::Required, AoRequirement::Required);
  ASSERT_EQ(SSL_set1_groups_list(p.hs.ssl(Side::Server), "P-256"), 1);
  ASSERT_TRUE(p.hs.run().both_finished());
  std::size_t client_hellos = 0;
  for (const auto& msg : p.hs.observed(Side::Client).handshake_messages_written) {
    if (msg.front() == kClientHello) {
      ++client_hellos;
      EXPECT_TRUE(test::contains(msg, {0xff, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00}));
    }
  }
  EXPECT_EQ(client_hellos, 2U);
  EXPECT_EQ(status(p.hs.ssl(Side::Server)).peer, kClientAnn);
  EXPECT_EQ(status(p.hs.ssl(Side::Client)).peer, kServerAnn);
}

int g_verify_callback_calls = 0;
int counting_verify_cb(int preverify_ok, X509_STORE_CTX* /*store*/) {
  ++g_verify_callback_calls;
  return preverify_ok;
}

// The client check runs inside SSL_CTX_set_cert_verify_callback, which must
// still run OpenSSL's chain verification and with it a context's own
// SSL_CTX_set_verify callback (aotls/tls/context.cpp checks ALPN there).
TEST(TcpAoWiring, ContextVerifyCallbackStillRuns) {
  CtxPtr client_ctx = registered_context(false);
  SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     &counting_verify_cb);
  Pair p(std::move(client_ctx), registered_context(true));
  arm(p.hs.ssl(Side::Client), kClientAnn, AoRequirement::Required);
  arm(p.hs.ssl(Side::Server), kServerAnn, AoRequirement::Required);
  g_verify_callback_calls = 0;
  ASSERT_TRUE(p.hs.run().both_finished());
  EXPECT_GE(g_verify_callback_calls, 2);  // CA and leaf
}

// ---- a peer without the extension --------------------------------------

constexpr std::uint16_t kOtherType = 65282;

TEST(TcpAoHandshake, MismatchedTypeOpportunisticCompletesAndRecordsAbsence) {
  Pair p(registered_context(false, kDefaultTcpAoExtensionType),
         registered_context(true, kOtherType));
  arm(p.hs.ssl(Side::Client), kClientAnn, AoRequirement::Opportunistic);
  arm(p.hs.ssl(Side::Server), kServerAnn, AoRequirement::Opportunistic);
  ASSERT_TRUE(p.hs.run().both_finished());
  for (Side side : {Side::Client, Side::Server}) {
    const TcpAoStatus s = status(p.hs.ssl(side));
    EXPECT_EQ(s.peer_status, PeerStatus::Absent);
    EXPECT_FALSE(s.peer.has_value());
    EXPECT_FALSE(s.refuses_handshake());
    EXPECT_FALSE(role_announcements(p.hs.ssl(side)).has_value());
  }
  const auto ee = p.hs.written_message(Side::Server, kEncryptedExtensions);
  ASSERT_TRUE(ee.has_value());
  EXPECT_FALSE(test::contains(*ee, {0xff, 0x02, 0x00, 0x03}));  // no unsolicited answer
}

TEST(TcpAoHandshake, MismatchedTypeRequiredServerFailsWithHandshakeFailure) {
  Pair p(registered_context(false, kDefaultTcpAoExtensionType),
         registered_context(true, kOtherType));
  arm(p.hs.ssl(Side::Client), kClientAnn, AoRequirement::Opportunistic);
  arm(p.hs.ssl(Side::Server), kServerAnn, AoRequirement::Required);
  const auto outcome = p.hs.run();
  EXPECT_EQ(outcome.server, StepResult::Failed);
  EXPECT_EQ(outcome.client, StepResult::Failed);
  EXPECT_EQ(p.hs.observed(Side::Server).alerts_sent, Bytes{kHandshakeFailure});
  EXPECT_EQ(p.hs.observed(Side::Client).alerts_received, Bytes{kHandshakeFailure});
  const TcpAoStatus s = status(p.hs.ssl(Side::Server));
  EXPECT_EQ(s.peer_status, PeerStatus::Absent);
  EXPECT_TRUE(s.refuses_handshake());
}

TEST(TcpAoHandshake, MismatchedTypeRequiredClientFailsWithHandshakeFailure) {
  Pair p(registered_context(false, kDefaultTcpAoExtensionType),
         registered_context(true, kOtherType));
  arm(p.hs.ssl(Side::Client), kClientAnn, AoRequirement::Required);
  arm(p.hs.ssl(Side::Server), kServerAnn, AoRequirement::Opportunistic);
  const auto outcome = p.hs.run();
  EXPECT_EQ(outcome.client, StepResult::Failed);
  EXPECT_EQ(outcome.server, StepResult::Failed);
  EXPECT_EQ(p.hs.observed(Side::Client).alerts_sent, Bytes{kHandshakeFailure});
  EXPECT_EQ(p.hs.observed(Side::Server).alerts_received, Bytes{kHandshakeFailure});
  const TcpAoStatus c = status(p.hs.ssl(Side::Client));
  EXPECT_EQ(c.peer_status, PeerStatus::Absent);
  EXPECT_TRUE(c.refuses_handshake());
}

// The documented limit: without peer verification a client has no
// in-handshake point to refuse a server without the extension; the
// handshake completes and the status tells the caller to refuse the session.
TEST(TcpAoHandshake, RequiredClientWithoutPeerVerificationLeavesTheRefusalToItsCaller) {
  CtxPtr client_ctx = registered_context(false);
  SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_NONE, nullptr);
  Pair p(std::move(client_ctx), registered_context(true, kOtherType));
  arm(p.hs.ssl(Side::Client), kClientAnn, AoRequirement::Required);
  arm(p.hs.ssl(Side::Server), kServerAnn, AoRequirement::Opportunistic);
  ASSERT_TRUE(p.hs.run().both_finished());
  const TcpAoStatus c = status(p.hs.ssl(Side::Client));
  EXPECT_EQ(c.peer_status, PeerStatus::Absent);
  EXPECT_TRUE(c.refuses_handshake());
}

TEST(TcpAoHandshake, UnarmedClientMeetsOpportunisticServer) {
  Pair p(registered_context(false), registered_context(true));
  arm(p.hs.ssl(Side::Server), kServerAnn, AoRequirement::Opportunistic);
  ASSERT_TRUE(p.hs.run().both_finished());
  EXPECT_EQ(status(p.hs.ssl(Side::Server)).peer_status, PeerStatus::Absent);
  const auto ch = p.hs.written_message(Side::Client, kClientHello);
  ASSERT_TRUE(ch.has_value());
  EXPECT_FALSE(test::contains(*ch, {0xff, 0x00, 0x00, 0x03}));
}

TEST(TcpAoHandshake, UnarmedServerLeavesOpportunisticClientWithoutPeer) {
  Pair p(registered_context(false), registered_context(true));
  arm(p.hs.ssl(Side::Client), kClientAnn, AoRequirement::Opportunistic);
  ASSERT_TRUE(p.hs.run().both_finished());
  EXPECT_EQ(status(p.hs.ssl(Side::Client)).peer_status, PeerStatus::Absent);
}

// ---- a peer with a bad body --------------------------------------------

// A peer that puts arbitrary bytes in the extension: registers the type
// itself with an add callback serving `body` (test-only, no validation).
struct RogueBody {
  Bytes body;
};

int rogue_add(SSL* /*ssl*/, unsigned int /*type*/, unsigned int /*context*/,
              const unsigned char** out, std::size_t* outlen, X509* /*x*/, std::size_t /*chainidx*/,
              int* /*al*/, void* arg) {
  const auto* rogue = static_cast<const RogueBody*>(arg);
  *out = rogue->body.data();
  *outlen = rogue->body.size();
  return 1;
}

int accept_any(SSL* /*ssl*/, unsigned int /*type*/, unsigned int /*context*/,
               const unsigned char* /*in*/, std::size_t /*inlen*/, X509* /*x*/,
               std::size_t /*chainidx*/, int* /*al*/, void* /*arg*/) {
  return 1;
}

CtxPtr rogue_context(bool server, const RogueBody& rogue) {
  CtxPtr ctx = test::make_test_context(server);
  EXPECT_EQ(
      SSL_CTX_add_custom_ext(ctx.get(), kDefaultTcpAoExtensionType,
                             SSL_EXT_CLIENT_HELLO | SSL_EXT_TLS1_3_ENCRYPTED_EXTENSIONS, &rogue_add,
                             nullptr, const_cast<RogueBody*>(&rogue), &accept_any, nullptr),
      1);
  return ctx;
}

struct BadBodyCase {
  Bytes body;
  ExtensionError error;
  std::uint8_t alert;
};

class TcpAoBadBody : public ::testing::TestWithParam<BadBodyCase> {};

TEST_P(TcpAoBadBody, ServerRefusesClientBodyWithItsAlert) {
  const BadBodyCase& c = GetParam();
  const RogueBody rogue{c.body};
  Pair p(rogue_context(false, rogue), registered_context(true));
  arm(p.hs.ssl(Side::Server), kServerAnn, AoRequirement::Opportunistic);
  const auto outcome = p.hs.run();
  EXPECT_EQ(outcome.server, StepResult::Failed);
  EXPECT_EQ(outcome.client, StepResult::Failed);
  EXPECT_EQ(p.hs.observed(Side::Server).alerts_sent, Bytes{c.alert});
  EXPECT_EQ(p.hs.observed(Side::Client).alerts_received, Bytes{c.alert});
  const TcpAoStatus s = status(p.hs.ssl(Side::Server));
  EXPECT_EQ(s.peer_status, PeerStatus::Invalid);
  EXPECT_EQ(s.error, c.error);
  EXPECT_TRUE(s.refuses_handshake());
}

TEST_P(TcpAoBadBody, ClientRefusesServerBodyWithItsAlert) {
  const BadBodyCase& c = GetParam();
  const RogueBody rogue{c.body};
  Pair p(registered_context(false), rogue_context(true, rogue));
  arm(p.hs.ssl(Side::Client), kClientAnn, AoRequirement::Opportunistic);
  const auto outcome = p.hs.run();
  EXPECT_EQ(outcome.client, StepResult::Failed);
  EXPECT_EQ(outcome.server, StepResult::Failed);
  EXPECT_EQ(p.hs.observed(Side::Client).alerts_sent, Bytes{c.alert});
  EXPECT_EQ(p.hs.observed(Side::Server).alerts_received, Bytes{c.alert});
  const TcpAoStatus s = status(p.hs.ssl(Side::Client));
  EXPECT_EQ(s.peer_status, PeerStatus::Invalid);
  EXPECT_EQ(s.error, c.error);
}

INSTANTIATE_TEST_SUITE_P(
    All, TcpAoBadBody,
    ::testing::Values(
        BadBodyCase{{}, ExtensionError::BadLength, kDecodeError},
        BadBodyCase{{0x00, 0x00}, ExtensionError::BadLength, kDecodeError},
        BadBodyCase{{0x00, 0x00, 0x00, 0x00}, ExtensionError::BadLength, kDecodeError},
        BadBodyCase{{0x02, 0x00, 0x00}, ExtensionError::UnknownProt, kIllegalParameter},
        BadBodyCase{{0x00, 0x07, 0x00}, ExtensionError::UnknownAuth, kIllegalParameter},
        BadBodyCase{{0x01, 0x01, 0x09}, ExtensionError::UnknownKdf, kIllegalParameter},
        BadBodyCase{{0x00, 0x01, 0x00}, ExtensionError::MixedAlgorithms, kIllegalParameter}));

}  // namespace
}  // namespace aotls::tls
