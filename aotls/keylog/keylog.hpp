// aotls/keylog/keylog.hpp - module header of aotls_keylog.
//
// Owns: the TCP-AO key log of the AO-TLS profile, section 6 - one line per
// derived MKT, mirroring SSLKEYLOGFILE, so that a capture can be verified by
// tools that know nothing of our code (tests/tools/ao_verify):
//   TCPAO <client_random> <g> <c2s|s2c> <keyid> <prot> <auth> <kdf> <secret>
// The line formatting is pure (line.hpp); the writer (writer.hpp) is the only
// place that touches the file system.
// Must not depend on: bgpd, Asio, sockets, logging, clocks.
// Implements: AO-TLS profile section 6 (off by default, AOTLS_KEYLOGFILE
// wins over `ao.keylog_file`, file created 0600, appended, never truncated).
// A Secret is turned into text here and nowhere else: it is hex-formatted
// into a KeyLogLine, which is itself not printable and wipes its buffer.
#pragma once

#include "aotls/keylog/line.hpp"
#include "aotls/keylog/writer.hpp"
