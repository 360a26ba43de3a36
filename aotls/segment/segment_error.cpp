#include "aotls/segment/segment_error.hpp"

namespace aotls::segment {

std::string_view to_string(SegmentError error) {
  switch (error) {
    case SegmentError::Truncated:
      return "truncated packet";
    case SegmentError::BadIpVersion:
      return "bad IP version";
    case SegmentError::BadIpHeaderLength:
      return "bad IPv4 header length";
    case SegmentError::NotTcp:
      return "not a TCP packet";
    case SegmentError::UnsupportedExtensionHeader:
      return "unsupported IPv6 extension header";
    case SegmentError::BadTcpDataOffset:
      return "bad TCP data offset";
    case SegmentError::BadOptionLength:
      return "bad TCP option length";
    case SegmentError::DuplicateAoOption:
      return "more than one TCP-AO option";
    case SegmentError::NoAoOption:
      return "no TCP-AO option";
    case SegmentError::MacLengthMismatch:
      return "TCP-AO MAC length does not match the algorithm";
    case SegmentError::KeyNotFound:
      return "no MKT for the KeyID";
    case SegmentError::MacMismatch:
      return "TCP-AO MAC mismatch";
    case SegmentError::AddressFamilyMismatch:
      return "address family mismatch";
    case SegmentError::BadAddress:
      return "bad IP address";
    case SegmentError::BadMasterKey:
      return "bad master key";
    case SegmentError::CryptoFailure:
      return "crypto failure";
  }
  return "unknown segment error";
}

}  // namespace aotls::segment
