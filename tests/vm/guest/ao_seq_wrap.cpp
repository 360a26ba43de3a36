// tests/vm/guest/ao_seq_wrap.cpp - runs INSIDE the VM guest (scenario 5 of
// issue 6, tests/vm/seq_wrap.py): a TCP-AO connection made by the guest
// kernel whose sequence numbers cross 2^32 in both directions, captured on
// the loopback interface for the host's two verifiers.
//
//  1. A client and a server connect over loopback under one static MKT
//     (kernel TCP-AO, through our KernelAoSocket) and exchange a message.
//  2. Both sockets are checkpointed with TCP_REPAIR / TCP_AO_REPAIR and
//     restored on new ports with each direction's sequence numbers moved
//     close to 2^32, and ISNs one below, SNEs 0: a connection "just
//     opened" there (RFC 5925 section 6.2: the SNE starts at 0 and counts
//     wraps). The two directions wrap at different points of the stream.
//  3. Both sides stream a known byte pattern to each other, every segment
//     MACed by the kernel with SNE 0 before the wrap and 1 after.
// The report (JSON) holds the restored state in the form tests/tools/
// ao_replay reads, the kernel's SNEs and counters afterwards, whether the
// data arrived intact, and the capture's size; the capture is a pcap file.
//
// Usage: ao_seq_wrap --family 4|6 --client ADDR --server ADDR --port P
//                    --key-id N --secret TEXT --algorithm NAME
//                    [--exclude-options] [--messages N] [--size BYTES]
//                    --pcap FILE --report FILE
// Ports P (first server), P+1 (first client), P+2 and P+3 (restored client
// and server). Exit 0 when every step worked (the host judges the values),
// 1 with "error" in the report otherwise, 2 for bad arguments.
#include <arpa/inet.h>
#include <netdb.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "aotls/backend/kernel_backend.hpp"
#include "aotls/crypto/algorithms.hpp"
#include "aotls/keys/mkt.hpp"
#include "tests/vm/guest/packet_capture.hpp"
#include "tests/vm/guest/tcp_repair.hpp"

