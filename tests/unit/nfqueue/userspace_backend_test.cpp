// The userspace backend behind the Backend interface
// (aotls/backend/nfqueue/userspace_backend.hpp) without the I/O shell: real
// loopback TCP sockets for getsockname/getpeername, an EngineProcessor the
// test also reads directly, and packets fed to the processor by hand.
#include "aotls/backend/nfqueue/userspace_backend.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "tests/unit/userspace/packet_builder.hpp"

namespace aotls::backend::nfqueue {
namespace {

using namespace std::chrono_literals;
using userspace::testing::ip;
using Clock = std::chrono::steady_clock;

// A TCP socket closed at scope exit.
class Fd {
 public:
  explicit Fd(int family) : fd_(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  explicit Fd(int fd, bool /*adopt*/) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void bind_v4(const Fd& fd, const char* address, std::uint16_t port = 0) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  ASSERT_EQ(::inet_pton(AF_INET, address, &in.sin_addr), 1);
  ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&in), sizeof(in)), 0)
      << std::strerror(errno);
}

std::uint16_t port_of(const Fd& fd) {
  const auto end = local_end(fd.get());
  EXPECT_TRUE(end.has_value());
  return end ? end->port : 0;
}

keys::Mkt mkt(keys::KeyId send_id, keys::KeyId recv_id, std::uint8_t seed = 0x11) {
  keys::Mkt out;
  out.send_id = send_id;
  out.recv_id = recv_id;
  out.params.mac = crypto::MacAlgorithm::HmacSha1_96;
  out.params.kdf = crypto::KdfAlgorithm::HmacSha1;
  out.params.include_options = true;
  out.secret = crypto::Secret(std::vector<std::uint8_t>(20, seed));
  return out;
}

class UserspaceBackendTest : public ::testing::Test {
 protected:
  // A connection socket bound to 127.0.0.1 (ephemeral port), going to 127.0.0.2:179.
  std::unique_ptr<TcpAoSocket> attach_connection(const Fd& fd) {
    bind_v4(fd, "127.0.0.1");
    return backend->attach(
        {fd.get(), SocketRole::Connection, segment::IpVersion::V4, ip("127.0.0.2"), 179});
  }
  bool engine_knows(userspace::SocketId id) {
    return processor.with_engine(
        [&](userspace::UserspaceTcpAo& engine) { return engine.keys(id) != nullptr; });
  }

  EngineProcessor processor;
  std::unique_ptr<UserspaceBackend> backend = UserspaceBackend::over_processor(processor, 60s);
  PeerPrefix peer = PeerPrefix::host(ip("127.0.0.2"));
};

TEST_F(UserspaceBackendTest, ConnectionForwardsTheKeyApiToItsEngineSocket) {
  Fd fd(AF_INET);
  auto socket = attach_connection(fd);
  ASSERT_EQ(socket->role(), SocketRole::Connection);
  EXPECT_EQ(socket->status().error(), std::errc::no_such_file_or_directory);

  ASSERT_FALSE(socket->add_key(peer, mkt(1, 1)));
  ASSERT_FALSE(socket->add_key(peer, mkt(2, 2, 0x22)));
  EXPECT_EQ(socket->add_key(peer, mkt(1, 7)), std::errc::file_exists);
  EXPECT_EQ(socket->set_rnext(9), std::errc::no_such_file_or_directory);
  ASSERT_FALSE(socket->set_current(2));
  ASSERT_FALSE(socket->set_rnext(1));
  const auto status = socket->status();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->current_key_id, 2);
  EXPECT_EQ(status->rnext_key_id, 1);
  EXPECT_EQ(socket->delete_key(peer, 2, 2, {}), std::errc::device_or_resource_busy);
  ASSERT_FALSE(socket->delete_key(peer, 2, 2, {.current_send_id = 1, .rnext_recv_id = {}}));
  const auto keys = socket->key_counters();
  ASSERT_TRUE(keys.has_value());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].send_id, 1);
  EXPECT_TRUE((*keys)[0].is_current);
  EXPECT_TRUE((*keys)[0].is_rnext);

  // The engine socket is the one the packets of this 4-tuple reach.
  const userspace::FlowTuple tuple{ip("127.0.0.1"), ip("127.0.0.2"), port_of(fd), 179};
  const auto found = processor.with_engine(
      [&](userspace::UserspaceTcpAo& engine) { return engine.find_connection(tuple); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(processor.with_engine([&](userspace::UserspaceTcpAo& engine) {
    return engine.keys(*found)->key_counters()->size();
  }),
            1u);
}

TEST_F(UserspaceBackendTest, OneSocketFromSeveralThreadsWhilePacketsFlow) {
  Fd fd(AF_INET);
  auto socket = attach_connection(fd);
  constexpr int kThreads = 4;
  constexpr int kKeysEach = 16;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kKeysEach; ++k) {
        const auto id = static_cast<keys::KeyId>(t * kKeysEach + k);
        EXPECT_FALSE(socket->add_key(peer, mkt(id, id)));
        EXPECT_TRUE(socket->key_counters().has_value());
      }
    });
  }
  // The queue thread's part: packets through the same engine meanwhile.
  threads.emplace_back([&] {
    std::vector<std::uint8_t> out;
    const std::vector<std::uint8_t> garbage{0x45, 0x00, 0x00};
    for (int i = 0; i < 200; ++i) processor.process(Direction::Outbound, garbage, out);
  });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(socket->key_counters()->size(), static_cast<std::size_t>(kThreads * kKeysEach));
  EXPECT_EQ(processor.drops(userspace::DropReason::Malformed), 200u);
}

