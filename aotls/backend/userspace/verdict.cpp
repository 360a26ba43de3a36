#include "aotls/backend/userspace/verdict.hpp"

namespace aotls::backend::userspace {

std::string_view to_string(DropReason reason) {
  switch (reason) {
    case DropReason::Malformed:
      return "malformed packet on a protected flow";
    case DropReason::BadMac:
      return "bad MAC";
    case DropReason::KeyNotFound:
      return "KeyID matches no key";
    case DropReason::AoRequiredMissing:
      return "TCP-AO required but missing";
    case DropReason::IcmpIgnored:
      return "ICMP error for a TCP-AO connection ignored";
    case DropReason::NoCurrentKey:
      return "no current key to sign with";
    case DropReason::NotSynchronized:
      return "ISNs not known yet";
    case DropReason::NoConnection:
      return "no TCP-AO connection for this segment";
    case DropReason::AoAlreadyPresent:
      return "outgoing segment already carries TCP-AO";
    case DropReason::OptionSpace:
      return "TCP options do not fit with TCP-AO";
    case DropReason::PacketTooLong:
      return "packet too long for TCP-AO";
    case DropReason::CryptoFailure:
      return "crypto failure";
  }
  return "unknown";
}

}  // namespace aotls::backend::userspace
