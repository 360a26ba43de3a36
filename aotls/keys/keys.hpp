// aotls/keys/keys.hpp - module header of aotls_keys.
//
// Owns: the MKT type as this library installs it (mkt.hpp), the KeyIDs and
// key layout the AO-TLS profile fixes (key_layout.hpp), and the pure
// key-installation state machine of one connection (key_installer.hpp,
// key_events.hpp): default MKT, generation 1 in the profile's install
// order, retirement of the default MKT by the hold-down rule, installation
// of generation 2. The key table and retirement rule (key_table.hpp) are
// shared with aotls/rekey, which takes over from generation 2.
// Must not depend on: sockets, Asio, clocks (time is passed in), logging,
// the kernel uAPI, OpenSSL's TLS side, bgpd, or aotls modules other than
// aotls/crypto. Backends (aotls/backend) carry its actions out.
// Implements: RFC 5925 sections 3.1 (MKT), 6.1 and 7.5.2 (Current_key,
// RNext_key and the receiver's switch on RNextKeyID); the AO-TLS profile,
// sections 3 (default MKT, KeyIDs, key layout, install order) and 4
// (hold-down retirement, generation g+1 installed ahead).
#pragma once

#include "aotls/keys/key_events.hpp"
#include "aotls/keys/key_installer.hpp"
#include "aotls/keys/key_layout.hpp"
#include "aotls/keys/key_table.hpp"
#include "aotls/keys/mkt.hpp"
