// tests/vm/guest/packet_capture.cpp - see packet_capture.hpp.
#include "tests/vm/guest/packet_capture.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace bgpd_vm {
namespace {

std::system_error os_error(const char* what) {
  return std::system_error(errno, std::generic_category(), what);
}

}  // namespace

PacketCapture::PacketCapture(const std::string& interface) {
  fd_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd_ < 0) throw os_error("socket(AF_PACKET)");
  // The scenario drains between phases; a generous buffer keeps a phase's
  // packets even at loopback speed (SO_RCVBUFFORCE: root, above rmem_max).
  const int buffer = 32 << 20;
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0) {
    ::close(fd_);
    throw os_error("setsockopt(SO_RCVBUFFORCE)");
  }
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = static_cast<int>(::if_nametoindex(interface.c_str()));
  ifreq request{};
  interface.copy(request.ifr_name, sizeof request.ifr_name - 1);
  if (address.sll_ifindex == 0 ||
      ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::ioctl(fd_, SIOCGIFFLAGS, &request) != 0) {
    const std::system_error error = os_error(("capture on " + interface).c_str());
    ::close(fd_);
    throw error;
  }
  loopback_ = (request.ifr_flags & IFF_LOOPBACK) != 0;
}

PacketCapture::~PacketCapture() { ::close(fd_); }

bool PacketCapture::wait(int timeout_ms) const {
  pollfd readable{fd_, POLLIN, 0};
  return ::poll(&readable, 1, timeout_ms) > 0;
}

void PacketCapture::drain() {
  std::array<std::uint8_t, 65536> buffer{};
  for (;;) {
    sockaddr_ll from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      throw os_error("recvfrom(AF_PACKET)");
    }
    // Loopback hands each packet to AF_PACKET twice: sent, then received.
    if (loopback_ && from.sll_pkttype == PACKET_OUTGOING) continue;
    // LINKTYPE_RAW holds IP packets only (ARP and the like are left out).
    if (from.sll_protocol != htons(ETH_P_IP) && from.sll_protocol != htons(ETH_P_IPV6)) continue;
    if (static_cast<std::size_t>(n) > buffer.size()) {
      throw std::runtime_error("captured packet larger than 64 KiB");
    }
    timeval now{};
    ::gettimeofday(&now, nullptr);
    packets_.push_back({now.tv_sec, now.tv_usec,
                        std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + n)});
  }
}

void PacketCapture::write_pcap(const std::string& path) const {
  const std::unique_ptr<pcap_t, decltype(&pcap_close)> dead(pcap_open_dead(DLT_RAW, 65535),
                                                             pcap_close);
  if (!dead) throw std::runtime_error("pcap_open_dead failed");
  const std::unique_ptr<pcap_dumper_t, decltype(&pcap_dump_close)> dumper(
      pcap_dump_open(dead.get(), path.c_str()), pcap_dump_close);
  if (!dumper) throw std::runtime_error(path + ": " + pcap_geterr(dead.get()));
  for (const Packet& packet : packets_) {
    pcap_pkthdr header{};
    header.ts.tv_sec = packet.seconds;
    header.ts.tv_usec = packet.microseconds;
    header.caplen = header.len = static_cast<bpf_u_int32>(packet.bytes.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper.get()), &header, packet.bytes.data());
  }
}

std::uint64_t PacketCapture::kernel_drops() const {
  tpacket_stats stats{};
  socklen_t len = sizeof stats;
  if (::getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &len) != 0) {
    throw os_error("getsockopt(PACKET_STATISTICS)");
  }
  return stats.tp_drops;
}

}  // namespace bgpd_vm
