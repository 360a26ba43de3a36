// ConnectionKeying over real in-memory TLS 1.3 handshakes: generation 1 in
// the profile's order (export, install, first Finished byte), equal secrets
// on both ends, peers without the extension, and backend refusals.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>
#include <vector>

#include "aotls/backend/kernel_backend.hpp"
#include "aotls/tls/exporter.hpp"
#include "common/hex.hpp"
#include "tests/unit/backend/fake_kernel.hpp"
#include "tests/unit/keying/test_support.hpp"

namespace aotls::keying::testing {
namespace {

using tls::test::Side;
using tls::test::StepResult;
using Ids = std::vector<keys::KeyId>;

std::string joined(const EventLog& log) {
  std::string out;
  for (const auto& e : log) out += e + "\n";
  return out;
}

// Position of `event` in `log`; fails the test when absent.
std::size_t at(const EventLog& log, const std::string& event) {
  const auto it = std::find(log.begin(), log.end(), event);
  EXPECT_NE(it, log.end()) << "missing event: " << event << "\nlog:\n" << joined(log);
  return static_cast<std::size_t>(it - log.begin());
}

void expect_in_order(const EventLog& log, const std::vector<std::string>& events) {
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_LT(at(log, events[i - 1]), at(log, events[i]))
        << events[i - 1] << " must come before " << events[i] << "\nlog:\n"
        << joined(log);
  }
}

// ---- (1) the order: export -> install -> first Finished byte ----

TEST(HandshakeKeying, InstallsGenerationOneBeforeTheFlightsLeave) {
  EventLog log;
  KeyedPair p(client_setup(), server_setup(), &log);
  auto& hs = p.hs();
  hs.step(Side::Client);  // ClientHello
  hs.transfer(Side::Client);
  hs.step(Side::Server);  // the whole server flight, into memory only
  log.push_back("server: step returned");
  // Profile section 3 step 1: receive key c(1) and send key s(1) installed,
  // RNextKeyID = c(1), all before the flight leaves; Current_key stays on
  // the default MKT until the client asks for s(1).
  expect_in_order(
      log, {"server: write EncryptedExtensions", "server: write Finished", "server: exporter",
            "server: add 1/1", "server: add 2/2", "server: rnext 1", "server: step returned"});
  EXPECT_EQ(p.socket(Side::Server).fake().rnext_key(), 1);
  EXPECT_EQ(p.socket(Side::Server).fake().current_key(), 0);
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& e) { return e.starts_with("server: current"); }),
            0);
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& e) { return e.starts_with("client: add 1"); }),
            0);
  hs.transfer(Side::Server);
  ASSERT_EQ(hs.step(Side::Client), StepResult::Finished);
  // Step 2: the client installs c(1) and s(1), makes c(1) current and asks
  // for s(1) before its Finished is written - here even before the first
  // message of its second flight (its Certificate).
  expect_in_order(log, {"client: write ClientHello", "client: exporter", "client: add 1/1",
                        "client: add 2/2", "client: current 1", "client: rnext 2",
                        "client: write Certificate", "client: write Finished"});
  EXPECT_EQ(p.socket(Side::Client).fake().current_key(), 1);
  EXPECT_EQ(p.socket(Side::Client).fake().rnext_key(), 2);
  hs.transfer(Side::Client);
  ASSERT_EQ(hs.step(Side::Server), StepResult::Finished);
  for (Side side : {Side::Client, Side::Server}) {
    const auto outcome = p.keying(side).handshake_finished(p.ssl(side));
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(*outcome, KeyingOutcome::Derived);
    EXPECT_EQ(p.socket(side).peers_seen().size(), 3U);  // default, c(1), s(1)
    for (const auto& peer : p.socket(side).peers_seen()) EXPECT_EQ(peer, loopback_peer());
  }
}

// ---- (2) both ends hold the same secrets, with each sender's parameters ----

