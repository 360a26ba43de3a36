// Plain TCP transport, listener and connect on loopback (IPv4 and IPv6).
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "bgpd/session/deadline.hpp"
#include "loopback.hpp"

namespace session_test {
namespace {

using bgpd::session::ConnectOptions;
using bgpd::session::TcpProtection;
using bgpd::session::TcpTransport;

class TcpLoopback : public ::testing::TestWithParam<const char*> {};

TEST_P(TcpLoopback, ConnectsAcceptsAndTagsThePeer) {
  asio::io_context io;
  const auto address = asio::ip::make_address(GetParam());
  TestListener server(io, address);
  ASSERT_FALSE(server.open_error) << server.open_error.message();

  ConnectOptions options;
  options.remote = server.endpoint();
  options.local_address = address;
  options.timeout = 2s;
  auto socket = run_coroutine(io, bgpd::session::connect_tcp(options));
  ASSERT_TRUE(socket.has_value());
  ASSERT_TRUE(socket->has_value()) << socket->error().message();
  ASSERT_TRUE(run_until(io, [&] { return !server.accepted.empty(); }));

  auto& accepted = server.accepted.front();
  EXPECT_EQ(accepted.peer, address);
  EXPECT_EQ(accepted.protection, TcpProtection::None);

  TcpTransport client(std::move(**socket), TcpProtection::None);
  EXPECT_EQ(client.info().kind, "tcp");
  EXPECT_EQ(client.info().remote, server.endpoint());
  EXPECT_EQ(client.info().local.address(), address);
  const auto server_port = std::to_string(server.endpoint().port());
  EXPECT_NE(client.info().description().find(server_port), std::string::npos);
  EXPECT_EQ(client.info().description().rfind("tcp ", 0), 0u);

  // Bytes flow both ways through the Transport interface.
  TcpTransport server_side(std::move(accepted.socket), accepted.protection);
  const std::string hello = "hello";
  auto wrote = run_coroutine(io, client.write(asio::buffer(hello)));
  ASSERT_TRUE(wrote.has_value());
  EXPECT_FALSE(wrote->ec);
  EXPECT_EQ(wrote->bytes, hello.size());
  std::array<char, 16> buffer{};
  auto got = run_coroutine(io, server_side.read_some(asio::buffer(buffer)));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(std::string(buffer.data(), got->bytes), hello);

  // shutdown() is a FIN: the other side reads EOF.
  auto shut = run_coroutine(io, client.shutdown());
  ASSERT_TRUE(shut.has_value());
  EXPECT_FALSE(*shut);
  auto eof = run_coroutine(io, server_side.read_some(asio::buffer(buffer)));
  ASSERT_TRUE(eof.has_value());
  EXPECT_EQ(eof->ec, eof_code());

  // info() outlives close().
  client.close();
  client.close();
  EXPECT_EQ(client.info().remote, server.endpoint());
}

INSTANTIATE_TEST_SUITE_P(Families, TcpLoopback, ::testing::Values("127.0.0.1", "::1"));

TEST(TcpConnect, RefusedPortReportsTheError) {
  asio::io_context io;
  Endpoint closed_endpoint;
  {
    TestListener server(io, asio::ip::make_address("127.0.0.1"));
    ASSERT_FALSE(server.open_error);
    closed_endpoint = server.endpoint();
  }
  ConnectOptions options;
  options.remote = closed_endpoint;
  options.timeout = 2s;
  auto socket = run_coroutine(io, bgpd::session::connect_tcp(options));
  ASSERT_TRUE(socket.has_value());
  ASSERT_FALSE(socket->has_value());
  EXPECT_EQ(socket->error(), std::errc::connection_refused);
}

TEST(TcpConnect, LocalAddressOfTheOtherFamilyFails) {
  asio::io_context io;
  ConnectOptions options;
  options.remote = Endpoint(asio::ip::make_address("127.0.0.1"), 9);
  options.local_address = asio::ip::make_address("::1");
  auto socket = run_coroutine(io, bgpd::session::connect_tcp(options));
  ASSERT_TRUE(socket.has_value());
  EXPECT_FALSE(socket->has_value());
}

TEST(Listener, RejectsAnEmptyEndpointList) {
  asio::io_context io;
  auto listener = bgpd::session::Listener::open(io.get_executor(), {}, {});
  ASSERT_FALSE(listener.has_value());
  EXPECT_EQ(listener.error(), std::errc::invalid_argument);
}

TEST(Listener, ListensOnSeveralAddresses) {
  asio::io_context io;
  bgpd::session::ListenOptions options;
  options.endpoints = {Endpoint(asio::ip::make_address("127.0.0.1"), 0),
                       Endpoint(asio::ip::make_address("::1"), 0)};
  auto opened = bgpd::session::Listener::open(io.get_executor(), options, {});
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  auto listener = *opened;
  std::vector<asio::ip::address> peers;
  listener->start([&](AcceptedConnection c) { peers.push_back(c.peer); });
  for (const auto& endpoint : listener->local_endpoints()) {
    ConnectOptions connect;
    connect.remote = endpoint;
    auto socket = run_coroutine(io, bgpd::session::connect_tcp(connect));
    ASSERT_TRUE(socket.has_value() && socket->has_value());
  }
  ASSERT_TRUE(run_until(io, [&] { return peers.size() == 2; }));
  EXPECT_TRUE(peers[0].is_v4() != peers[1].is_v4());
  listener->close();
}

TEST(Deadline, FiresOnceAndNotAfterDestruction) {
  asio::io_context io;
  int fired = 0;
  {
    bgpd::session::Deadline deadline(io.get_executor(), 20ms, [&] { ++fired; });
    ASSERT_TRUE(run_until(
        io, [&] { return fired == 1; }, 2s));
    EXPECT_TRUE(deadline.expired());
  }
  {
    bgpd::session::Deadline disarmed(io.get_executor(), 1ms, [&] { ++fired; });
  }
  io.restart();
  io.run_for(50ms);
  EXPECT_EQ(fired, 1);
}

TEST(Deadline, RestartPostponesExpiry) {
  asio::io_context io;
  bool fired = false;
  bgpd::session::Deadline deadline(io.get_executor(), 30ms, [&] { fired = true; });
  deadline.restart(10s);
  io.run_for(100ms);
  EXPECT_FALSE(fired);
  EXPECT_FALSE(deadline.expired());
}

}  // namespace
}  // namespace session_test
