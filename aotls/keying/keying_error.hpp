// aotls/keying/keying_error.hpp - the typed errors of aotls_keying.
//
// One code per way keying a connection can fail, each with a one-line
// message for the log and the CLI. Messages name keys by their IDs and
// lengths only, never by their bytes (architecture principle 7).
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace aotls::keying {

enum class KeyingErrc {
  HookUnavailable = 1,    // OpenSSL could not store the hook's state (ex_data)
  HookAlreadyRegistered,  // register_exporter_hook twice on one SSL_CTX
  HookNotRun,             // the peer announced, yet no exporter secret reached us
  WiringRefused,          // arm_tcp_ao refused (announcement, ex_data)
  AlreadyArmed,           // arm() twice, or the SSL is bound to another object
  NotArmed,               // handshake_finished/tick on an SSL that arm() did not see
  OutOfOrder,             // a call that does not fit the keying state
  PeerRefused,            // the tcp_ao outcome refuses the session (profile section 1)
  ExporterFailed,         // the TLS exporter could not produce a secret
  KeyMachine,             // aotls/keys refused an event
  Backend,                // a TcpAoSocket call failed
  RolloverRefused,        // an operator's rollover cannot start now (not fatal)
};

const std::error_category& keying_category();
std::error_code make_error_code(KeyingErrc errc);

}  // namespace aotls::keying

template <>
struct std::is_error_code_enum<aotls::keying::KeyingErrc> : std::true_type {};

namespace aotls::keying {

struct KeyingError {
  KeyingErrc code = KeyingErrc::OutOfOrder;
  std::error_code cause;  // the backend's error, when there is one
  std::string message;    // one line: what failed and why; never key material

  KeyingError() = default;
  KeyingError(KeyingErrc c, std::string_view detail, std::error_code why = {});
};

}  // namespace aotls::keying