TEST(HandshakeKeying, BothEndsInstallTheSameSecrets) {
  KeyedPair p(client_setup(), server_setup());
  ASSERT_TRUE(p.hs().run().both_finished());
  const auto& client = p.socket(Side::Client).fake();
  const auto& server = p.socket(Side::Server).fake();
  EXPECT_EQ(installed_send_ids(client), (Ids{0, 1, 2}));
  EXPECT_EQ(installed_send_ids(server), (Ids{0, 1, 2}));
  const auto expected = tls::derive_generation(p.ssl(Side::Client), kClientAnn, kServerAnn, 1);
  ASSERT_TRUE(expected);
  // c(1): the client's send key is the server's receive key, and the reverse.
  EXPECT_TRUE(secret_by_send_id(client, 1) == secret_by_send_id(server, 1));
  EXPECT_TRUE(secret_by_send_id(client, 2) == secret_by_send_id(server, 2));
  EXPECT_TRUE(secret_by_send_id(client, 1) == bytes_of(expected->client_to_server));
  EXPECT_TRUE(secret_by_send_id(client, 2) == bytes_of(expected->server_to_client));
  EXPECT_EQ(secret_by_send_id(client, 1).size(), tls::kMktSecretLen);
  for (const auto* socket : {&client, &server}) {
    EXPECT_EQ(socket->find_by_send_id(1)->mkt.params, (keys::MktParams{}));
    EXPECT_EQ(socket->find_by_send_id(2)->mkt.params,
              (keys::MktParams{true, crypto::MacAlgorithm::AesCmac128_96,
                               crypto::KdfAlgorithm::AesCmac128}));
  }
  // The keys verify each other's segments: c(1) both ways, then the server
  // switches itself to s(1) on the client's RNextKeyID (RFC 5925 7.5.2).
  auto& c = p.socket(Side::Client).fake();
  auto& s = p.socket(Side::Server).fake();
  EXPECT_EQ(deliver(c, s, keys::Side::Client, 1), keys::testing::Verdict::Good);
  EXPECT_EQ(s.current_key(), 2);
  EXPECT_EQ(deliver(s, c, keys::Side::Server, 2), keys::testing::Verdict::Good);
}

// ---- (3) peers without the extension ----

TEST(HandshakeKeying, OpportunisticClientWithPeerWithoutExtensionStaysOnDefaultMkt) {
  EndpointSetup server = server_setup();
  server.armed = false;
  KeyedPair p(client_setup(), server);
  ASSERT_TRUE(p.hs().run().both_finished());
  const auto outcome = p.keying(Side::Client).handshake_finished(p.ssl(Side::Client));
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, KeyingOutcome::DefaultMktOnly);
  EXPECT_EQ(installed_send_ids(p.socket(Side::Client).fake()), (Ids{0}));
  const KeyingStatus status = p.keying(Side::Client).status(p.now());
  EXPECT_EQ(status.state, "default-mkt-only");
  EXPECT_EQ(status.generation, 0U);
  EXPECT_FALSE(status.peer_announcement.has_value());
  EXPECT_FALSE(status.since_last_switch.has_value());
  EXPECT_FALSE(status.last_error.has_value());
  // Ticks keep it there: nothing to derive, nothing to retire.
  const auto next = p.keying(Side::Client).tick(p.now());
  ASSERT_TRUE(next);
  EXPECT_EQ(installed_send_ids(p.socket(Side::Client).fake()), (Ids{0}));
}

TEST(HandshakeKeying, OpportunisticServerWithPeerWithoutExtensionStaysOnDefaultMkt) {
  EndpointSetup client = client_setup();
  client.armed = false;
  KeyedPair p(client, server_setup());
  ASSERT_TRUE(p.hs().run().both_finished());
  const auto outcome = p.keying(Side::Server).handshake_finished(p.ssl(Side::Server));
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, KeyingOutcome::DefaultMktOnly);
  EXPECT_EQ(installed_send_ids(p.socket(Side::Server).fake()), (Ids{0}));
  EXPECT_EQ(p.keying(Side::Server).status(p.now()).state, "default-mkt-only");
}

TEST(HandshakeKeying, RequiredWithPeerWithoutExtensionFailsTheHandshake) {
  for (Side required : {Side::Client, Side::Server}) {
    EndpointSetup client = client_setup();
    EndpointSetup server = server_setup();
    (required == Side::Client ? server : client).armed = false;
    (required == Side::Client ? client : server).requirement = tls::AoRequirement::Required;
    KeyedPair p(client, server);
    EXPECT_FALSE(p.hs().run().both_finished());
    EXPECT_EQ(installed_send_ids(p.socket(required).fake()), (Ids{0}));
    const auto outcome = p.keying(required).handshake_finished(p.ssl(required));
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().code, KeyingErrc::OutOfOrder);  // no finished handshake to judge
  }
}