namespace {

using namespace std::chrono_literals;
namespace backend = aotls::backend;
namespace uapi = aotls::backend::uapi;
using Json = nlohmann::ordered_json;

struct Options {
  int family = 4;
  std::string client, server, secret, algorithm, pcap, report;
  std::uint16_t port = 0;
  std::uint8_t key_id = 0;
  bool include_options = true;
  std::size_t messages = 32;
  std::size_t size = 400;
};

[[noreturn]] void os_fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// A socket that closes itself.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {
    if (fd_ < 0) os_fail("socket");
  }
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct Address {
  sockaddr_storage storage{};
  socklen_t len = 0;
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

Address address_of(int family, const std::string& text, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = family == 4 ? AF_INET : AF_INET6;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(text.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    throw std::invalid_argument("not an IPv" + std::to_string(family) + " address: " + text);
  }
  Address address;
  std::memcpy(&address.storage, found->ai_addr, found->ai_addrlen);
  address.len = found->ai_addrlen;
  ::freeaddrinfo(found);
  return address;
}

aotls::keys::Mkt make_mkt(const Options& options) {
  aotls::keys::Mkt mkt;
  mkt.send_id = mkt.recv_id = options.key_id;
  mkt.params.include_options = options.include_options;
  if (options.algorithm == "aes-128-cmac-96") {
    mkt.params.mac = aotls::crypto::MacAlgorithm::AesCmac128_96;
    mkt.params.kdf = aotls::crypto::KdfAlgorithm::AesCmac128;
  } else if (options.algorithm != "hmac-sha1-96") {
    throw std::invalid_argument("--algorithm: hmac-sha1-96 or aes-128-cmac-96");
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(options.secret.data());
  mkt.secret = aotls::crypto::Secret({bytes, options.secret.size()});
  return mkt;
}

// The kernel TCP-AO of one socket, keyed with the MKT for `peer`.
class AoSocket {
 public:
  AoSocket(int fd, backend::SocketRole role, const Options& options, const std::string& peer)
      : socket_(system_, {fd, role, options.family == 4 ? aotls::segment::IpVersion::V4
                                                       : aotls::segment::IpVersion::V6}) {
    const auto address = aotls::segment::IpAddress::parse(peer);
    if (!address) throw std::invalid_argument("bad peer address " + peer);
    if (const auto ec = socket_.add_key(backend::PeerPrefix::host(*address), make_mkt(options))) {
      throw std::system_error(ec, "TCP_AO_ADD_KEY");
    }
    if (role == backend::SocketRole::Connection) {
      if (const auto ec = socket_.set_current(options.key_id)) throw std::system_error(ec, "current");
      if (const auto ec = socket_.set_rnext(options.key_id)) throw std::system_error(ec, "rnext");
    }
  }

  Json counters() {
    const auto status = socket_.status();
    const auto keys = socket_.key_counters();
    if (!status || !keys || keys->size() != 1) throw std::runtime_error("TCP-AO counters");
    return {{"good", keys->front().good},
            {"bad_mac", keys->front().bad_mac},
            {"key_not_found", status->key_not_found},
            {"ao_required_missing", status->ao_required_missing}};
  }

 private:
  backend::SystemSocketOptions system_;
  backend::KernelAoSocket socket_;
};

void set_int(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) os_fail(what);
}

// Byte `offset` of direction `stream`'s pattern (0: client to server).
std::uint8_t pattern(int stream, std::size_t offset) {
  return static_cast<std::uint8_t>(offset * (stream == 0 ? 7 : 13) + (stream == 0 ? 1 : 5));
}

void write_all(int fd, int stream, std::size_t from, std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  for (std::size_t i = 0; i < count; ++i) bytes[i] = pattern(stream, from + i);
  if (::send(fd, bytes.data(), count, 0) != static_cast<ssize_t>(count)) os_fail("send");
}

void read_exactly(int fd, std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  std::size_t got = 0;
  while (got < count) {
    const ssize_t n = ::recv(fd, bytes.data() + got, count - got, 0);
    if (n <= 0) os_fail("recv (first connection)");
    got += static_cast<std::size_t>(n);
  }
}

// Waits (bounded) until nothing we sent is unacknowledged.
void wait_idle(int fd) {
  for (int i = 0; i < 200; ++i) {
    int unacked = 0;
    if (::ioctl(fd, SIOCOUTQ, &unacked) != 0) os_fail("ioctl(SIOCOUTQ)");
    if (unacked == 0) return;
    std::this_thread::sleep_for(10ms);
  }
  throw std::runtime_error("send queue did not drain");
}

// Streams messages both ways across the restored connection, one message
// per send (TCP_NODELAY: one segment each), checking every byte received.
Json stream_both_ways(int client, int server, const Options& options) {
  const std::size_t total = options.messages * options.size;
  const int fds[2] = {client, server};
  std::size_t sent[2] = {0, 0}, received[2] = {0, 0}, corrupt[2] = {0, 0};
  std::vector<std::uint8_t> buffer(65536);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while ((received[0] < total || received[1] < total) &&
         std::chrono::steady_clock::now() < deadline) {
    const auto events = [&](int side) {
      return static_cast<short>(sent[side] < total ? POLLIN | POLLOUT : POLLIN);
    };
    pollfd polls[2] = {{client, events(0), 0}, {server, events(1), 0}};
    if (::poll(polls, 2, 100) < 0 && errno != EINTR) os_fail("poll");
    for (int side = 0; side < 2; ++side) {
      if ((polls[side].revents & POLLOUT) && sent[side] < total) {
        write_all(fds[side], side, sent[side], options.size);
        sent[side] += options.size;
      }
      if (polls[side].revents & POLLIN) {
        // The client reads the server's stream (1) and the reverse.
        const int stream = 1 - side;
        const ssize_t n = ::recv(fds[side], buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n == 0) throw std::runtime_error("restored connection closed by the peer");
        if (n < 0 && errno != EAGAIN) os_fail("recv (restored connection)");
        for (ssize_t i = 0; i < n; ++i) {
          if (buffer[static_cast<std::size_t>(i)] != pattern(stream, received[stream]++)) {
            ++corrupt[stream];
          }
        }
      }
    }
  }
  return {{"expected", total},
          {"client_to_server", received[0]},
          {"server_to_client", received[1]},
          {"corrupt_bytes", corrupt[0] + corrupt[1]}};
}

// A restored endpoint as the kernel reports it (TCP_AO_REPAIR and the
// queues' sequence numbers), in the form ao_replay reads.
Json endpoint_json(const Options& options, bool is_client, int fd) {
  const uapi::TcpAoRepair ao = bgpd_vm::get_ao_repair(fd);
  const bgpd_vm::QueueSeqs seqs = bgpd_vm::queue_seqs(fd);
  const auto& local = is_client ? options.client : options.server;
  const auto& remote = is_client ? options.server : options.client;
  const std::uint16_t local_port = static_cast<std::uint16_t>(options.port + (is_client ? 2 : 3));
  const std::uint16_t remote_port = static_cast<std::uint16_t>(options.port + (is_client ? 3 : 2));
  return {{"role", is_client ? "client" : "server"},
          {"local", local},
          {"local_port", local_port},
          {"remote", remote},
          {"remote_port", remote_port},
          {"snt_isn", ntohl(ao.snt_isn)},
          {"rcv_isn", ntohl(ao.rcv_isn)},
          {"snd_sne", ao.snd_sne},
          {"rcv_sne", ao.rcv_sne},
          {"snd_una", seqs.send},
          {"rcv_nxt", seqs.receive}};
}

Json run(const Options& options, bgpd_vm::PacketCapture& capture) {
  const int domain = options.family == 4 ? AF_INET : AF_INET6;
  const auto at = [&](const std::string& host, int offset) {
    return address_of(options.family, host, static_cast<std::uint16_t>(options.port + offset));
  };
  Json report;

  // 1. An ordinary TCP-AO connection (its SYNs show the kernel's own ISNs).
  bgpd_vm::TcpImage images[2];
  {
    Fd listener(::socket(domain, SOCK_STREAM, 0));
    set_int(listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    const Address server_address = at(options.server, 0);
    if (::bind(listener.get(), server_address.sa(), server_address.len) != 0) os_fail("bind");
    AoSocket listener_ao(listener.get(), backend::SocketRole::Listener, options, options.client);
    if (::listen(listener.get(), 1) != 0) os_fail("listen");

    Fd client(::socket(domain, SOCK_STREAM, 0));
    set_int(client.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    const Address client_address = at(options.client, 1);
    if (::bind(client.get(), client_address.sa(), client_address.len) != 0) os_fail("bind");
    AoSocket client_ao(client.get(), backend::SocketRole::Connection, options, options.server);
    if (::connect(client.get(), server_address.sa(), server_address.len) != 0) os_fail("connect");
    Fd server(::accept(listener.get(), nullptr, nullptr));

    write_all(client.get(), 0, 0, options.size);
    read_exactly(server.get(), options.size);
    write_all(server.get(), 1, 0, options.size);
    read_exactly(client.get(), options.size);
    wait_idle(client.get());
    wait_idle(server.get());
    std::this_thread::sleep_for(100ms);  // the last ACKs
    const int fds[2] = {client.get(), server.get()};
    for (int side = 0; side < 2; ++side) {
      bgpd_vm::enter_repair(fds[side]);
      images[side] = bgpd_vm::checkpoint(fds[side]);
    }
    report["first_connection"] = {{"client_isn", ntohl(images[0].ao.snt_isn)},
                                  {"server_isn", ntohl(images[1].ao.snt_isn)}};
    // Closed in repair mode: no FIN, no RST leaves.
  }
  capture.drain();

  // 2. Restored near the wrap: the client's stream wraps a third of the way
  // in, the server's two thirds in.
  const std::uint64_t total = options.messages * options.size;
  const std::uint32_t client_seq = static_cast<std::uint32_t>((1ULL << 32) - total / 3);
  const std::uint32_t server_seq = static_cast<std::uint32_t>((1ULL << 32) - 2 * total / 3);
  const std::uint32_t seqs[2][2] = {{client_seq, server_seq}, {server_seq, client_seq}};
  Fd restored_client(::socket(domain, SOCK_STREAM, 0));
  Fd restored_server(::socket(domain, SOCK_STREAM, 0));
  const int fds[2] = {restored_client.get(), restored_server.get()};
  std::vector<std::unique_ptr<AoSocket>> ao;
  Json endpoints = Json::array();
  for (int side = 0; side < 2; ++side) {
    bgpd_vm::TcpImage image = images[side];
    image.seqs = {seqs[side][0], seqs[side][1]};
    image.window.snd_wl1 = image.seqs.receive;
    image.window.rcv_wup = image.seqs.receive;
    const bool is_client = side == 0;
    const Address local = at(is_client ? options.client : options.server, is_client ? 2 : 3);
    const Address remote = at(is_client ? options.server : options.client, is_client ? 3 : 2);
    bgpd_vm::enter_repair(fds[side]);
    bgpd_vm::restore(fds[side], image, local.sa(), remote.sa(), local.len);
    ao.push_back(std::make_unique<AoSocket>(fds[side], backend::SocketRole::Connection, options,
                                            is_client ? options.server : options.client));
    uapi::TcpAoRepair state{};
    state.snt_isn = htonl(image.seqs.send - 1);
    state.rcv_isn = htonl(image.seqs.receive - 1);
    bgpd_vm::set_ao_repair(fds[side], state);
    endpoints.push_back(endpoint_json(options, is_client, fds[side]));
  }
  report["restored"] = {{"endpoints", endpoints}};
  for (const int fd : fds) {
    set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    bgpd_vm::leave_repair(fd);
  }

  // 3. Traffic across the wrap, then the kernel's view of it.
  report["data"] = stream_both_ways(fds[0], fds[1], options);
  for (const int fd : fds) wait_idle(fd);
  std::this_thread::sleep_for(200ms);
  Json after;
  for (int side = 0; side < 2; ++side) {
    Json entry = ao[static_cast<std::size_t>(side)]->counters();
    bgpd_vm::enter_repair(fds[side]);
    const uapi::TcpAoRepair state = bgpd_vm::get_ao_repair(fds[side]);
    entry["snd_sne"] = state.snd_sne;
    entry["rcv_sne"] = state.rcv_sne;
    after[side == 0 ? "client" : "server"] = entry;
  }
  report["after"] = after;
  capture.drain();
  return report;
}

Options parse(int argc, char** argv) {
  Options options;
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (name == "--exclude-options") {
      options.include_options = false;
    } else if (name.rfind("--", 0) == 0 && i + 1 < argc) {
      values[name.substr(2)] = argv[++i];
    } else {
      throw std::invalid_argument("unknown or incomplete argument " + name);
    }
  }
  const auto need = [&](const char* name) {
    const auto found = values.find(name);
    if (found == values.end()) throw std::invalid_argument(std::string("missing --") + name);
    return found->second;
  };
  options.family = std::stoi(need("family"));
  if (options.family != 4 && options.family != 6) throw std::invalid_argument("--family 4|6");
  options.client = need("client");
  options.server = need("server");
  options.port = static_cast<std::uint16_t>(std::stoul(need("port")));
  options.key_id = static_cast<std::uint8_t>(std::stoul(need("key-id")));
  options.secret = need("secret");
  options.algorithm = need("algorithm");
  options.pcap = need("pcap");
  options.report = need("report");
  if (values.count("messages")) options.messages = std::stoul(values["messages"]);
  if (values.count("size")) options.size = std::stoul(values["size"]);
  if (options.messages < 3 || options.size == 0 || options.size > 1400) {
    throw std::invalid_argument("--messages >= 3 and --size 1..1400");
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "ao_seq_wrap: " << error.what() << "\n";
    return 2;
  }
  Json report{{"family", options.family},
              {"key_id", options.key_id},
              {"algorithm", options.algorithm},
              {"include_options", options.include_options}};
  int status = 0;
  try {
    bgpd_vm::PacketCapture capture("lo");
    report.update(run(options, capture));
    report["capture"] = {{"packets", capture.packets()}, {"kernel_drops", capture.kernel_drops()}};
    capture.write_pcap(options.pcap);
  } catch (const std::exception& error) {
    report["error"] = error.what();
    std::cerr << "ao_seq_wrap: " << error.what() << "\n";
    status = 1;
  }
  std::ofstream(options.report) << report.dump(1) << "\n";
  return status;
}
