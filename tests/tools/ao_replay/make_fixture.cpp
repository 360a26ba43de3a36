// ao_replay_fixture OUTDIR - writes the captures and JSON inputs of
// ao_replay's self-test (test_ao_replay.py): two user-space engines,
// restored with UserspaceTcpAo::repair a few hundred bytes below the 2^32
// sequence wrap, exchange data both ways across it; their signed segments
// are written as pcap files with libpcap (pcap_open_dead + pcap_dump) in
// three framings, with one unrelated plain TCP packet mixed in:
//   v4_raw.pcap     IPv4, LINKTYPE_RAW, HMAC-SHA-1-96, options included
//   v4_sll.pcap     the same packets, Linux cooked (tcpdump -i any)
//   v6_en10mb.pcap  IPv6, Ethernet with an 802.1Q tag and a 4-byte
//                   trailer, AES-128-CMAC-96, options excluded
// with v4_keys.json / v4_repair.json and v6_keys.json / v6_repair.json.
#include <pcap/pcap.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "aotls/backend/userspace/engine.hpp"
#include "common/hex.hpp"
#include "tests/unit/userspace/packet_builder.hpp"

namespace {

namespace us = aotls::backend::userspace;
namespace t = aotls::backend::userspace::testing;
using Packets = std::vector<std::vector<std::uint8_t>>;

constexpr std::uint16_t kPortA = 40011;
constexpr std::uint16_t kPortB = 40010;
constexpr std::uint32_t kIsnA = 0x0badcafeu;
constexpr std::uint32_t kIsnB = 0x51f0a001u;
constexpr std::uint32_t kStartA = 0xfffffda8u;  // 2^32 - 600
constexpr std::uint32_t kStartB = 0xfffffed4u;  // 2^32 - 300
constexpr int kRounds = 8;                      // 8 x 150 bytes from A, 8 x 100 from B: both wrap

struct Flavour {
  bool ipv6;
  std::string mac_name;
  bool include_options;
  std::vector<nlohmann::json> secrets;  // {"secret": ...} or {"secret_hex": ...}, A->B then B->A
};

std::vector<std::uint8_t> secret_bytes(const nlohmann::json& secret) {
  if (secret.contains("secret")) {
    const auto text = secret["secret"].get<std::string>();
    return {text.begin(), text.end()};
  }
  return common::from_hex(secret["secret_hex"].get<std::string>()).value();
}

aotls::keys::Mkt mkt(aotls::keys::KeyId id, const Flavour& f, const nlohmann::json& secret) {
  aotls::keys::Mkt m;
  m.send_id = id;
  m.recv_id = id;
  m.params.include_options = f.include_options;
  m.params.mac = f.mac_name == "aes-128-cmac-96" ? aotls::crypto::MacAlgorithm::AesCmac128_96
                                                 : aotls::crypto::MacAlgorithm::HmacSha1_96;
  m.params.kdf = aotls::crypto::algorithm_row(m.params.mac).kdf;
  m.secret = aotls::crypto::Secret(secret_bytes(secret));
  return m;
}

struct Side {
  explicit Side(const us::FlowTuple& flow) : tuple(flow) {}

