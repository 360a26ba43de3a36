// The exporter hook alone: when it fires, that its RFC 8446 section 7.5
// exporter equals OpenSSL's SSL_export_keying_material (both hashes of the
// TLS 1.3 suites), the key log line parser, registration and binding rules.
#include "aotls/keying/exporter_hook.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "aotls/tls/exporter.hpp"
#include "tests/unit/keying/test_support.hpp"

namespace aotls::keying::testing {
namespace {

using tls::test::MemoryHandshake;
using tls::test::Side;

// Keeps a copy of the secret it is told (a test may; the library never does).
class CapturingListener final : public ExporterListener {
 public:
  void on_exporter_secret(const SSL* /*ssl*/, const ExporterSecret& secret) noexcept override {
    ++calls;
    captured.master = crypto::Secret(secret.master.bytes());
    captured.digest = secret.digest;
  }
  int calls = 0;
  ExporterSecret captured;
};

Bytes openssl_export(SSL* ssl, std::span<const std::uint8_t> context) {
  std::array<std::uint8_t, 32> out{};
  EXPECT_EQ(SSL_export_keying_material(ssl, out.data(), out.size(), "tcp-ao", 6, context.data(),
                                       context.size(), 1),
            1);
  return {out.begin(), out.end()};
}

struct HookedPair {
  tls::test::CtxPtr client_ctx = keyed_context(false);
  tls::test::CtxPtr server_ctx = keyed_context(true);
  std::optional<MemoryHandshake> hs;
  CapturingListener client;
  CapturingListener server;
  std::optional<ExporterBinding> client_binding;
  std::optional<ExporterBinding> server_binding;

  explicit HookedPair(const char* suites = nullptr) {
    if (suites != nullptr) {
      EXPECT_EQ(SSL_CTX_set_ciphersuites(client_ctx.get(), suites), 1);
      EXPECT_EQ(SSL_CTX_set_ciphersuites(server_ctx.get(), suites), 1);
    }
    hs.emplace(client_ctx.get(), server_ctx.get());
    auto c = ExporterBinding::bind(hs->ssl(Side::Client), client);
    auto s = ExporterBinding::bind(hs->ssl(Side::Server), server);
    EXPECT_TRUE(c && s);
    if (c) client_binding.emplace(std::move(*c));
    if (s) server_binding.emplace(std::move(*s));
  }
};

class ExporterPerSuite : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(ExporterPerSuite, OwnExporterEqualsOpenSsl) {
  HookedPair p(GetParam().first);
  ASSERT_TRUE(p.hs->run().both_finished());
  for (auto* listener : {&p.client, &p.server}) {
    EXPECT_EQ(listener->calls, 1);
    EXPECT_EQ(listener->captured.digest, GetParam().second);
  }
  // Same exporter master secret on both ends, and equal to what OpenSSL
  // exports for the profile's contexts of several generations.
  EXPECT_TRUE(bytes_of(p.client.captured.master) == bytes_of(p.server.captured.master));
  for (keys::Generation g : {1U, 2U, 200U}) {
    const auto ours = derive_generation(p.server.captured, kClientAnn, kServerAnn, g);
    ASSERT_TRUE(ours) << ours.error().message;
    const auto theirs = tls::derive_generation(p.hs->ssl(Side::Client), kClientAnn, kServerAnn, g);
    ASSERT_TRUE(theirs);
    EXPECT_TRUE(bytes_of(ours->client_to_server) == bytes_of(theirs->client_to_server)) << g;
    EXPECT_TRUE(bytes_of(ours->server_to_client) == bytes_of(theirs->server_to_client)) << g;
    EXPECT_TRUE(bytes_of(ours->client_to_server) != bytes_of(ours->server_to_client)) << g;
  }
  const std::vector<std::uint8_t> context{0x01, 0x01, 0x01, 0x02};
  const auto direct = export_keying_material(p.client.captured, "tcp-ao", context, 32);
  ASSERT_TRUE(direct);
  EXPECT_TRUE(bytes_of(*direct) == openssl_export(p.hs->ssl(Side::Server), context));
}

INSTANTIATE_TEST_SUITE_P(Tls13Suites, ExporterPerSuite,
                         ::testing::Values(std::pair{"TLS_AES_128_GCM_SHA256", "SHA256"},
                                           std::pair{"TLS_AES_256_GCM_SHA384", "SHA384"},
                                           std::pair{"TLS_CHACHA20_POLY1305_SHA256", "SHA256"}));

TEST(ExporterHook, ServerHearsBeforeItsFlightLeavesAndClientBeforeItsFinished) {
  HookedPair p;
  MemoryHandshake& hs = *p.hs;
  hs.step(Side::Client);  // ClientHello
  EXPECT_EQ(p.client.calls + p.server.calls, 0);
  hs.transfer(Side::Client);
  hs.step(Side::Server);  // the whole server flight, into memory
  EXPECT_EQ(p.server.calls, 1);
  EXPECT_EQ(p.client.calls, 0);
  hs.transfer(Side::Server);
  hs.step(Side::Client);
  EXPECT_EQ(p.client.calls, 1);
  EXPECT_EQ(p.server.calls, 1);
}

TEST(ExporterHook, UnknownDigestAndEmptySecretAreErrors) {
  ExporterSecret secret{crypto::Secret(std::vector<std::uint8_t>(32, 7)), "NO-SUCH-HASH"};
  const auto unknown = export_keying_material(secret, "tcp-ao", {}, 32);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, KeyingErrc::ExporterFailed);
  const auto empty = derive_generation(ExporterSecret{{}, "SHA256"}, kClientAnn, kServerAnn, 1);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, KeyingErrc::ExporterFailed);
  const auto no_generation =
      derive_generation(ExporterSecret{crypto::Secret(std::vector<std::uint8_t>(32, 7)), "SHA256"},
                        kClientAnn, kServerAnn, 0);
  ASSERT_FALSE(no_generation);
  EXPECT_EQ(no_generation.error().code, KeyingErrc::ExporterFailed);
}

