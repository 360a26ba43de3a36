// tests/tools/injector/args_test.cpp - command lines of bgp_stream and
// bgp_inject: defaults derived from other options, and refusals.
#include "tests/tools/injector/args.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace injector {
namespace {

namespace wire = bgpd::wire;

common::Expected<InjectArgs, std::string> inject(std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> v(args);
  return parse_inject_args(v);
}

common::Expected<StreamArgs, std::string> stream(std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> v(args);
  return parse_stream_args(v);
}

TEST(InjectorInjectArgs, DefaultsFollowTheLocalAddress) {
  auto args = inject({"--peer", "10.0.0.1", "--local-address", "10.0.0.2", "--asn", "65010", "--v4",
                      "1000", "--control-socket", "/tmp/s", "--expect", "1000"});
  ASSERT_TRUE(args.has_value()) << args.error();
  EXPECT_EQ(args->router_id, 0x0A000002u);
  EXPECT_EQ(args->stream.table.peer_asn, 65010u);
  EXPECT_EQ(args->stream.table.next_hop_v4, *wire::IpAddress::parse("10.0.0.2"));
  EXPECT_EQ(args->stream.table.ipv4, 1000u);
  EXPECT_EQ(args->neighbor, "10.0.0.2");
  EXPECT_EQ(args->expect, 1000u);
  EXPECT_EQ(args->port, 179);
  EXPECT_EQ(args->hold_time, 90);
  EXPECT_TRUE(args->stream.session.four_octet_as);
  EXPECT_FALSE(args->stream.session.extended_message);
}

TEST(InjectorInjectArgs, ExplicitValuesWin) {
  auto args = inject({"--peer",
                      "2001:db8::1",
                      "--local-address",
                      "2001:db8:0::2",
                      "--asn",
                      "4200000000",
                      "--router-id",
                      "192.0.2.9",
                      "--peer-asn",
                      "65001",
                      "--next-hop-v6",
                      "2001:db8::77",
                      "--hold",
                      "0",
                      "--port",
                      "1179",
                      "--extended-message",
                      "--two-octet-as",
                      "--hold-open",
                      "5"});
  ASSERT_TRUE(args.has_value()) << args.error();
  EXPECT_EQ(args->local_address, "2001:db8::2");  // canonical spelling
  EXPECT_EQ(args->router_id, 0xC0000209u);
  EXPECT_EQ(args->stream.table.peer_asn, 65001u);
  EXPECT_EQ(args->stream.table.next_hop_v6, *wire::IpAddress::parse("2001:db8::77"));
  EXPECT_EQ(args->hold_time, 0);
  EXPECT_EQ(args->port, 1179);
  EXPECT_EQ(args->hold_open, std::chrono::seconds(5));
  EXPECT_TRUE(args->stream.session.extended_message);
  EXPECT_FALSE(args->stream.session.four_octet_as);
}

TEST(InjectorInjectArgs, TlsPeerNameDefaultsToThePeerAddress) {
  auto plain = inject({"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1"});
  ASSERT_TRUE(plain.has_value()) << plain.error();
  EXPECT_TRUE(plain->tls_ca.empty());
  EXPECT_TRUE(plain->tls_peer_name.empty());

  auto tls = inject({"--peer", "2001:db8:0::1", "--asn", "1", "--router-id", "1.1.1.1", "--tls-ca",
                     "ca.pem", "--tls-cert", "me.pem", "--tls-key", "me.key"});
  ASSERT_TRUE(tls.has_value()) << tls.error();
  EXPECT_EQ(tls->tls_ca, "ca.pem");
  EXPECT_EQ(tls->tls_cert, "me.pem");
  EXPECT_EQ(tls->tls_key, "me.key");
  EXPECT_EQ(tls->tls_peer_name, "2001:db8::1");  // the canonical peer address

  auto named = inject({"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1", "--tls-ca",
                       "ca.pem", "--tls-cert", "me.pem", "--tls-key", "me.key", "--tls-peer-name",
                       "r1.lab"});
  ASSERT_TRUE(named.has_value()) << named.error();
  EXPECT_EQ(named->tls_peer_name, "r1.lab");
}

TEST(InjectorInjectArgs, TcpAoNeedsTlsAndHasDefaults) {
  const std::vector<std::string_view> tls = {"--peer",   "10.0.0.1", "--asn",    "1",
                                             "--router-id", "1.1.1.1", "--tls-ca", "ca.pem",
                                             "--tls-cert", "me.pem",  "--tls-key", "me.key"};
  auto off = parse_inject_args(tls);
  ASSERT_TRUE(off.has_value()) << off.error();
  EXPECT_FALSE(off->ao.has_value());

  auto with = [&](const std::vector<std::string_view>& more) {
    std::vector<std::string_view> argv = tls;
    argv.insert(argv.end(), more.begin(), more.end());
    return parse_inject_args(argv);
  };
  auto defaults = with({"--ao", "opportunistic"});
  ASSERT_TRUE(defaults.has_value()) << defaults.error();
  EXPECT_EQ(defaults->ao, aotls::tls::AoRequirement::Opportunistic);
  EXPECT_EQ(defaults->ao_backend, aotls::backend::BackendChoice::Auto);
  EXPECT_EQ(defaults->ao_nfqueue_base, 4400);
  EXPECT_FALSE(defaults->ao_keylog.has_value());

  auto given = with({"--ao", "required", "--ao-backend", "userspace", "--ao-nfqueue-base", "4500",
                     "--ao-keylog", "/tmp/keys.log"});
  ASSERT_TRUE(given.has_value()) << given.error();
  EXPECT_EQ(given->ao, aotls::tls::AoRequirement::Required);
  EXPECT_EQ(given->ao_backend, aotls::backend::BackendChoice::Userspace);
  EXPECT_EQ(given->ao_nfqueue_base, 4500);
  EXPECT_EQ(given->ao_keylog, "/tmp/keys.log");

  auto kernel = with({"--ao", "opportunistic", "--ao-backend", "kernel"});
  ASSERT_TRUE(kernel.has_value()) << kernel.error();
  EXPECT_EQ(kernel->ao_backend, aotls::backend::BackendChoice::Kernel);

  const std::vector<std::pair<std::vector<std::string_view>, std::string>> refused = {
      {{"--ao", "static"}, "not opportunistic or required"},
      {{"--ao", "required", "--ao-backend", "bpf"}, "not auto, kernel or userspace"},
      {{"--ao", "required", "--ao-nfqueue-base", "65535"}, "not a number up to 65534"},
      {{"--ao-backend", "userspace"}, "need --ao"},
      {{"--ao-keylog", "k.log"}, "need --ao"},
      {{"--ao"}, "needs a value"},
  };
  for (const auto& [more, expected] : refused) {
    auto args = with(more);
    ASSERT_FALSE(args.has_value()) << expected;
    EXPECT_NE(args.error().find(expected), std::string::npos) << args.error();
  }
}

TEST(InjectorInjectArgs, Refusals) {
  const std::vector<std::pair<std::vector<std::string_view>, std::string>> cases = {
      {{"--asn", "1", "--router-id", "1.1.1.1"}, "--peer is required"},
      {{"--peer", "10.0.0.1", "--router-id", "1.1.1.1"}, "--asn is required"},
      {{"--peer", "10.0.0.1", "--asn", "1"}, "--router-id is required"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--router-id", "0.0.0.0"}, "--router-id is required"},
      {{"--peer", "nope", "--asn", "1"}, "not an IP address"},
      {{"--peer", "10.0.0.1", "--asn", "4294967296"}, "not a number"},
      {{"--peer", "10.0.0.1", "--asn", "1x"}, "not a number"},
      {{"--peer", "10.0.0.1", "--asn"}, "needs a value"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1", "--hold", "2"}, "--hold"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1", "--expect", "5"},
       "go together"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1", "--stream", "f", "--v4", "5"},
       "exclude"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--next-hop-v4", "2001:db8::1"}, "IPv4 address"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1", "--tls-ca", "c"},
       "go together"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1", "--tls-cert", "c",
        "--tls-key", "k"},
       "go together"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1", "--tls-peer-name", "r1"},
       "--tls-peer-name needs"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--tls-key"}, "needs a value"},
      {{"--peer", "10.0.0.1", "--asn", "1", "--router-id", "1.1.1.1", "--ao", "opportunistic"},
       "--ao needs --tls-ca"},
      {{"--bogus"}, "unknown argument '--bogus'"},
  };
  for (const auto& [argv, expected] : cases) {
    auto args = parse_inject_args(argv);
    ASSERT_FALSE(args.has_value()) << expected;
    EXPECT_NE(args.error().find(expected), std::string::npos) << args.error();
  }
}

TEST(InjectorStreamArgs, OneOfOutAndScan) {
  auto args = stream({"--out", "t.bgp", "--v4", "10", "--v6", "2", "--seed", "9"});
  ASSERT_TRUE(args.has_value()) << args.error();
  EXPECT_EQ(args->out, "t.bgp");
  EXPECT_EQ(args->stream.table.ipv4, 10u);
  EXPECT_EQ(args->stream.table.ipv6, 2u);
  EXPECT_EQ(args->stream.table.seed, 9u);
  EXPECT_FALSE(stream({"--v4", "10"}).has_value());
  EXPECT_FALSE(stream({"--out", "a", "--scan", "b"}).has_value());
  EXPECT_TRUE(stream({"--help"}).has_value());
  EXPECT_FALSE(stream({"--out", "a", "--v4", "-1"}).has_value());
}

}  // namespace
}  // namespace injector