  us::FlowTuple tuple;
  us::UserspaceTcpAo engine;
  us::SocketId socket = 0;
  std::uint32_t next = 0;
};

void open(Side& side, const Flavour& f, aotls::keys::KeyId current, aotls::keys::KeyId rnext,
          const us::ConnectionRepair& repair) {
  side.socket = side.engine.open_connection(side.tuple);
  us::KeyRing& ring = *side.engine.keys(side.socket);
  for (std::size_t i = 0; i < f.secrets.size(); ++i) {
    const auto id = static_cast<aotls::keys::KeyId>(i + 1);
    if (ring.add_key(aotls::backend::PeerPrefix::host(side.tuple.remote_addr),
                     mkt(id, f, f.secrets[i])))
      throw std::runtime_error("add_key failed");
  }
  if (ring.set_current(current) || ring.set_rnext(rnext) || side.engine.repair(side.socket, repair))
    throw std::runtime_error("key selection or repair failed");
  side.next = repair.send.seq;
}

// `from` sends `len` bytes to `to`, signed by its engine.
std::vector<std::uint8_t> send(Side& from, const Side& to, std::size_t len) {
  t::TcpSpec spec{from.tuple.local_addr,
                  from.tuple.remote_addr,
                  from.tuple.local_port,
                  from.tuple.remote_port,
                  from.next,
                  to.next,
                  t::kAck | t::kPsh,
                  t::timestamps_option(from.next, to.next),
                  std::vector<std::uint8_t>(len, static_cast<std::uint8_t>(len))};
  auto packet = t::build(spec);
  if (from.engine.outbound(packet).kind != us::VerdictKind::AcceptRewritten)
    throw std::runtime_error("signing failed");
  from.next += static_cast<std::uint32_t>(len);
  return packet;
}

nlohmann::json endpoint(const std::string& local, std::uint16_t local_port,
                        const std::string& remote, std::uint16_t remote_port, std::uint32_t snt_isn,
                        std::uint32_t rcv_isn, std::uint32_t snd_una, std::uint32_t rcv_nxt) {
  return {{"local", local},     {"local_port", local_port},
          {"remote", remote},   {"remote_port", remote_port},
          {"snt_isn", snt_isn}, {"rcv_isn", rcv_isn},
          {"snd_sne", 0},       {"rcv_sne", 0},
          {"snd_una", snd_una}, {"rcv_nxt", rcv_nxt}};
}

void write_json(const std::string& path, const nlohmann::json& doc) {
  std::ofstream out(path);
  out << doc.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

// The conversation of one flavour, plus its key and repair files.
Packets conversation(const Flavour& f, const std::string& dir, const std::string& prefix) {
  const std::string a = f.ipv6 ? "2001:db8::2" : "127.0.0.2";
  const std::string b = f.ipv6 ? "2001:db8::1" : "127.0.0.1";
  Side side_a({t::ip(a), t::ip(b), kPortA, kPortB});
  Side side_b({t::ip(b), t::ip(a), kPortB, kPortA});
  open(side_a, f, 1, 2, {kIsnA, kIsnB, {0, kStartA}, {0, kStartB}});
  open(side_b, f, 2, 1, {kIsnB, kIsnA, {0, kStartB}, {0, kStartA}});

  Packets packets;
  for (int i = 0; i < kRounds; ++i) {
    packets.push_back(send(side_a, side_b, 150));
    packets.push_back(send(side_b, side_a, 100));
    if (i == 2) {
      // A flow without TCP-AO on other ports: ao_replay must ignore it.
      packets.push_back(t::build({t::ip(b), t::ip(a), 22, 50000, 1, 1, t::kAck, {}, {1, 2, 3}}));
    }
  }
  nlohmann::json keys = nlohmann::json::array();
  for (int id : {1, 2}) {
    nlohmann::json key = f.secrets[static_cast<std::size_t>(id - 1)];
    key.update({{"send_id", id},
                {"recv_id", id},
                {"algorithm", f.mac_name},
                {"include_options", f.include_options}});
    keys.push_back(key);
  }
  write_json(dir + "/" + prefix + "_keys.json", {{"keys", keys}});
  write_json(dir + "/" + prefix + "_repair.json",
             {{"endpoints",
               {endpoint(b, kPortB, a, kPortA, kIsnB, kIsnA, kStartB, kStartA),
                endpoint(a, kPortA, b, kPortB, kIsnA, kIsnB, kStartA, kStartB)}}});
  return packets;
}

// The link-layer header of `dlt` in front of `ip`.
std::vector<std::uint8_t> link_header(int dlt, const std::vector<std::uint8_t>& ip) {
  std::vector<std::uint8_t> header;
  if (dlt == DLT_LINUX_SLL) {
    // Packet type 0 (to us), ARPHRD_LOOPBACK (772), a 6-byte zero address.
    header = {0, 0, 0x03, 0x04, 0, 6};
    header.resize(14);
  } else if (dlt == DLT_EN10MB) {
    // Destination and source MACs, then an 802.1Q tag (VLAN 42).
    header = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x81, 0x00, 0x00, 0x2a};
  } else {
    return header;
  }
  const bool v6 = (ip[0] >> 4) == 6;
  header.insert(header.end(), {static_cast<std::uint8_t>(v6 ? 0x86 : 0x08),
                               static_cast<std::uint8_t>(v6 ? 0xdd : 0x00)});
  return header;
}

void write_pcap(const std::string& path, int dlt, const Packets& packets) {
  pcap_t* dead = pcap_open_dead(dlt, 65535);
  pcap_dumper_t* dumper = dead != nullptr ? pcap_dump_open(dead, path.c_str()) : nullptr;
  if (dumper == nullptr) {
    if (dead != nullptr) pcap_close(dead);
    throw std::runtime_error("cannot write " + path);
  }
  long usec = 0;
  for (const auto& ip : packets) {
    std::vector<std::uint8_t> frame = link_header(dlt, ip);
    frame.insert(frame.end(), ip.begin(), ip.end());
    if (dlt == DLT_EN10MB) frame.insert(frame.end(), {0xde, 0xad, 0xbe, 0xef});  // FCS
    pcap_pkthdr header{};
    header.ts.tv_sec = 1700000000;
    header.ts.tv_usec = usec += 1000;
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, frame.data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: ao_replay_fixture OUTDIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  try {
    const Flavour v4{false,
                     "hmac-sha1-96",
                     true,
                     {{{"secret", "replay-a2b-secret"}}, {{"secret", "replay-b2a-secret"}}}};
    const Flavour v6{true,
                     "aes-128-cmac-96",
                     false,
                     {{{"secret_hex", "00112233445566778899aabbccddeeff"}},
                      {{"secret_hex", "ffeeddccbbaa99887766554433221100"}}}};
    const Packets v4_packets = conversation(v4, dir, "v4");
    write_pcap(dir + "/v4_raw.pcap", DLT_RAW, v4_packets);
    write_pcap(dir + "/v4_sll.pcap", DLT_LINUX_SLL, v4_packets);
    write_pcap(dir + "/v6_en10mb.pcap", DLT_EN10MB, conversation(v6, dir, "v6"));
  } catch (const std::exception& e) {
    std::cerr << "ao_replay_fixture: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