TEST(ExporterHook, ParsesOnlyWellFormedExporterLines) {
  const std::string random(64, 'a');
  const auto ok = exporter_secret_from_key_log_line("EXPORTER_SECRET " + random + " 00ff10Ab");
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(bytes_of(*ok) == (Bytes{0x00, 0xff, 0x10, 0xab}));
  for (const std::string& bad : {
           "CLIENT_TRAFFIC_SECRET_0 " + random + " 00ff",                 // another label
           "EXPORTER_SECRET " + random,                                   // no secret
           "EXPORTER_SECRET " + random + " ",                             // empty secret
           "EXPORTER_SECRET " + random + " 0f0",                          // odd length
           "EXPORTER_SECRET " + random + " 0g",                           // not hex
           "EXPORTER_SECRET " + std::string(62, 'a') + " 00ff",           // short random
           "EXPORTER_SECRET " + std::string(64, 'z') + " 00ff",           // random not hex
           "EXPORTER_SECRET " + random + " " + std::string(2 * 65, '1'),  // > EVP_MAX_MD_SIZE
           "EXPORTER_SECRETX" + random + " 00ff",
       }) {
    EXPECT_FALSE(exporter_secret_from_key_log_line(bad).has_value()) << bad.substr(0, 24);
  }
}

TEST(ExporterHook, OncePerContext) {
  tls::test::CtxPtr ctx = tls::test::make_test_context(false);
  ASSERT_TRUE(register_exporter_hook(ctx.get()));
  const auto again = register_exporter_hook(ctx.get());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, KeyingErrc::HookAlreadyRegistered);
}

std::vector<std::string>* g_lines = nullptr;

void earlier_keylog(const SSL* /*ssl*/, const char* line) {
  // Only the label: the rest is secret.
  const std::string text(line);
  if (g_lines != nullptr) g_lines->push_back(text.substr(0, text.find(' ')));
}

TEST(ExporterHook, AnEarlierKeyLogCallbackStillGetsEveryLine) {
  std::vector<std::string> lines;
  g_lines = &lines;
  tls::test::CtxPtr client_ctx = tls::test::make_test_context(false);
  SSL_CTX_set_keylog_callback(client_ctx.get(), &earlier_keylog);
  ASSERT_TRUE(register_exporter_hook(client_ctx.get()));
  tls::test::CtxPtr server_ctx = tls::test::make_test_context(true);
  MemoryHandshake hs(client_ctx.get(), server_ctx.get());
  CapturingListener listener;
  auto binding = ExporterBinding::bind(hs.ssl(Side::Client), listener);
  ASSERT_TRUE(binding);
  ASSERT_TRUE(hs.run().both_finished());
  g_lines = nullptr;
  EXPECT_EQ(listener.calls, 1);
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines,
            (std::vector<std::string>{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
                                      "EXPORTER_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                      "SERVER_TRAFFIC_SECRET_0"}));
}

TEST(ExporterBinding, OncePerSslAndDetachedWhenDestroyed) {
  tls::test::CtxPtr client_ctx = keyed_context(false);
  tls::test::CtxPtr server_ctx = keyed_context(true);
  MemoryHandshake hs(client_ctx.get(), server_ctx.get());
  CapturingListener listener;
  {
    auto binding = ExporterBinding::bind(hs.ssl(Side::Server), listener);
    ASSERT_TRUE(binding);
    const auto again = ExporterBinding::bind(hs.ssl(Side::Server), listener);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, KeyingErrc::AlreadyArmed);
  }
  ASSERT_TRUE(hs.run().both_finished());
  EXPECT_EQ(listener.calls, 0);
}

TEST(ExporterBinding, OutlivesItsSsl) {
  tls::test::CtxPtr client_ctx = keyed_context(false);
  tls::test::CtxPtr server_ctx = keyed_context(true);
  CapturingListener listener;
  std::optional<ExporterBinding> binding;
  {
    MemoryHandshake hs(client_ctx.get(), server_ctx.get());
    auto bound = ExporterBinding::bind(hs.ssl(Side::Client), listener);
    ASSERT_TRUE(bound);
    binding.emplace(std::move(*bound));
    ASSERT_TRUE(hs.run().both_finished());
  }
  EXPECT_EQ(listener.calls, 1);
  binding.reset();  // the SSL is gone; detaching touches only the shared slot
}

}  // namespace
}  // namespace aotls::keying::testing
