// tests/tools/injector/transport_test.cpp - the injector's TLS client setup:
// which identity the peer certificate must carry, and that file problems
// come back as one readable error. Certificates come from scripts/lab-certs.
#include "tests/tools/injector/transport.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace injector {
namespace {

namespace fs = std::filesystem;
using Kind = aotls::tls::PeerIdentity::Kind;

class InjectorTlsClient : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "injector-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // A lab CA and one router certificate ("me", IP SAN 10.0.0.2).
  aotls::tls::ContextOptions lab_files() {
    const std::string tool = std::string(BGPD_SOURCE_DIR) + "/scripts/lab-certs";
    const std::string d = dir_.string();
    const std::string commands = "'" + tool + "' ca '" + d + "' >/dev/null && '" + tool +
                                 "' router '" + d + "' me --ca '" + d +
                                 "/ca' --ip 10.0.0.2 >/dev/null";
    EXPECT_EQ(std::system(commands.c_str()), 0) << commands;
    return {.ca_file = d + "/ca.pem", .cert_file = d + "/me.pem", .key_file = d + "/me.key",
            .alpn = {}};
  }

  fs::path dir_;
};

TEST_F(InjectorTlsClient, PeerNameIsAnIpSanOrADnsSan) {
  const auto files = lab_files();
  const std::pair<std::string, aotls::tls::PeerIdentity> cases[] = {
      {"10.0.0.1", {Kind::IpAddress, "10.0.0.1"}},
      {"2001:db8:0::1", {Kind::IpAddress, "2001:db8::1"}},  // canonical spelling
      {"r1.lab.example", {Kind::DnsName, "r1.lab.example"}},
  };
  for (const auto& [name, expected] : cases) {
    auto client = make_tls_client(files, name);
    ASSERT_TRUE(client.has_value()) << name << ": " << client.error();
    EXPECT_NE(client->context, nullptr);
    EXPECT_EQ(client->peer.kind, expected.kind) << name;
    EXPECT_EQ(client->peer.value, expected.value) << name;
  }
}

TEST_F(InjectorTlsClient, EveryFileProblemIsListed) {
  const std::string key = (dir_ / "loose.key").string();
  std::ofstream(key) << "not a key\n";
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  const std::string ca = (dir_ / "missing-ca.pem").string();
  const std::string cert = (dir_ / "missing-cert.pem").string();
  auto client = make_tls_client({.ca_file = ca, .cert_file = cert, .key_file = key, .alpn = {}},
                                "10.0.0.1");
  ASSERT_FALSE(client.has_value());
  const std::string& error = client.error();
  EXPECT_NE(error.find(ca), std::string::npos) << error;
  EXPECT_NE(error.find(cert), std::string::npos) << error;
  EXPECT_NE(error.find(key), std::string::npos) << error;
  EXPECT_NE(error.find('\n'), std::string::npos) << "one problem per line: " << error;
}

}  // namespace
}  // namespace injector
