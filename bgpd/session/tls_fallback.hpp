// bgpd/session/tls_fallback.hpp - when tls "preferred" gives up on TLS.
//
// Profile section 1: a neighbor with tls "preferred" tries TLS; after
// `fallback_after` failed TLS attempts in a row it tries plain BGP (a
// downgrade, logged and counted). A failed plain attempt starts the count
// again, so TLS keeps being preferred: N TLS attempts, one plain, and so
// on. A peer that connected to us with plain BGP has shown that it does not
// speak TLS: our own attempts are plain from then on (a ClientHello would
// read as a broken BGP header to it, and some speakers - BIRD - then reset
// every session with us), until a TLS handshake completes again. A TLS
// handshake that completes resets everything. Pure bookkeeping; the
// connection code asks next_is_plain() before each active open.
#pragma once

#include <cstdint>
#include <string>

namespace bgpd::session {

class TlsFallback {
 public:
  explicit TlsFallback(std::uint32_t fallback_after = 3) : fallback_after_(fallback_after) {}

  void set_fallback_after(std::uint32_t n) { fallback_after_ = n; }
  bool next_is_plain() const { return peer_spoke_plain_ || failures_in_a_row_ >= fallback_after_; }

  void tls_failed(std::string reason) {
    ++failures_in_a_row_;
    ++failed_attempts_;
    last_failure_ = std::move(reason);
  }
  void tls_succeeded() {
    failures_in_a_row_ = 0;
    peer_spoke_plain_ = false;
  }
  // Our own fallback: this attempt goes plain instead of TLS.
  void downgraded() {
    failures_in_a_row_ = 0;
    ++downgrades_;
  }
  // The peer connected to us with plain BGP (passive side of "preferred").
  void peer_spoke_plain() {
    peer_spoke_plain_ = true;
    ++downgrades_;
  }

  std::uint32_t failures_in_a_row() const { return failures_in_a_row_; }
  bool peer_spoke_plain_seen() const { return peer_spoke_plain_; }
  std::uint64_t failed_attempts() const { return failed_attempts_; }
  std::uint64_t downgrades() const { return downgrades_; }
  const std::string& last_failure() const { return last_failure_; }

 private:
  std::uint32_t fallback_after_;
  std::uint32_t failures_in_a_row_ = 0;
  std::uint64_t failed_attempts_ = 0;
  std::uint64_t downgrades_ = 0;
  bool peer_spoke_plain_ = false;
  std::string last_failure_;
};

}  // namespace bgpd::session