TEST(HandshakeKeying, ClientWithoutPeerVerificationIsRefusedAfterTheHandshake) {
  EndpointSetup client = client_setup();
  client.requirement = tls::AoRequirement::Required;
  EndpointSetup server = server_setup();
  server.armed = false;
  KeyedPair p(client, server);
  // Without SSL_VERIFY_PEER the client's wiring cannot fail the handshake
  // (tcp_ao_wiring.hpp): handshake_finished must refuse the session.
  SSL_set_verify(p.ssl(Side::Client), SSL_VERIFY_NONE, nullptr);
  ASSERT_TRUE(p.hs().run().both_finished());
  const auto outcome = p.keying(Side::Client).handshake_finished(p.ssl(Side::Client));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, KeyingErrc::PeerRefused);
  EXPECT_EQ(installed_send_ids(p.socket(Side::Client).fake()), (Ids{0}));
  const auto tick = p.keying(Side::Client).tick(p.now());
  ASSERT_FALSE(tick);
  EXPECT_EQ(tick.error().code, KeyingErrc::PeerRefused);
}

// ---- (6) a backend that refuses the derived keys ----

TEST(HandshakeKeying, RefusedAddKeyFailsTheSessionWithoutCrashing) {
  for (Side refusing : {Side::Client, Side::Server}) {
    KeyedPair p(client_setup(), server_setup());
    p.socket(refusing).refuse_add_key(std::make_error_code(std::errc::operation_not_permitted), 1);
    ASSERT_TRUE(p.hs().run().both_finished());  // TLS itself completes
    const auto outcome = p.keying(refusing).handshake_finished(p.ssl(refusing));
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().code, KeyingErrc::Backend);
    EXPECT_EQ(outcome.error().cause, std::errc::operation_not_permitted);
    // The first install of the side's order: the server's receive key c(1),
    // the client's send key c(1); named by IDs and length only.
    EXPECT_NE(outcome.error().message.find("SendID=1 RecvID=1"), std::string::npos)
        << outcome.error().message;
    EXPECT_NE(outcome.error().message.find("<secret len=32>"), std::string::npos);
    EXPECT_EQ(installed_send_ids(p.socket(refusing).fake()), (Ids{0}));
    // Final: the timer says so too, and the status shows it.
    const auto tick = p.keying(refusing).tick(p.now());
    ASSERT_FALSE(tick);
    EXPECT_EQ(tick.error().code, KeyingErrc::Backend);
    EXPECT_EQ(p.keying(refusing).status(p.now()).last_error, outcome.error().message);
    // The other side is not affected.
    const Side other = refusing == Side::Client ? Side::Server : Side::Client;
    EXPECT_TRUE(p.keying(other).handshake_finished(p.ssl(other)));
  }
}

// ---- API misuse ----

TEST(HandshakeKeying, ArmOnceAndOnlyTheArmedSsl) {
  KeyedPair p(client_setup(), server_setup());
  const auto again = p.keying(Side::Client).arm(p.ssl(Side::Client));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, KeyingErrc::AlreadyArmed);
  EXPECT_EQ(p.keying(Side::Client).install_default_mkt(), make_error_code(KeyingErrc::OutOfOrder));
  ASSERT_TRUE(p.hs().run().both_finished());
  const auto wrong = p.keying(Side::Client).handshake_finished(p.ssl(Side::Server));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, KeyingErrc::NotArmed);
}

TEST(HandshakeKeying, HookMissingOnTheContextIsReported) {
  tls::test::CtxPtr client_ctx = tls::test::make_test_context(false);
  ASSERT_TRUE(tls::register_tcp_ao_extension(client_ctx.get()));  // no exporter hook
  tls::test::CtxPtr server_ctx = keyed_context(true);
  tls::test::MemoryHandshake hs(client_ctx.get(), server_ctx.get());
  RecordingSocket socket("client", nullptr);
  ConnectionKeying keying(
      socket, {keys::Side::Client, loopback_peer(), kClientAnn, tls::AoRequirement::Opportunistic});
  ASSERT_FALSE(keying.install_default_mkt());
  ASSERT_TRUE(keying.arm(hs.ssl(Side::Client)));
  ASSERT_TRUE(tls::arm_tcp_ao(hs.ssl(Side::Server), kServerAnn, tls::AoRequirement::Required));
  ASSERT_TRUE(hs.run().both_finished());
  const auto outcome = keying.handshake_finished(hs.ssl(Side::Client));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, KeyingErrc::HookNotRun);
}

