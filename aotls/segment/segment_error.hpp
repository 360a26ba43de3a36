// aotls/segment/segment_error.hpp - every way a segment can fail TCP-AO processing.
#pragma once

#include <cstdint>
#include <string_view>

namespace aotls::segment {

// One enum for parsing, signing and verifying: a verifier reports why a
// segment is dropped, and most reasons are parse failures (RFC 5925 7.5.2:
// such segments are silently discarded; the reason feeds the counters).
enum class SegmentError : std::uint8_t {
  Truncated,                   // the buffer ends before a header or length field says
  BadIpVersion,                // neither 4 nor 6
  BadIpHeaderLength,           // IPv4 IHL < 5 words, or total length shorter than IHL
  NotTcp,                      // IPv4 protocol / IPv6 next header is not TCP (6)
  UnsupportedExtensionHeader,  // IPv6 extension headers are not walked
  BadTcpDataOffset,            // data offset < 5 words or beyond the segment
  BadOptionLength,             // option length < 2, runs past the options, or AO length < 4
  DuplicateAoOption,           // more than one TCP-AO option: which one to check is ambiguous
  NoAoOption,
  MacLengthMismatch,  // AO option MAC length differs from the algorithm's
  KeyNotFound,        // no MKT for the segment's KeyID (RFC 5925 7.5.2 b)
  MacMismatch,
  AddressFamilyMismatch,  // an IPv4 and an IPv6 address in one socket pair
  BadAddress,             // text that is not an IPv4 or IPv6 address
  BadMasterKey,           // empty master key
  CryptoFailure,          // OpenSSL reported an error
};

std::string_view to_string(SegmentError error);

}  // namespace aotls::segment
