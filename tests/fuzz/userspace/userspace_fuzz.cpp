// libFuzzer target for aotls/backend/userspace: the engine's inbound and
// outbound paths on a synchronized IPv4 connection. The input either is a
// raw packet (mode byte odd) or describes a segment (options, flags,
// payload) that the client engine signs and whose wire bytes are then
// mutated before the server engine checks them. Every path must end in a
// verdict, never a crash; anything the server accepts must parse.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "aotls/backend/userspace/engine.hpp"
#include "aotls/segment/packet.hpp"

namespace {

namespace us = aotls::backend::userspace;
using aotls::segment::IpAddress;

const IpAddress client_addr = *IpAddress::parse("192.0.2.1");
const IpAddress server_addr = *IpAddress::parse("192.0.2.2");
constexpr std::uint16_t kClientPort = 40000;
constexpr std::uint16_t kServerPort = 179;

aotls::keys::Mkt mkt(aotls::keys::KeyId id, bool include_options) {
  aotls::keys::Mkt key;
  key.send_id = key.recv_id = id;
  key.params.include_options = include_options;
  key.secret = aotls::crypto::Secret(std::vector<std::uint8_t>(16, static_cast<std::uint8_t>(id)));
  return key;
}

// An IPv4 TCP packet; checksums are left for the engine to write.
std::vector<std::uint8_t> segment(bool from_client, std::uint32_t seq, std::uint32_t ack,
                                  std::uint8_t flags, std::span<const std::uint8_t> options,
                                  std::span<const std::uint8_t> payload) {
  const std::size_t opt_len = (options.size() + 3) / 4 * 4;
  const std::size_t total = 20 + 20 + opt_len + payload.size();
  std::vector<std::uint8_t> p(total, 0);
  p[0] = 0x45;
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total);
  p[8] = 64;
  p[9] = 6;
  const IpAddress& src = from_client ? client_addr : server_addr;
  const IpAddress& dst = from_client ? server_addr : client_addr;
  std::copy(src.bytes().begin(), src.bytes().end(), p.begin() + 12);
  std::copy(dst.bytes().begin(), dst.bytes().end(), p.begin() + 16);
  const std::uint16_t sport = from_client ? kClientPort : kServerPort;
  const std::uint16_t dport = from_client ? kServerPort : kClientPort;
  const std::uint8_t tcp[] = {static_cast<std::uint8_t>(sport >> 8),
                              static_cast<std::uint8_t>(sport),
                              static_cast<std::uint8_t>(dport >> 8),
                              static_cast<std::uint8_t>(dport),
                              static_cast<std::uint8_t>(seq >> 24),
                              static_cast<std::uint8_t>(seq >> 16),
                              static_cast<std::uint8_t>(seq >> 8),
                              static_cast<std::uint8_t>(seq),
                              static_cast<std::uint8_t>(ack >> 24),
                              static_cast<std::uint8_t>(ack >> 16),
                              static_cast<std::uint8_t>(ack >> 8),
                              static_cast<std::uint8_t>(ack),
                              static_cast<std::uint8_t>((20 + opt_len) / 4 << 4),
                              flags,
                              0xff,
                              0xff};
  std::copy(std::begin(tcp), std::end(tcp), p.begin() + 20);
  std::copy(options.begin(), options.end(), p.begin() + 40);
  std::copy(payload.begin(), payload.end(), p.begin() + static_cast<std::ptrdiff_t>(40 + opt_len));
  return p;
}

struct Pair {
  us::UserspaceTcpAo client, server;
};

// A fresh pair per input: no state leaks between runs.
void handshake(Pair& pair, bool include_options) {
  const us::SocketId c =
      pair.client.open_connection({client_addr, server_addr, kClientPort, kServerPort});
  const us::SocketId l = pair.server.open_listener(server_addr, kServerPort);
  for (const aotls::keys::KeyId id : {aotls::keys::KeyId{1}, aotls::keys::KeyId{2}}) {
    if (pair.client.keys(c)->add_key(aotls::backend::PeerPrefix::host(server_addr),
                                     mkt(id, include_options)) ||
        pair.server.keys(l)->add_key(aotls::backend::PeerPrefix::host(client_addr),
                                     mkt(id, include_options))) {
      std::abort();
    }
  }
  (void)pair.client.keys(c)->set_current(1);
  (void)pair.client.keys(c)->set_rnext(2);
  auto trip = [](us::UserspaceTcpAo& from, us::UserspaceTcpAo& to, std::vector<std::uint8_t> p) {
    if (from.outbound(p).kind != us::VerdictKind::AcceptRewritten ||
        to.inbound(p).kind != us::VerdictKind::AcceptRewritten) {
      std::abort();
    }
  };
  trip(pair.client, pair.server, segment(true, 100, 0, 0x02, {}, {}));
  trip(pair.server, pair.client, segment(false, 500, 101, 0x12, {}, {}));
  trip(pair.client, pair.server, segment(true, 101, 501, 0x10, {}, {}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::span<const std::uint8_t> input(data, size);
  Pair pair;
  handshake(pair, (input[0] & 0x02) != 0);
  std::vector<std::uint8_t> packet;
  if ((input[0] & 0x01) != 0) {
    // Raw packets to every path.
    packet.assign(input.begin() + 1, input.end());
    std::vector<std::uint8_t> copy = packet;
    (void)pair.client.outbound(copy);
    copy = packet;
    (void)pair.client.inbound(copy);
    (void)pair.server.inbound(packet);
    return 0;
  }
  // Structured: [mode][flags][options length][options...][mutations...]
  const std::uint8_t flags = input[1];
  const std::size_t opt_len = std::min<std::size_t>(input[2] % 41, size - 3);
  const auto options = input.subspan(3, opt_len);
  const auto rest = input.subspan(3 + opt_len);
  const std::vector<std::uint8_t> payload(rest.size() * 3, 0x5a);
  packet = segment(true, 101, 501, flags, options, payload);
  const us::Verdict sent = pair.client.outbound(packet);
  if (sent.kind != us::VerdictKind::AcceptRewritten) return 0;
  // Mutations: pairs of (position, xor value).
  for (std::size_t i = 0; i + 1 < rest.size(); i += 2) {
    packet[(std::size_t{rest[i]} * 7 + i) % packet.size()] ^= rest[i + 1];
  }
  if (pair.server.inbound(packet).kind == us::VerdictKind::AcceptRewritten &&
      !aotls::segment::PacketView::parse(packet)) {
    std::abort();
  }
  return 0;
}