TEST_F(UserspaceBackendTest, ListenerTakesKeysButNoCurrentKey) {
  Fd fd(AF_INET);
  bind_v4(fd, "0.0.0.0");
  auto socket = backend->attach({fd.get(), SocketRole::Listener, segment::IpVersion::V4});
  ASSERT_EQ(socket->role(), SocketRole::Listener);
  ASSERT_FALSE(socket->add_key(peer, mkt(1, 1)));
  EXPECT_EQ(socket->set_current(1), BackendErrc::ListeningSocket);
  EXPECT_EQ(socket->set_rnext(1), BackendErrc::ListeningSocket);
  EXPECT_EQ(socket->key_counters()->size(), 1u);
}

TEST_F(UserspaceBackendTest, UnboundConnectionIsRefusedWithAClearError) {
  Fd fd(AF_INET);
  const SocketSetup setup{fd.get(), SocketRole::Connection, segment::IpVersion::V4, ip("127.0.0.2"),
                          179};
  const auto refused = backend->attach_socket(setup);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error(), AttachErrc::NotBound);
  EXPECT_NE(refused.error().message().find("bind()"), std::string::npos);
  // Through the generic interface: every call answers the refusal.
  auto socket = backend->attach(setup);
  EXPECT_EQ(socket->add_key(peer, mkt(1, 1)), AttachErrc::NotBound);
  EXPECT_EQ(socket->status().error(), AttachErrc::NotBound);
  EXPECT_EQ(socket->key_counters().error(), AttachErrc::NotBound);
  EXPECT_EQ(socket->set_current(1), AttachErrc::NotBound);
  EXPECT_EQ(backend->lingering(), 0u);
}

TEST_F(UserspaceBackendTest, UnboundListenerIsRefused) {
  Fd fd(AF_INET);
  EXPECT_EQ(
      backend->attach_socket({fd.get(), SocketRole::Listener, segment::IpVersion::V4}).error(),
      AttachErrc::NotBound);
}

TEST_F(UserspaceBackendTest, WildcardSourceOrUnknownPeerIsRefused) {
  Fd wildcard(AF_INET);
  bind_v4(wildcard, "0.0.0.0");
  EXPECT_EQ(backend
                ->attach_socket({wildcard.get(), SocketRole::Connection, segment::IpVersion::V4,
                                 ip("127.0.0.2"), 179})
                .error(),
            AttachErrc::WildcardLocalAddress);
  Fd no_peer(AF_INET);
  bind_v4(no_peer, "127.0.0.1");
  EXPECT_EQ(backend->attach_socket({no_peer.get(), SocketRole::Connection, segment::IpVersion::V4})
                .error(),
            AttachErrc::UnknownPeer);
  EXPECT_EQ(backend->attach_socket({-1, SocketRole::Listener, segment::IpVersion::V4}).error(),
            std::errc::bad_file_descriptor);
}

TEST_F(UserspaceBackendTest, ClosedConnectionLingersUntilReaped) {
  Fd fd(AF_INET);
  auto attached = backend->attach_socket(
      {fd.get(), SocketRole::Connection, segment::IpVersion::V4, ip("127.0.0.2"), 179});
  ASSERT_EQ(attached.error(), AttachErrc::NotBound);
  bind_v4(fd, "127.0.0.1");
  attached = backend->attach_socket(
      {fd.get(), SocketRole::Connection, segment::IpVersion::V4, ip("127.0.0.2"), 179});
  ASSERT_TRUE(attached.has_value());
  const userspace::SocketId id = (*attached)->id();
  ASSERT_FALSE((*attached)->add_key(peer, mkt(1, 1)));
  const auto before = Clock::now();
  attached.value().reset();
  const auto after = Clock::now();
  // Keys stay for the last ACKs of TIME-WAIT.
  EXPECT_TRUE(engine_knows(id));
  EXPECT_EQ(backend->lingering(), 1u);
  backend->reap(before + 59s);
  EXPECT_TRUE(engine_knows(id));
  backend->reap(after + 60s);
  EXPECT_FALSE(engine_knows(id));
  EXPECT_EQ(backend->lingering(), 0u);
}

