// tests/tools/ao_replay/capture.hpp - the IP packets of a pcap or pcapng
// file (libpcap reads both), whatever link layer framed them: raw IP
// (LINKTYPE_RAW 101, IPV4, IPV6), Ethernet (with 802.1Q/802.1ad tags),
// Linux cooked v1 and v2 (`tcpdump -i any`), BSD loopback.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "common/expected.hpp"

namespace ao_replay {

struct CaptureSummary {
  std::string link_type;  // libpcap's name, e.g. "RAW", "EN10MB"
  std::uint64_t frames = 0;
  std::uint64_t ip_packets = 0;
  std::uint64_t truncated = 0;  // frames cut by the capture's snaplen
};

// Frame numbers start at 1, as in Wireshark. The packet is trimmed to its IP
// length (Ethernet pads short frames).
using PacketSink = std::function<void(std::uint64_t frame, std::span<const std::uint8_t> ip)>;

// An unreadable file, an unsupported link type or a read error: one line
// naming the file.
common::Expected<CaptureSummary, std::string> read_capture(const std::string& path,
                                                           const PacketSink& sink);

}  // namespace ao_replay
