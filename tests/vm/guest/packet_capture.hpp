// tests/vm/guest/packet_capture.hpp - what the guest kernel put on one
// interface, read with an AF_PACKET socket and written as a pcap file
// (LINKTYPE_RAW: IPv4 and IPv6 packets, IP header first), for the host's
// verifiers. Both the packets the interface sends and those it receives
// are kept, except on loopback, where every packet shows up both ways and
// is kept once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bgpd_vm {

class PacketCapture {
 public:
  // Opens the capture on `interface` (SOCK_DGRAM: the IP packet without
  // its link header). Throws std::system_error.
  explicit PacketCapture(const std::string& interface);
  ~PacketCapture();
  PacketCapture(const PacketCapture&) = delete;
  PacketCapture& operator=(const PacketCapture&) = delete;

  // Waits up to `timeout_ms` for a packet to read; false on timeout or
  // when a signal interrupted the wait.
  bool wait(int timeout_ms) const;
  // Moves every queued packet into memory (non-blocking).
  void drain();
  // Writes the packets drained so far; throws std::runtime_error.
  void write_pcap(const std::string& path) const;

  std::size_t packets() const { return packets_.size(); }
  // Packets the kernel dropped because the socket's buffer was full.
  std::uint64_t kernel_drops() const;

 private:
  struct Packet {
    std::int64_t seconds;
    std::int64_t microseconds;
    std::vector<std::uint8_t> bytes;
  };
  int fd_ = -1;
  bool loopback_ = false;
  std::vector<Packet> packets_;
};

}  // namespace bgpd_vm