TEST_F(UserspaceBackendTest, ClosedListenerGoesAtOnce) {
  Fd fd(AF_INET);
  bind_v4(fd, "127.0.0.1");
  auto attached = backend->attach_socket({fd.get(), SocketRole::Listener, segment::IpVersion::V4});
  ASSERT_TRUE(attached.has_value());
  const userspace::SocketId id = (*attached)->id();
  attached.value().reset();
  EXPECT_FALSE(engine_knows(id));
  EXPECT_EQ(backend->lingering(), 0u);
}

TEST_F(UserspaceBackendTest, ReusedTupleReplacesTheLingeringConnection) {
  Fd fd(AF_INET);
  auto first = backend->attach_socket(
      {fd.get(), SocketRole::Connection, segment::IpVersion::V4, ip("127.0.0.2"), 179});
  ASSERT_EQ(first.error(), AttachErrc::NotBound);
  bind_v4(fd, "127.0.0.1");
  const SocketSetup setup{fd.get(), SocketRole::Connection, segment::IpVersion::V4, ip("127.0.0.2"),
                          179};
  first = backend->attach_socket(setup);
  ASSERT_TRUE(first.has_value());
  ASSERT_FALSE((*first)->add_key(peer, mkt(1, 1)));
  // Two live sockets cannot share a 4-tuple.
  EXPECT_EQ(backend->attach_socket(setup).error(), AttachErrc::FlowInUse);
  const userspace::SocketId old_id = (*first)->id();
  first.value().reset();
  auto second = backend->attach_socket(setup);
  ASSERT_TRUE(second.has_value());
  EXPECT_NE((*second)->id(), old_id);
  EXPECT_FALSE(engine_knows(old_id));
  EXPECT_EQ(backend->lingering(), 0u);
  // A fresh engine socket: no keys carried over.
  EXPECT_EQ((*second)->status().error(), std::errc::no_such_file_or_directory);
}

TEST_F(UserspaceBackendTest, AcceptedSocketTakesTheConnectionTheListenerCreated) {
  Fd listening(AF_INET);
  bind_v4(listening, "127.0.0.1");
  ASSERT_EQ(::listen(listening.get(), 1), 0);
  auto listener = backend->attach({listening.get(), SocketRole::Listener, segment::IpVersion::V4});
  // Server side of the profile's layout: sends with 2, receives the client's 1.
  ASSERT_FALSE(listener->add_key(PeerPrefix::host(ip("127.0.0.1")), mkt(2, 1)));

  Fd client(AF_INET);
  bind_v4(client, "127.0.0.1");
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port_of(listening));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  Fd accepted(::accept(listening.get(), nullptr, nullptr), true);
  ASSERT_GE(accepted.get(), 0);

  // The client's signed SYN (another engine signs it) reaches our listener.
  userspace::UserspaceTcpAo peer_engine;
  const userspace::FlowTuple client_tuple{ip("127.0.0.1"), ip("127.0.0.1"), port_of(client),
                                          port_of(listening)};
  const auto client_socket = peer_engine.open_connection(client_tuple);
  ASSERT_FALSE(
      peer_engine.keys(client_socket)->add_key(PeerPrefix::host(ip("127.0.0.1")), mkt(1, 2)));
  std::vector<std::uint8_t> syn = userspace::testing::build({ip("127.0.0.1"),
                                                             ip("127.0.0.1"),
                                                             port_of(client),
                                                             port_of(listening),
                                                             1000,
                                                             0,
                                                             userspace::testing::kSyn,
                                                             userspace::testing::mss_option(1460),
                                                             {}});
  ASSERT_EQ(peer_engine.outbound(syn).kind, userspace::VerdictKind::AcceptRewritten);
  std::vector<std::uint8_t> delivered;
  ASSERT_EQ(processor.process(Direction::Inbound, syn, delivered), Verdict::AcceptRewritten);

  // No remote given: getpeername names the peer; the keys came from the listener.
  auto socket = backend->attach({accepted.get(), SocketRole::Connection, segment::IpVersion::V4});
  const auto keys = socket->key_counters();
  ASSERT_TRUE(keys.has_value()) << keys.error().message();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].send_id, 2);
  EXPECT_EQ((*keys)[0].recv_id, 1);
  EXPECT_EQ(listener->key_counters()->at(0).good, 1u);
}

