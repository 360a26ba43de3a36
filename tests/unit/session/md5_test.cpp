// RFC 2385 TCP-MD5 on loopback: a matching key connects; a different key, or
// none against a keyed listener, never gets a SYN-ACK and times out.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "bgpd/session/tcp_md5.hpp"
#include "loopback.hpp"

namespace session_test {
namespace {

using bgpd::session::ConnectOptions;
using bgpd::session::TcpProtection;
using bgpd::session::TcpTransport;

constexpr std::string_view kKey = "correct horse battery";
constexpr std::string_view kOtherKey = "incorrect horse";
// Long enough for a loopback handshake, short enough for a unit test.
constexpr auto kTimeout = 1500ms;

class TcpMd5 : public ::testing::Test {
 protected:
  void SetUp() override {
    // Only an unsupported kernel is a reason to skip; root is given here.
    asio::ip::tcp::socket probe(io_);
    probe.open(asio::ip::tcp::v4());
    const auto ec = bgpd::session::set_tcp_md5_key(
        probe.native_handle(), asio::ip::make_address("127.0.0.1"), bytes_of(kKey));
    if (ec == std::errc::no_protocol_option) {
      GTEST_SKIP() << "kernel without CONFIG_TCP_MD5SIG: setsockopt(TCP_MD5SIG) gives ENOPROTOOPT";
    }
    ASSERT_FALSE(ec) << ec.message();
  }

  std::optional<common::Expected<asio::ip::tcp::socket, std::error_code>> connect(
      const Endpoint& remote, std::string_view key) {
    ConnectOptions options;
    options.remote = remote;
    options.timeout = kTimeout;
    options.md5_key = bytes_of(key);
    return run_coroutine(io_, bgpd::session::connect_tcp(options), 5s);
  }

  asio::io_context io_;
  const asio::ip::address loopback_ = asio::ip::make_address("127.0.0.1");
};

TEST_F(TcpMd5, SameKeyConnects) {
  TestListener server(io_, loopback_, {{loopback_, bytes_of(kKey)}});
  ASSERT_FALSE(server.open_error) << server.open_error.message();
  auto socket = connect(server.endpoint(), kKey);
  ASSERT_TRUE(socket.has_value());
  ASSERT_TRUE(socket->has_value()) << socket->error().message();
  ASSERT_TRUE(run_until(io_, [&] { return !server.accepted.empty(); }));
  EXPECT_EQ(server.accepted.front().protection, TcpProtection::Md5);
  EXPECT_EQ(TcpTransport(std::move(**socket), TcpProtection::Md5).info().kind, "tcp-md5");
}

TEST_F(TcpMd5, SameKeyConnectsOverIpv6) {
  const auto v6 = asio::ip::make_address("::1");
  TestListener server(io_, v6, {{v6, bytes_of(kKey)}});
  ASSERT_FALSE(server.open_error) << server.open_error.message();
  auto socket = connect(server.endpoint(), kKey);
  ASSERT_TRUE(socket.has_value());
  EXPECT_TRUE(socket->has_value()) << socket->error().message();
}

TEST_F(TcpMd5, DifferentKeyTimesOut) {
  TestListener server(io_, loopback_, {{loopback_, bytes_of(kKey)}});
  ASSERT_FALSE(server.open_error);
  auto socket = connect(server.endpoint(), kOtherKey);
  ASSERT_TRUE(socket.has_value());
  ASSERT_FALSE(socket->has_value());
  EXPECT_EQ(socket->error(), std::errc::timed_out);
  EXPECT_TRUE(server.accepted.empty());
}

TEST_F(TcpMd5, UnsignedClientOfKeyedListenerTimesOut) {
  TestListener server(io_, loopback_, {{loopback_, bytes_of(kKey)}});
  ASSERT_FALSE(server.open_error);
  auto socket = connect(server.endpoint(), "");
  ASSERT_TRUE(socket.has_value());
  ASSERT_FALSE(socket->has_value());
  EXPECT_EQ(socket->error(), std::errc::timed_out);
}

TEST_F(TcpMd5, KeyAddedAfterOpenAndRemovedAgain) {
  TestListener server(io_, loopback_);
  ASSERT_FALSE(server.open_error);
  ASSERT_FALSE(server.listener->set_md5_key(loopback_, bytes_of(kKey)));
  auto signed_socket = connect(server.endpoint(), kKey);
  ASSERT_TRUE(signed_socket.has_value() && signed_socket->has_value());
  ASSERT_TRUE(run_until(io_, [&] { return server.accepted.size() == 1; }));

  // Neighbor deleted: the key goes, unsigned connections are accepted again.
  ASSERT_FALSE(server.listener->remove_md5_key(loopback_));
  auto plain_socket = connect(server.endpoint(), "");
  ASSERT_TRUE(plain_socket.has_value());
  ASSERT_TRUE(plain_socket->has_value()) << plain_socket->error().message();
  ASSERT_TRUE(run_until(io_, [&] { return server.accepted.size() == 2; }));
  EXPECT_EQ(server.accepted[0].protection, TcpProtection::Md5);
  EXPECT_EQ(server.accepted[1].protection, TcpProtection::None);
}

TEST_F(TcpMd5, KeyForAFamilyNobodyListensOnIsReported) {
  TestListener server(io_, loopback_);
  ASSERT_FALSE(server.open_error);
  EXPECT_EQ(server.listener->set_md5_key(asio::ip::make_address("::1"), bytes_of(kKey)),
            std::errc::address_family_not_supported);
}

TEST_F(TcpMd5, RejectsEmptyAndOverlongKeys) {
  asio::ip::tcp::socket socket(io_);
  socket.open(asio::ip::tcp::v4());
  const std::string overlong(bgpd::session::kMaxMd5KeyLength + 1, 'k');
  EXPECT_EQ(bgpd::session::set_tcp_md5_key(socket.native_handle(), loopback_, bytes_of("")),
            std::errc::invalid_argument);
  EXPECT_EQ(bgpd::session::set_tcp_md5_key(socket.native_handle(), loopback_, bytes_of(overlong)),
            std::errc::invalid_argument);
  const std::string longest(bgpd::session::kMaxMd5KeyLength, 'k');
  EXPECT_FALSE(
      bgpd::session::set_tcp_md5_key(socket.native_handle(), loopback_, bytes_of(longest)));
  EXPECT_FALSE(bgpd::session::remove_tcp_md5_key(socket.native_handle(), loopback_));
}

}  // namespace
}  // namespace session_test
