// tests/tools/injector/ao_client_test.cpp - the injector's TCP-AO pieces a
// unit test can reach without CAP_NET_ADMIN: the client context's tcp_ao
// wiring, and the report built from a connection's keying status (profile
// section 5 counters). The AoService itself runs in the `ao` ctest
// (bench_full_table.sh with AO=1).
#include "tests/tools/injector/ao_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>

namespace injector {
namespace {

TEST(InjectorAoClient, TcpAoIsWiredOncePerContext) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  auto first = enable_tcp_ao(context);
  ASSERT_TRUE(first.has_value()) << first.error();
  auto again = enable_tcp_ao(context);
  ASSERT_FALSE(again.has_value());
  EXPECT_NE(again.error().find("tcp_ao extension"), std::string::npos) << again.error();
}

TEST(InjectorAoClient, ReportSumsEveryKeyAndEveryDrop) {
  aotls::keying::KeyingStatus status;
  status.state = "derived";
  status.generation = 1;
  const auto peer = aotls::backend::PeerPrefix::host(*aotls::segment::IpAddress::parse("10.0.0.1"));
  // peer, send_id, recv_id, mac, include_options, is_current, is_rnext, good, bad_mac
  const aotls::backend::KeyCounters default_mkt{peer, 0, 0, std::nullopt, false, false, false, 3, 1};
  const aotls::backend::KeyCounters derived{peer, 1, 1, std::nullopt, false, true, true, 1000, 2};
  status.keys = {default_mkt, derived};
  status.key_not_found = 4;
  status.ao_required_missing = 5;
  aotls::backend::nfqueue::BackendDiagnostics diagnostics;
  diagnostics.drops = {{"bad-mac", 3}, {"no-key", 4}, {"queue-full", 0}};

  const auto report = make_ao_report("userspace", status, diagnostics);
  EXPECT_EQ(report.good, 1003u);
  EXPECT_EQ(report.bad_mac, 3u);
  EXPECT_EQ(report.mac_failures(), 12u);
  EXPECT_EQ(report.dropped, 7u);
  ASSERT_EQ(report.keys.size(), 2u);
  EXPECT_TRUE(report.keys[1].current);
  EXPECT_EQ(report.keys[1].send_id, 1u);

  const auto json = report.to_json();
  EXPECT_EQ(json["backend"], "userspace");
  EXPECT_EQ(json["state"], "derived");
  EXPECT_EQ(json["generation"], 1);
  EXPECT_EQ(json["keys"][0]["bad_mac"], 1);
  EXPECT_EQ(json["key_not_found"], 4);
  EXPECT_EQ(json["ao_required_missing"], 5);
  EXPECT_EQ(json["mac_failures"], 12);
  EXPECT_EQ(json["drops"]["no-key"], 4);
  EXPECT_FALSE(json.contains("last_error"));
}

TEST(InjectorAoClient, KernelBackendReportsNoDrops) {
  aotls::keying::KeyingStatus status;
  status.state = "default-mkt-only";
  status.backend_read_error = "getsockopt: Bad file descriptor";
  const auto report = make_ao_report("kernel", status, std::nullopt);
  EXPECT_TRUE(report.drops.empty());
  EXPECT_EQ(report.dropped, 0u);
  EXPECT_EQ(report.mac_failures(), 0u);
  EXPECT_EQ(report.to_json()["last_error"], "getsockopt: Bad file descriptor");
}

}  // namespace
}  // namespace injector