TEST(UserspaceSocketEnds, Ipv4MappedAddressesBecomeIpv4) {
  Fd fd(AF_INET6);
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  ASSERT_EQ(::inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr), 1);
  ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&in6), sizeof(in6)), 0)
      << std::strerror(errno);
  const auto tuple = connection_flow(
      {fd.get(), SocketRole::Connection, segment::IpVersion::V6, ip("::ffff:192.0.2.9"), 179});
  ASSERT_TRUE(tuple.has_value()) << tuple.error().message();
  EXPECT_EQ(tuple->local_addr, ip("127.0.0.1"));
  EXPECT_EQ(tuple->remote_addr, ip("192.0.2.9"));
  EXPECT_NE(tuple->local_port, 0);
  EXPECT_EQ(tuple->remote_port, 179);
}

TEST(UserspaceBackendShell, WithoutShellProbeAndRulesSayWhy) {
  EngineProcessor processor;
  auto backend = UserspaceBackend::over_processor(processor, 60s);
  EXPECT_EQ(backend->kind(), BackendKind::Userspace);
  const auto probe = backend->probe();
  EXPECT_FALSE(probe.supported);
  EXPECT_NE(probe.reason.find("no NFQUEUE shell"), std::string::npos);
  const auto added = backend->add_peer({ip("192.0.2.1"), 179});
  ASSERT_FALSE(added.has_value());
  EXPECT_NE(added.error().find("no NFQUEUE shell"), std::string::npos);
  EXPECT_FALSE(backend->remove_peer({ip("192.0.2.1"), 179}).has_value());
  backend->stop();
  backend->stop();
}

TEST(UserspaceBackendShell, DiagnosticsCountDropsByReason) {
  EngineProcessor processor;
  auto backend = UserspaceBackend::over_processor(processor, 60s);
  std::vector<std::uint8_t> out;
  const std::vector<std::uint8_t> garbage{0x45, 0x00, 0x00};
  ASSERT_EQ(processor.process(Direction::Inbound, garbage, out), Verdict::Drop);
  const auto diagnostics = backend->diagnostics();
  ASSERT_EQ(diagnostics.drops.size(), kDropReasonCount);
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    const auto reason = static_cast<userspace::DropReason>(i);
    EXPECT_EQ(diagnostics.drops[i].first, userspace::to_string(reason));
    EXPECT_EQ(diagnostics.drops[i].second, reason == userspace::DropReason::Malformed ? 1u : 0u);
  }
  EXPECT_EQ(diagnostics.inbound.packets, 0u);
  EXPECT_FALSE(diagnostics.failure.has_value());
}

TEST(UserspaceBackendStartup, FailedStartIsOneLogLine) {
  // Refused before any privileged call, so this runs without root.
  UserspaceBackendOptions options;
  options.shell.rules.queue_base = 65535;
  const auto started = UserspaceBackend::start(options);
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().rfind("userspace TCP-AO backend cannot start: ", 0), 0u);
  EXPECT_NE(started.error().find("65535"), std::string::npos);
  EXPECT_EQ(started.error().find('\n'), std::string::npos);
}

TEST(UserspaceBackendStartup, MessageNamesCapNetAdminWhenItIsMissing) {
  const std::string iptables_error =
      "\"iptables -w -t mangle -N AOTLS-4200-OUT\" (exit 4): iptables v1.8.9 (nf_tables): "
      "Could not fetch rule set generation id: Permission denied (you must be root)";
  const auto without = startup_error_message(iptables_error, false);
  EXPECT_NE(without.find("needs CAP_NET_ADMIN"), std::string::npos);
  EXPECT_NE(without.find(iptables_error), std::string::npos);
  EXPECT_EQ(without.find('\n'), std::string::npos);

  const auto with =
      startup_error_message("NFQUEUE 4200 (outbound): cannot bind: Device busy", true);
  EXPECT_EQ(with.find("CAP_NET_ADMIN"), std::string::npos);
  EXPECT_NE(with.find("userspace TCP-AO backend cannot start"), std::string::npos);
  EXPECT_NE(with.find("Device busy"), std::string::npos);

  // The queue runner's own EPERM text already names it: said once.
  const auto bind_error = startup_error_message(
      "NFQUEUE 4200 (outbound): cannot bind; the userspace TCP-AO backend needs CAP_NET_ADMIN "
      "(run as root or grant the capability): Operation not permitted",
      false);
  EXPECT_EQ(bind_error.find("CAP_NET_ADMIN"), bind_error.rfind("CAP_NET_ADMIN"));
  EXPECT_NE(bind_error.find("Operation not permitted"), std::string::npos);
}

}  // namespace
}  // namespace aotls::backend::nfqueue
