// aotls/backend/userspace/verdict.hpp - what the user-space TCP-AO core
// decides for one packet: accept it (possibly rewritten in place) or drop it
// silently for a named reason (RFC 5925 section 7.5: failures are silent
// discards; the reason feeds the counters and the shell's debug output).
#pragma once

#include <cstdint>
#include <string_view>

namespace aotls::backend::userspace {

enum class DropReason : std::uint8_t {
  Malformed,          // a protected flow's packet that does not parse: fail closed
  BadMac,             // MAC mismatch or wrong MAC length (counted on the key)
  KeyNotFound,        // KeyID matches no RecvID (RFC 5925 7.5.2 b)
  AoRequiredMissing,  // no TCP-AO on a protected flow (RFC 5925 7.5.2 a)
  IcmpIgnored,        // ICMP hard error about a protected flow (RFC 5925 7.8)
  NoCurrentKey,       // nothing to sign with (no key matches the peer)
  NotSynchronized,    // a non-SYN segment before the ISNs are known: no traffic key
  NoConnection,       // a protected peer's segment for no known connection
  AoAlreadyPresent,   // an outgoing segment that already carries option 29
  OptionSpace,        // the options cannot fit 40 bytes even without SACK blocks
  PacketTooLong,      // inserting TCP-AO would overflow the IP length field
  CryptoFailure,      // OpenSSL failed while deriving a key or computing a MAC
};

std::string_view to_string(DropReason reason);

// Accept: the packet goes on unchanged (a flow no socket protects).
// AcceptRewritten: it goes on as rewritten in the caller's buffer.
enum class VerdictKind : std::uint8_t { Accept, AcceptRewritten, Drop };

struct Verdict {
  VerdictKind kind = VerdictKind::Accept;
  DropReason reason = DropReason::Malformed;  // meaningful for Drop only

  static Verdict accept() { return {}; }
  static Verdict rewritten() { return {VerdictKind::AcceptRewritten, DropReason::Malformed}; }
  static Verdict drop(DropReason why) { return {VerdictKind::Drop, why}; }
  bool accepted() const { return kind != VerdictKind::Drop; }

  friend bool operator==(const Verdict&, const Verdict&) = default;
};

}  // namespace aotls::backend::userspace
