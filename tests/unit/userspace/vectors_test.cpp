// The RFC 9235 vectors replayed through the engine, one section (client SYN,
// server SYN-ACK, client non-SYN, server non-SYN) at a time, from each side:
// our outbound path, fed the vector's packets without their TCP-AO option,
// must produce the vector's option and MAC; our inbound path must accept the
// vector's packets and hand the kernel the same packets without the option.
#include <gtest/gtest.h>

#include <map>

#include "aotls/backend/userspace/engine.hpp"
#include "packet_builder.hpp"
#include "tests/vectors/rfc9235_vectors.hpp"

namespace aotls::backend::userspace::testing {
namespace {

using test::Rfc9235Vector;

constexpr std::uint16_t kAoLen = 16;

// The four vectors of one RFC 9235 section, in handshake order.
struct Section {
  std::string name;
  std::vector<const Rfc9235Vector*> packets;
};

void PrintTo(const Section& section, std::ostream* os) {
  *os << section.name;
}

std::vector<Section> sections() {
  std::map<std::string, Section> by_name;
  std::vector<std::string> order;
  for (const auto& v : test::rfc9235_vectors()) {
    const std::string key = v.name.substr(0, v.name.find(':'));
    if (!by_name.count(key)) order.push_back(key);
    by_name[key].name = key;
    by_name[key].packets.push_back(&v);
  }
  std::vector<Section> out;
  out.reserve(order.size());
  for (const auto& key : order) out.push_back(by_name[key]);
  return out;
}

std::string section_name(const ::testing::TestParamInfo<Section>& info) {
  std::string out;
  for (char c : info.param.name)
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

keys::Mkt vector_mkt(const Rfc9235Vector& v, keys::KeyId send_id, keys::KeyId recv_id) {
  keys::Mkt mkt;
  mkt.send_id = send_id;
  mkt.recv_id = recv_id;
  mkt.params = keys::MktParams{v.include_options, v.alg, v.kdf};
  mkt.secret = crypto::Secret(v.mkt);
  return mkt;
}

bool is_syn(const std::vector<std::uint8_t>& packet) {
  return (packet[tcp_offset(packet) + 13] & kSyn) != 0;
}

bool from_client(const Rfc9235Vector& v) {
  return v.send_isn == v.client_isn;
}

// What a kernel without TCP-AO would have sent: the vector packet without
// its option, with the MSS our outbound path will lower put back up.
std::vector<std::uint8_t> kernel_outbound(const Rfc9235Vector& v) {
  std::vector<std::uint8_t> plain = without_trailing_ao(v.packet);
  if (is_syn(plain)) {
    const std::size_t at = tcp_offset(plain) + 20;
    set_leading_mss(plain,
                    static_cast<std::uint16_t>(plain[at + 2] * 256 + plain[at + 3] + kAoLen));
  }
  return plain;
}

// The vector packet as our inbound path should deliver it.
std::vector<std::uint8_t> kernel_inbound(const Rfc9235Vector& v) {
  std::vector<std::uint8_t> plain = without_trailing_ao(v.packet);
  if (is_syn(plain)) {
    const std::size_t at = tcp_offset(plain) + 20;
    set_leading_mss(plain,
                    static_cast<std::uint16_t>(plain[at + 2] * 256 + plain[at + 3] - kAoLen));
  }
  return plain;
}

// Equal except the TCP checksum: RFC 9235's IPv4 packets carry wrong ones
// (profile section 2); ours are checked separately.
void expect_same_but_tcp_checksum(std::vector<std::uint8_t> ours, std::vector<std::uint8_t> theirs,
                                  const std::string& what) {
  ASSERT_EQ(ours.size(), theirs.size()) << what;
  const std::size_t checksum_at = tcp_offset(ours) + 16;
  for (auto* p : {&ours, &theirs}) (*p)[checksum_at] = (*p)[checksum_at + 1] = 0;
  EXPECT_EQ(ours, theirs) << what;
}

class Rfc9235Replay : public ::testing::TestWithParam<Section> {
 protected:
  void SetUp() override {
    ASSERT_EQ(GetParam().packets.size(), 4u);
    const Rfc9235Vector& first = *GetParam().packets[0];
    client_addr = ip(first.src_ip);
    server_addr = ip(first.dst_ip);
    client_port = first.src_port;
    server_port = first.dst_port;
    client_key_id = first.keyid;
    server_key_id = first.rnext_keyid;
  }
  segment::IpAddress client_addr = ip("0.0.0.0");
  segment::IpAddress server_addr = ip("0.0.0.0");
  std::uint16_t client_port = 0, server_port = 0;
  keys::KeyId client_key_id = 0, server_key_id = 0;
};

TEST(Rfc9235Load, AllVectorsLoaded) {
  EXPECT_EQ(test::rfc9235_load_error(), "");
  EXPECT_EQ(test::rfc9235_vectors().size(), 32u);
  EXPECT_EQ(sections().size(), 8u);
}

TEST_P(Rfc9235Replay, ClientSide) {
  UserspaceTcpAo engine;
  const SocketId id = engine.open_connection({client_addr, server_addr, client_port, server_port});
  KeyRing& ring = *engine.keys(id);
  const Rfc9235Vector& any = *GetParam().packets[0];
  // The client sends with KeyID = its SendID and asks for the server's.
  ASSERT_FALSE(
      ring.add_key(PeerPrefix::host(server_addr), vector_mkt(any, client_key_id, server_key_id)));
  ASSERT_FALSE(ring.set_current(client_key_id));
  ASSERT_FALSE(ring.set_rnext(server_key_id));
  for (const Rfc9235Vector* v : GetParam().packets) {
    if (from_client(*v)) {
      std::vector<std::uint8_t> packet = kernel_outbound(*v);
      ASSERT_EQ(engine.outbound(packet), Verdict::rewritten()) << v->name;
      EXPECT_TRUE(checksums_valid(packet)) << v->name;
      expect_same_but_tcp_checksum(packet, v->packet, v->name);
    } else {
      std::vector<std::uint8_t> packet = v->packet;
      const Verdict verdict = engine.inbound(packet);
      ASSERT_EQ(verdict, Verdict::rewritten()) << v->name << ": " << to_string(verdict.reason);
      EXPECT_TRUE(checksums_valid(packet)) << v->name;
      EXPECT_EQ(packet, kernel_inbound(*v)) << v->name;
    }
  }
  EXPECT_EQ(ring.key_counters()->front().good, 2u);
}

TEST_P(Rfc9235Replay, ServerSide) {
  UserspaceTcpAo engine;
  const SocketId listener = engine.open_listener(server_addr, server_port);
  const Rfc9235Vector& any = *GetParam().packets[0];
  ASSERT_FALSE(engine.keys(listener)->add_key(PeerPrefix::host(client_addr),
                                              vector_mkt(any, server_key_id, client_key_id)));
  for (const Rfc9235Vector* v : GetParam().packets) {
    if (from_client(*v)) {
      std::vector<std::uint8_t> packet = v->packet;
      const Verdict verdict = engine.inbound(packet);
      ASSERT_EQ(verdict, Verdict::rewritten()) << v->name << ": " << to_string(verdict.reason);
      EXPECT_TRUE(checksums_valid(packet)) << v->name;
      EXPECT_EQ(packet, kernel_inbound(*v)) << v->name;
    } else {
      // Current_key and RNext_key come from the SYN, as Linux's accept().
      std::vector<std::uint8_t> packet = kernel_outbound(*v);
      ASSERT_EQ(engine.outbound(packet), Verdict::rewritten()) << v->name;
      EXPECT_TRUE(checksums_valid(packet)) << v->name;
      expect_same_but_tcp_checksum(packet, v->packet, v->name);
    }
  }
  const auto connection =
      engine.find_connection({server_addr, client_addr, server_port, client_port});
  ASSERT_TRUE(connection.has_value());
  EXPECT_EQ(engine.keys(*connection)->key_counters()->front().good, 2u);
}

INSTANTIATE_TEST_SUITE_P(Rfc9235, Rfc9235Replay, ::testing::ValuesIn(sections()), section_name);

}  // namespace
}  // namespace aotls::backend::userspace::testing
