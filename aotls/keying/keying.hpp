// aotls/keying/keying.hpp - module header of aotls_keying.
//
// Owns: the glue that keys ONE TCP-AO-protected TLS connection from its TLS
// handshake - the OpenSSL hook at the moment the exporter becomes usable
// (exporter_hook.hpp), and the per-connection shell (connection_keying.hpp)
// that turns the handshake, the socket and a timer into aotls/keys events
// and carries the machine's actions out on a backend::TcpAoSocket,
// synchronously, inside the handshake step where the profile's order needs
// it; the key log lines of each derived MKT; a status for the CLI.
// Must not depend on: bgpd, Asio, sockets or system calls of its own (the
// TcpAoSocket does them), logging. Clocks only through an injectable
// function (default steady_clock) for the moment of the first key switch.
// Implements: AO-TLS profile sections 3 (default MKT, generation 1 derived
// and installed in the order "export, install, first Finished byte", peers
// without the extension), 4 first bullet (default MKT retired by hold-down,
// generation 2 installed ahead) and 6 (key log); RFC 8446 section 7.5 (the
// exporter, over OpenSSL's logged exporter master secret); RFC 5925 sections
// 6.1 and 7.5.2 through aotls/keys.
#pragma once

#include "aotls/keying/connection_keying.hpp"
#include "aotls/keying/exporter_hook.hpp"
#include "aotls/keying/keying_error.hpp"
