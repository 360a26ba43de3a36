// bgpd/wire/options.hpp - session parameters that change the wire encoding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bgpd::wire {

inline constexpr std::size_t kMarkerSize = 16;
inline constexpr std::size_t kHeaderSize = 19;                 // RFC 4271 section 4.1
inline constexpr std::size_t kMaxMessageSize = 4096;           // RFC 4271 section 4.1
inline constexpr std::size_t kMaxExtendedMessageSize = 65535;  // RFC 8654 section 3
inline constexpr std::uint16_t kAsTrans = 23456;               // RFC 6793 section 9

// What a decoder or encoder needs to know about the session (the negotiated
// capabilities, see capabilities.hpp negotiate()).
struct SessionOptions {
  bool four_octet_as = false;     // RFC 6793: AS_PATH/AGGREGATOR carry 4-octet ASNs
  bool extended_message = false;  // RFC 8654: messages up to 65535 octets
  bool ibgp = false;              // RFC 4271 5.1.5: LOCAL_PREF only from internal peers

  std::size_t max_message_size() const {
    return extended_message ? kMaxExtendedMessageSize : kMaxMessageSize;
  }
};

}  // namespace bgpd::wire
