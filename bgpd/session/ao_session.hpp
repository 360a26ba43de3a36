// bgpd/session/ao_session.hpp - TCP-AO on one BGP connection, keyed from
// its TLS handshake (draft-piraux-tcp-ao-tls; AO-TLS profile sections 3-5)
// or a static key chain.
//
// Keys come from the TLS handshake (ao opportunistic or required) or from
// the configuration (ao static: installed by AoService before connect(),
// or inherited from the listener, and chosen there).
//
// A derived-key AoSession is made when the socket exists and before its first segment
// that matters: before connect() on the active side (the default MKT goes
// on first, so the SYN is signed), right after accept() on the passive side
// (the socket inherited the default MKT from its listener). tls_handshake()
// arms it on the SSL, so that aotls/keying installs generation 1 inside the
// handshake. Either transport then drives the session's timer
// (start_ao_timer) for as long as the connection lives: the keying's
// (default-MKT retirement, generation 2, then rollovers: profile section
// 4), or a static chain's (keys in and out as lifetimes pass or a reload
// changes the chain, make-before-break).
//
// Lifetime: the session owns the backend socket and keeps its backend alive
// (`keepalive`), so a connection that outlives the daemon's AO service in a
// pending handler never touches a destroyed backend.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "aotls/backend/backend.hpp"
#include "aotls/keying/connection_keying.hpp"
#include "aotls/rekey/static_chain.hpp"

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on
#include <boost/asio/any_io_executor.hpp>

namespace bgpd::session {

class AoSession {
 public:
  // Keys derived from the TLS handshake (aotls/keying).
  AoSession(std::shared_ptr<const void> keepalive, std::string backend,
            std::unique_ptr<aotls::backend::TcpAoSocket> socket,
            const aotls::keying::KeyingOptions& options);
  // Static keys, already on the socket; `chain` rolls them over by their
  // lifetimes and reloads (profile section 4, static key chains).
  AoSession(std::shared_ptr<const void> keepalive, std::string backend,
            std::unique_ptr<aotls::backend::TcpAoSocket> socket, aotls::backend::PeerPrefix peer,
            std::vector<aotls::rekey::ChainKey> chain);
  AoSession(const AoSession&) = delete;
  AoSession& operator=(const AoSession&) = delete;

  bool derives_keys() const { return keying_ != nullptr; }
  // Only when derives_keys().
  aotls::keying::ConnectionKeying& keying() { return *keying_; }
  // "kernel" or "userspace".
  const std::string& backend() const { return backend_; }
  // Profile section 4's kick for rollovers: `kick` makes the connection send
  // now (bgpd: a KEEPALIVE). Set on the connection's strand, called there.
  void set_kick(std::function<void()> kick) { kick_ = std::move(kick); }
  // The timer of either kind: derived keys' keying, or the static chain
  // against the wall clock. Returns when to call again.
  std::chrono::steady_clock::time_point tick(std::chrono::steady_clock::time_point now);
  // A reload's key chain (static sessions only; make-before-break).
  void set_chain(std::vector<aotls::rekey::ChainKey> chain);
  // Either kind; a static session reports state "static", generation 0.
  aotls::keying::KeyingStatus status(std::chrono::steady_clock::time_point now) const;

 private:
  std::shared_ptr<const void> keepalive_;  // first: destroyed last
  std::string backend_;
  std::unique_ptr<aotls::backend::TcpAoSocket> socket_;
  std::chrono::steady_clock::time_point tick_static(std::chrono::steady_clock::time_point now);

  std::function<void()> kick_;
  std::unique_ptr<aotls::keying::ConnectionKeying> keying_;  // refers to *socket_
  // Static sessions: the chain, where the keys go, and what it did.
  aotls::backend::PeerPrefix peer_;
  std::unique_ptr<aotls::rekey::StaticChain> chain_;
  std::uint64_t keys_deleted_ = 0;
  std::optional<std::string> chain_error_;
};

// Runs session->tick() on `executor` for as long as the session lives (the
// transports start it for their TCP-AO).
void start_ao_timer(boost::asio::any_io_executor executor, const std::shared_ptr<AoSession>& session);

// Why TCP-AO refused a connection; the log and the CLI show the message.
enum class AoFailure {
  ArmFailed = 1,            // the SSL could not be prepared for the tcp_ao extension
  KeyingFailed,             // deriving or installing generation 1 failed
  PeerWithoutExtension,     // ao required, the peer sent no tcp_ao (profile section 1)
  PeerAnnouncementInvalid,  // the peer's tcp_ao body did not decode (profile section 3)
};

const std::error_category& ao_failure_category();
std::error_code make_error_code(AoFailure failure);

}  // namespace bgpd::session

template <>
struct std::is_error_code_enum<bgpd::session::AoFailure> : std::true_type {};
