// BGP over TLS on loopback: contexts (TLS 1.3 only, ALPN botls, mutual
// authentication, no tickets), the peer identity check, the handshake
// deadline, bad input, and the first-byte peek of tls "preferred".
// Certificates come from scripts/lab-certs, the same helper the lab uses.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "bgpd/session/tls_fallback.hpp"
#include "bgpd/session/tls_transport.hpp"
#include "loopback.hpp"

namespace session_test {
namespace {

namespace fs = std::filesystem;
using aotls::tls::PeerIdentity;
using bgpd::session::ConnectOptions;
using bgpd::session::TlsContexts;
using bgpd::session::TlsHandshakeOptions;
using bgpd::session::TlsRole;
using bgpd::session::TransportOrError;

// One PKI for the whole binary: a lab CA with routers, and a foreign CA.
class Pki {
 public:
  static const Pki& get() {
    static const Pki pki;
    return pki;
  }
  const fs::path& dir() const { return dir_; }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  aotls::tls::ContextOptions options(const std::string& router, const std::string& ca = "ca") const {
    return {file(ca + ".pem"), file(router + ".pem"), file(router + ".key"), ""};
  }

 private:
  Pki() {
    dir_ = fs::temp_directory_path() / ("bgpd-tls-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string certs = std::string(BGPD_SOURCE_DIR) + "/scripts/lab-certs";
    const std::string d = dir_.string();
    run(certs + " ca " + d);
    run(certs + " ca " + d + "/other --name 'other CA'");
    run(certs + " router " + d + " good --ca " + d + "/ca --ip 127.0.0.1 --ip ::1");
    run(certs + " router " + d + " named --ca " + d + "/ca --dns r2.lab.example");
    run(certs + " router " + d + " expired --ca " + d + "/ca --ip 127.0.0.1 --expired");
    run(certs + " router " + d + "/other foreign --ca " + d + "/other/ca --ip 127.0.0.1");
    fs::copy_file(dir_ / "other" / "foreign.pem", dir_ / "foreign.pem");
    fs::copy_file(dir_ / "other" / "foreign.key", dir_ / "foreign.key");
  }
  ~Pki() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  static void run(const std::string& command) {
    if (std::system((command + " >/dev/null").c_str()) != 0) {
      throw std::runtime_error("failed: " + command);
    }
  }
  fs::path dir_;
};

std::shared_ptr<asio::ssl::context> context(aotls::tls::Role role,
                                            aotls::tls::ContextOptions options,
                                            const std::string& alpn = "botls") {
  options.alpn = alpn;
  auto made = aotls::tls::make_context(role, options);
  if (!made) {
    ADD_FAILURE() << made.error().front();
    return nullptr;
  }
  return std::make_shared<asio::ssl::context>(made->release());
}

// A connected loopback pair: `client` from connect_tcp, `server` accepted.
struct SocketPair {
  std::optional<asio::ip::tcp::socket> client;
  std::optional<asio::ip::tcp::socket> server;
};

SocketPair connect_pair(asio::io_context& io, TestListener& listener) {
  ConnectOptions options;
  options.remote = listener.endpoint();
  options.timeout = 2s;
  auto socket = run_coroutine(io, bgpd::session::connect_tcp(options));
  SocketPair pair;
  if (!socket || !*socket) return pair;
  pair.client.emplace(std::move(**socket));
  if (run_until(io, [&] { return !listener.accepted.empty(); })) {
    pair.server.emplace(std::move(listener.accepted.front().socket));
    listener.accepted.clear();
  }
  return pair;
}

struct Outcome {
  std::optional<TransportOrError> client;
  std::optional<TransportOrError> server;
  bool client_ok() const { return client && client->has_value(); }
  bool server_ok() const { return server && server->has_value(); }
};

struct Side {
  std::shared_ptr<asio::ssl::context> context;
  PeerIdentity peer = PeerIdentity::ip("127.0.0.1");
};

// Both handshakes at once on their own strands, bounded.
Outcome handshake(asio::io_context& io, const Side& client, const Side& server,
                  std::chrono::milliseconds timeout = 3s) {
  TestListener listener(io, asio::ip::make_address("127.0.0.1"));
  auto pair = connect_pair(io, listener);
  Outcome outcome;
  if (!pair.client || !pair.server) {
    ADD_FAILURE() << "no loopback connection";
    return outcome;
  }
  auto start = [&](asio::ip::tcp::socket socket, TlsRole role, const Side& side,
                   std::optional<TransportOrError>& slot) {
    TlsHandshakeOptions options{role, side.context, side.peer, timeout, {}, nullptr};
    auto executor = socket.get_executor();
    asio::co_spawn(
        executor,
        [&slot, socket = std::move(socket), options]() mutable -> asio::awaitable<void> {
          slot.emplace(co_await bgpd::session::tls_handshake(std::move(socket), options));
        },
        asio::detached);
  };
  start(std::move(*pair.client), TlsRole::Client, client, outcome.client);
  start(std::move(*pair.server), TlsRole::Server, server, outcome.server);
  run_until(
      io, [&] { return outcome.client && outcome.server; }, timeout + 2s);
  return outcome;
}

Side good_client() { return {context(aotls::tls::Role::Client, Pki::get().options("good"))}; }
Side good_server() { return {context(aotls::tls::Role::Server, Pki::get().options("good"))}; }

TEST(TlsHandshake, MutualAuthWithAlpnBotlsCarriesBytesBothWays) {
  asio::io_context io;
  auto outcome = handshake(io, good_client(), good_server());
  ASSERT_TRUE(outcome.client_ok()) << outcome.client->error().message();
  ASSERT_TRUE(outcome.server_ok()) << outcome.server->error().message();
  auto& client = *outcome.client->value();
  auto& server = *outcome.server->value();

  const auto info = client.info();
  EXPECT_EQ(info.kind, "tls");
  ASSERT_TRUE(info.tls.has_value());
  EXPECT_EQ(info.tls->version, "TLSv1.3");
  EXPECT_EQ(info.tls->alpn, "botls");
  EXPECT_EQ(info.tls->peer_subject, "CN=good");
  EXPECT_EQ(info.tls->peer_san, (std::vector<std::string>{"IP:127.0.0.1", "IP:::1"}));
  EXPECT_GT(info.tls->handshake_time.count(), 0);
  EXPECT_EQ(server.info().tls->alpn, "botls");

  const std::string open = "an OPEN, as application data";
  auto wrote = run_coroutine(io, client.write(asio::buffer(open)));
  ASSERT_TRUE(wrote && !wrote->ec);
  std::array<char, 64> buffer{};
  auto got = run_coroutine(io, server.read_some(asio::buffer(buffer)));
  ASSERT_TRUE(got && !got->ec);
  EXPECT_EQ(std::string(buffer.data(), got->bytes), open);

  // close_notify, answered: the reader sees a clean end of stream.
  std::optional<std::error_code> shut;
  asio::co_spawn(
      client.get_executor(),
      [&]() -> asio::awaitable<void> { shut = co_await client.shutdown(); }, asio::detached);
  auto end = run_coroutine(io, server.read_some(asio::buffer(buffer)));
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->ec, eof_code());
  server.close();
  EXPECT_TRUE(run_until(io, [&] { return shut.has_value(); }));
}

// How many NewSessionTicket messages a client received (OpenSSL calls the
// new-session callback once per ticket when client caching is on).
int tickets_received(asio::io_context& io, const Side& server) {
  static int count = 0;
  count = 0;
  Side client = good_client();
  SSL_CTX_set_session_cache_mode(client.context->native_handle(), SSL_SESS_CACHE_CLIENT);
  SSL_CTX_sess_set_new_cb(client.context->native_handle(), [](SSL*, SSL_SESSION*) {
    ++count;
    return 0;
  });
  auto outcome = handshake(io, client, server);
  if (!outcome.client_ok() || !outcome.server_ok()) return -1;
  // Tickets follow the handshake: a read on the client consumes them.
  const std::string ping = "x";
  auto wrote = run_coroutine(io, outcome.server->value()->write(asio::buffer(ping)));
  std::array<char, 8> buffer{};
  auto got = run_coroutine(io, outcome.client->value()->read_some(asio::buffer(buffer)));
  if (!wrote || wrote->ec || !got || got->ec) return -1;
  return count;
}

TEST(TlsHandshake, NoSessionTicketIsIssued) {
  asio::io_context io;
  EXPECT_EQ(tickets_received(io, good_server()), 0);
  // The probe works: a server left at OpenSSL's defaults sends tickets.
  Side defaults = good_server();
  SSL_CTX_clear_options(defaults.context->native_handle(), SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(defaults.context->native_handle(), 2);
  EXPECT_EQ(tickets_received(io, defaults), 2);
}

TEST(TlsHandshake, ConfiguredDnsNameIsAcceptedInsteadOfTheAddress) {
  asio::io_context io;
  Side client = good_client();
  client.peer = PeerIdentity::dns("r2.lab.example");
  Side server{context(aotls::tls::Role::Server, Pki::get().options("named"))};
  auto outcome = handshake(io, client, server);
  EXPECT_TRUE(outcome.client_ok()) << outcome.client->error().message();
  EXPECT_TRUE(outcome.server_ok());
}

struct Refusal {
  const char* name;
  Side (*client)();
  Side (*server)();
  // TLS 1.3 (RFC 8446 section 4.4.2): the server checks the client's
  // certificate after the client sent its Finished, so a client refused for
  // its certificate completes locally and learns it from the alert on its
  // first read - before any BGP byte of the server's.
  bool client_learns_on_read = false;
  // What the refusing side's error says (the CLI shows it).
  const char* reason = "";
};

std::string errors_of(const Outcome& outcome) {
  std::string text;
  for (const auto* side : {&outcome.client, &outcome.server}) {
    if (*side && !(*side)->has_value()) text += (*side)->error().message() + "; ";
  }
  return text;
}

Side foreign_client() {
  return {context(aotls::tls::Role::Client, Pki::get().options("foreign", "ca"))};
}
Side expired_client() { return {context(aotls::tls::Role::Client, Pki::get().options("expired"))}; }
Side server_without_our_ip() {
  return {context(aotls::tls::Role::Server, Pki::get().options("named"))};
}
Side client_trusting_other_ca() {
  return {context(aotls::tls::Role::Client, Pki::get().options("good", "other/ca"))};
}
Side client_offering_other_alpn() {
  return {context(aotls::tls::Role::Client, Pki::get().options("good"), "h2")};
}
Side client_without_alpn() {
  Side side = good_client();
  SSL_CTX_set_alpn_protos(side.context->native_handle(), nullptr, 0);
  return side;
}
Side server_ignoring_alpn() {
  Side side = good_server();
  SSL_CTX_set_alpn_select_cb(side.context->native_handle(), nullptr, nullptr);
  return side;
}
Side tls12(Side side) {
  SSL_CTX_set_min_proto_version(side.context->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(side.context->native_handle(), TLS1_2_VERSION);
  return side;
}
Side tls12_client() { return tls12(good_client()); }
Side tls12_server() { return tls12(good_server()); }

class TlsRefused : public ::testing::TestWithParam<Refusal> {};

// Each misconfiguration fails the handshake on both ends: no transport
// (and so no BGP byte) on either side.
TEST_P(TlsRefused, NeitherSideGetsATransport) {
  asio::io_context io;
  auto outcome = handshake(io, GetParam().client(), GetParam().server());
  ASSERT_TRUE(outcome.client.has_value() && outcome.server.has_value());
  EXPECT_FALSE(outcome.server_ok());
  EXPECT_NE(errors_of(outcome).find(GetParam().reason), std::string::npos) << errors_of(outcome);
  if (!GetParam().client_learns_on_read) {
    EXPECT_FALSE(outcome.client_ok());
    return;
  }
  ASSERT_TRUE(outcome.client_ok());
  std::array<char, 8> buffer{};
  auto got = run_coroutine(io, outcome.client->value()->read_some(asio::buffer(buffer)));
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->ec);
  EXPECT_EQ(got->bytes, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TlsRefused,
    ::testing::Values(Refusal{"client_cert_from_another_ca", foreign_client, good_server, true,
                              "certificate verify failed: unable to get local issuer"},
                      Refusal{"server_cert_from_another_ca", client_trusting_other_ca, good_server,
                              false, "certificate verify failed: self-signed certificate in"},
                      Refusal{"server_cert_without_the_peer_ip", good_client, server_without_our_ip,
                              false, "IP address mismatch"},
                      Refusal{"expired_client_cert", expired_client, good_server, true,
                              "certificate has expired"},
                      Refusal{"client_alpn_other", client_offering_other_alpn, good_server, false,
                              "no application protocol"},
                      Refusal{"client_alpn_missing", client_without_alpn, good_server, false,
                              "tlsv1 alert no application protocol; no application protocol"},
                      Refusal{"server_selects_no_alpn", good_client, server_ignoring_alpn, false,
                              "selected no ALPN protocol"},
                      Refusal{"client_tls12_only", tls12_client, good_server, false,
                              "protocol version"},
                      Refusal{"server_tls12_only", good_client, tls12_server, false,
                              "protocol version"}),
    [](const auto& test) { return std::string(test.param.name); });

// Bytes a broken or hostile client sends instead of a ClientHello. The
// server's handshake must fail on its own (before a generous deadline,
// unless the input is a stall) without waiting for, or allocating, what a
// length field claims.
struct BadInput {
  const char* name;
  std::vector<std::uint8_t> bytes;
  bool stalls;  // only the handshake deadline can end it
};

std::vector<std::uint8_t> record(std::uint8_t type, std::size_t length, std::size_t body) {
  std::vector<std::uint8_t> out{type, 0x03, 0x01, static_cast<std::uint8_t>(length >> 8),
                                static_cast<std::uint8_t>(length)};
  out.resize(out.size() + body, 0x41);
  return out;
}

std::vector<std::uint8_t> huge_client_hello() {
  // A handshake record whose ClientHello claims 16 MiB (RFC 8446 4: uint24).
  auto out = record(0x16, 300, 0);
  const std::vector<std::uint8_t> header{0x01, 0xFF, 0xFF, 0xFF};
  out.insert(out.end(), header.begin(), header.end());
  out.resize(5 + 300, 0x00);
  return out;
}

class TlsBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(TlsBadInput, ServerHandshakeFailsCleanly) {
  asio::io_context io;
  TestListener listener(io, asio::ip::make_address("127.0.0.1"));
  auto pair = connect_pair(io, listener);
  ASSERT_TRUE(pair.client && pair.server);
  const auto timeout = GetParam().stalls ? 500ms : 10s;
  std::optional<TransportOrError> server;
  TlsHandshakeOptions options{TlsRole::Server, good_server().context, PeerIdentity::ip("127.0.0.1"),
                              timeout, {}, nullptr};
  const auto started = std::chrono::steady_clock::now();
  asio::co_spawn(
      pair.server->get_executor(),
      [&, socket = std::move(*pair.server)]() mutable -> asio::awaitable<void> {
        server.emplace(co_await bgpd::session::tls_handshake(std::move(socket), options));
      },
      asio::detached);
  boost::system::error_code ignored;
  asio::write(*pair.client, asio::buffer(GetParam().bytes), ignored);
  ASSERT_TRUE(run_until(
      io, [&] { return server.has_value(); }, 12s));
  EXPECT_FALSE(server->has_value());
  const auto took = std::chrono::steady_clock::now() - started;
  if (GetParam().stalls) {
    EXPECT_EQ(server->error(), std::errc::timed_out) << server->error().message();
  } else {
    EXPECT_LT(took, 5s) << "waited for input a length field claimed";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TlsBadInput,
    ::testing::Values(
        BadInput{"garbage", std::vector<std::uint8_t>(64, 0x42), false},
        BadInput{"bgp_marker", std::vector<std::uint8_t>(19, 0xFF), false},
        BadInput{"truncated_record", record(0x16, 300, 10), true},
        // RFC 8446 5.1: a record longer than 2^14 + 256 is record_overflow.
        BadInput{"oversized_record", record(0x16, 0x4200, 0x4200), false},
        BadInput{"client_hello_claiming_16_mib", huge_client_hello(), false}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(TlsContexts, BadFilesAreListedWithTheirPaths) {
  const auto& pki = Pki::get();
  auto missing = TlsContexts::make({pki.file("nope.pem"), pki.file("nope-cert.pem"),
                                    pki.file("good.key"), ""});
  ASSERT_FALSE(missing);
  ASSERT_EQ(missing.error().size(), 2u);
  EXPECT_NE(missing.error()[0].find("nope.pem"), std::string::npos);
  EXPECT_NE(missing.error()[1].find("nope-cert.pem"), std::string::npos);

  auto mismatched = TlsContexts::make({pki.file("ca.pem"), pki.file("good.pem"),
                                       pki.file("named.key"), ""});
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().front().find("named.key"), std::string::npos);
  EXPECT_NE(mismatched.error().front().find("mismatch"), std::string::npos)
      << mismatched.error().front();

  EXPECT_TRUE(TlsContexts::make(pki.options("good")));
}

TEST(TlsContexts, PrivateKeyReadableByOthersIsRefused) {
  const auto& pki = Pki::get();
  const auto loose = pki.dir() / "loose.key";
  fs::copy_file(pki.file("good.key"), loose, fs::copy_options::overwrite_existing);
  fs::permissions(loose, fs::perms(0644));
  auto made = TlsContexts::make({pki.file("ca.pem"), pki.file("good.pem"), loose.string(), ""});
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().front().find("0644"), std::string::npos);
  fs::permissions(loose, fs::perms(0600));
  EXPECT_TRUE(TlsContexts::make({pki.file("ca.pem"), pki.file("good.pem"), loose.string(), ""}));
}

class FirstByte : public ::testing::TestWithParam<std::uint8_t> {};

TEST_P(FirstByte, IsPeekedNotConsumed) {
  asio::io_context io;
  TestListener listener(io, asio::ip::make_address("127.0.0.1"));
  auto pair = connect_pair(io, listener);
  ASSERT_TRUE(pair.client && pair.server);
  const std::array<std::uint8_t, 2> bytes{GetParam(), 0x01};
  asio::write(*pair.client, asio::buffer(bytes));
  auto first = run_coroutine(io, bgpd::session::peek_first_byte(*pair.server, 2000ms));
  ASSERT_TRUE(first && first->has_value());
  EXPECT_EQ(**first, GetParam());
  std::array<std::uint8_t, 2> read{};
  asio::read(*pair.server, asio::buffer(read));
  EXPECT_EQ(read, bytes);
}

INSTANTIATE_TEST_SUITE_P(TlsAndBgp, FirstByte, ::testing::Values(0x16, 0xFF, 0x00));

TEST(FirstByte, SilentPeerTimesOutAndClosedPeerIsEof) {
  asio::io_context io;
  TestListener listener(io, asio::ip::make_address("127.0.0.1"));
  auto pair = connect_pair(io, listener);
  ASSERT_TRUE(pair.client && pair.server);
  auto silent = run_coroutine(io, bgpd::session::peek_first_byte(*pair.server, 100ms));
  ASSERT_TRUE(silent && !silent->has_value());
  EXPECT_EQ(silent->error(), std::errc::timed_out) << silent->error().message();
  pair.client->close();
  auto closed = run_coroutine(io, bgpd::session::peek_first_byte(*pair.server, 2000ms));
  ASSERT_TRUE(closed && !closed->has_value());
  EXPECT_EQ(closed->error(), eof_code());
}

TEST(TlsFallback, PlainAfterNFailuresThenTlsAgain) {
  bgpd::session::TlsFallback fallback(2);
  EXPECT_FALSE(fallback.next_is_plain());
  fallback.tls_failed("alert");
  EXPECT_FALSE(fallback.next_is_plain());
  fallback.tls_failed("timed out");
  EXPECT_TRUE(fallback.next_is_plain());
  EXPECT_EQ(fallback.last_failure(), "timed out");
  fallback.downgraded();
  EXPECT_FALSE(fallback.next_is_plain());
  EXPECT_EQ(fallback.downgrades(), 1u);
  EXPECT_EQ(fallback.failed_attempts(), 2u);
  fallback.tls_failed("alert");
  fallback.tls_succeeded();
  EXPECT_EQ(fallback.failures_in_a_row(), 0u);
  EXPECT_EQ(fallback.failed_attempts(), 3u);
}

TEST(TlsFallback, APeerSpeakingPlainBgpGetsNoClientHelloUntilTlsWorksAgain) {
  bgpd::session::TlsFallback fallback(3);
  fallback.peer_spoke_plain();
  EXPECT_TRUE(fallback.next_is_plain());
  EXPECT_EQ(fallback.downgrades(), 1u);
  fallback.downgraded();
  EXPECT_TRUE(fallback.next_is_plain()) << "still plain: the peer has not shown TLS";
  fallback.tls_succeeded();
  EXPECT_FALSE(fallback.next_is_plain());
  EXPECT_FALSE(fallback.peer_spoke_plain_seen());
}

}  // namespace
}  // namespace session_test