TEST(HandshakeKeying, DerivedKeysWithoutADefaultMktAreAnError) {
  tls::test::CtxPtr client_ctx = keyed_context(false);
  tls::test::CtxPtr server_ctx = keyed_context(true);
  tls::test::MemoryHandshake hs(client_ctx.get(), server_ctx.get());
  RecordingSocket socket("client", nullptr);
  ConnectionKeying keying(
      socket, {keys::Side::Client, loopback_peer(), kClientAnn, tls::AoRequirement::Opportunistic});
  ASSERT_TRUE(keying.arm(hs.ssl(Side::Client)));  // no install_default_mkt()
  ASSERT_TRUE(tls::arm_tcp_ao(hs.ssl(Side::Server), kServerAnn, tls::AoRequirement::Required));
  ASSERT_TRUE(hs.run().both_finished());
  const auto outcome = keying.handshake_finished(hs.ssl(Side::Client));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, KeyingErrc::KeyMachine);
  EXPECT_TRUE(socket.fake().keys().empty());
  EXPECT_EQ(keying.status(std::chrono::steady_clock::now()).state, "idle");
}

TEST(HandshakeKeying, KeyingDestroyedBeforeItsSslIsIgnoredByTheHook) {
  tls::test::CtxPtr client_ctx = keyed_context(false);
  tls::test::CtxPtr server_ctx = keyed_context(true);
  tls::test::MemoryHandshake hs(client_ctx.get(), server_ctx.get());
  RecordingSocket socket("client", nullptr);
  {
    ConnectionKeying keying(socket, {keys::Side::Client, loopback_peer(), kClientAnn,
                                     tls::AoRequirement::Opportunistic});
    ASSERT_FALSE(keying.install_default_mkt());
    ASSERT_TRUE(keying.arm(hs.ssl(Side::Client)));
  }
  ASSERT_TRUE(tls::arm_tcp_ao(hs.ssl(Side::Server), kServerAnn, tls::AoRequirement::Required));
  ASSERT_TRUE(hs.run().both_finished());
  EXPECT_EQ(installed_send_ids(socket.fake()), (Ids{0}));
}

// ---- the real kernel backend (over the fake socket-option layer) ----

TEST(HandshakeKeying, ServerKeysThroughTheKernelBackend) {
  backend::testing::FakeKernel kernel;
  backend::KernelBackend kernel_backend(kernel);
  const int fd = kernel.add_socket(AF_INET, backend::testing::TcpState::Established);
  auto server_socket =
      kernel_backend.attach({fd, backend::SocketRole::Connection, segment::IpVersion::V4});
  tls::test::CtxPtr client_ctx = keyed_context(false);
  tls::test::CtxPtr server_ctx = keyed_context(true);
  tls::test::MemoryHandshake hs(client_ctx.get(), server_ctx.get());
  RecordingSocket client_socket("client", nullptr);
  ConnectionKeying client(client_socket, {keys::Side::Client, loopback_peer(), kClientAnn,
                                          tls::AoRequirement::Required});
  ConnectionKeying server(*server_socket, {keys::Side::Server, loopback_peer(), kServerAnn,
                                           tls::AoRequirement::Required});
  ASSERT_FALSE(client.install_default_mkt());
  ASSERT_FALSE(server.install_default_mkt());
  ASSERT_TRUE(client.arm(hs.ssl(Side::Client)));
  ASSERT_TRUE(server.arm(hs.ssl(Side::Server)));
  ASSERT_TRUE(hs.run().both_finished());
  ASSERT_TRUE(server.handshake_finished(hs.ssl(Side::Server)));
  ASSERT_TRUE(client.handshake_finished(hs.ssl(Side::Client)));

  const auto& ao = kernel.socket(fd).ao;
  ASSERT_TRUE(ao.has_value());
  ASSERT_EQ(ao->keys.size(), 3U);
  for (const auto& key : ao->keys) {
    EXPECT_EQ(key.sndid, key.rcvid);
    const Bytes expected = secret_by_send_id(client_socket.fake(), key.sndid);
    EXPECT_TRUE(key.key == expected) << "key " << int{key.sndid};
  }
  ASSERT_NE(ao->rnext, nullptr);
  EXPECT_EQ(ao->rnext->rcvid, 1);  // RNextKeyID = c(1)
  ASSERT_NE(ao->current, nullptr);
  EXPECT_EQ(ao->current->sndid, 0);  // not forced: the client's RNextKeyID will move it

  const KeyingStatus status = server.status(std::chrono::steady_clock::now());
  EXPECT_EQ(status.state, "switching");
  EXPECT_EQ(status.current_key_id, 0);
  EXPECT_EQ(status.rnext_key_id, 1);
  EXPECT_EQ(status.keys.size(), 3U);
  EXPECT_FALSE(status.backend_read_error.has_value());
}

}  // namespace
}  // namespace aotls::keying::testing
