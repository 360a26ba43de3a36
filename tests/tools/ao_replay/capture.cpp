#include "tests/tools/ao_replay/capture.hpp"

#include <pcap/pcap.h>

#include <memory>
#include <optional>

namespace ao_replay {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88a8;
constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kSllHeader = 16;   // protocol at offset 14
constexpr std::size_t kSll2Header = 20;  // protocol at offset 0
constexpr std::size_t kNullHeader = 4;   // address family, host order

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

// The frame's bytes from `offset`, when `ethertype` says IP.
std::optional<std::span<const std::uint8_t>> ip_after(std::span<const std::uint8_t> frame,
                                                      std::size_t offset, std::uint16_t ethertype) {
  if (ethertype != kEtherIpv4 && ethertype != kEtherIpv6) return std::nullopt;
  if (frame.size() < offset) return std::nullopt;
  return frame.subspan(offset);
}

std::optional<std::span<const std::uint8_t>> ethernet_payload(std::span<const std::uint8_t> frame) {
  std::size_t offset = kEthernetHeader;
  if (frame.size() < offset) return std::nullopt;
  std::uint16_t type = get16(frame, 12);
  while ((type == kEtherVlan || type == kEtherQinQ) && frame.size() >= offset + 4) {
    type = get16(frame, offset + 2);
    offset += 4;
  }
  return ip_after(frame, offset, type);
}

// The IP packet inside one frame of link type `dlt`.
std::optional<std::span<const std::uint8_t>> ip_payload(int dlt,
                                                        std::span<const std::uint8_t> frame) {
  switch (dlt) {
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return frame;
    case DLT_EN10MB:
      return ethernet_payload(frame);
    case DLT_LINUX_SLL:
      if (frame.size() < kSllHeader) return std::nullopt;
      return ip_after(frame, kSllHeader, get16(frame, 14));
    case DLT_LINUX_SLL2:
      if (frame.size() < kSll2Header) return std::nullopt;
      return ip_after(frame, kSll2Header, get16(frame, 0));
    case DLT_NULL:
    case DLT_LOOP:
      // The family's value differs between systems: the IP version nibble
      // decides below.
      if (frame.size() < kNullHeader) return std::nullopt;
      return frame.subspan(kNullHeader);
    default:
      return std::nullopt;
  }
}

bool supported(int dlt) {
  switch (dlt) {
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
      return true;
    default:
      return false;
  }
}

// An IPv4/IPv6 packet cut to the length its header gives (link layers may
// pad); nullopt for anything that is not IP.
std::optional<std::span<const std::uint8_t>> trimmed_ip(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return std::nullopt;
  const int version = bytes[0] >> 4;
  std::size_t length = 0;
  if (version == 4 && bytes.size() >= 20) {
    length = get16(bytes, 2);
  } else if (version == 6 && bytes.size() >= 40) {
    length = std::size_t{40} + get16(bytes, 4);
  } else {
    return std::nullopt;
  }
  // A truncated packet is handed over as captured: it fails verification.
  return length <= bytes.size() ? bytes.first(length) : bytes;
}

struct PcapClose {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

}  // namespace

common::Expected<CaptureSummary, std::string> read_capture(const std::string& path,
                                                           const PacketSink& sink) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapClose> pcap(pcap_open_offline(path.c_str(), errbuf));
  if (!pcap) {
    // libpcap's message names the file for some errors only.
    const std::string message = errbuf;
    return common::Unexpected(message.find(path) == std::string::npos ? path + ": " + message
                                                                      : message);
  }
  const int dlt = pcap_datalink(pcap.get());
  const char* name = pcap_datalink_val_to_name(dlt);
  CaptureSummary summary;
  summary.link_type = name != nullptr ? name : std::to_string(dlt);
  if (!supported(dlt)) {
    return common::Unexpected(path + ": unsupported link type " + summary.link_type +
                              " (raw IP, Ethernet, Linux cooked or loopback expected)");
  }
  pcap_pkthdr* header = nullptr;
  const std::uint8_t* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(pcap.get(), &header, &data)) == 1) {
    ++summary.frames;
    if (header->caplen < header->len) ++summary.truncated;
    const auto payload = ip_payload(dlt, std::span(data, header->caplen));
    const auto ip = payload ? trimmed_ip(*payload) : std::nullopt;
    if (!ip) continue;
    ++summary.ip_packets;
    sink(summary.frames, *ip);
  }
  if (rc != PCAP_ERROR_BREAK) {
    return common::Unexpected(path + ": read error after frame " + std::to_string(summary.frames) +
                              ": " + pcap_geterr(pcap.get()));
  }
  return summary;
}

}  // namespace ao_replay
