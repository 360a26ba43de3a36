// aotls/rekey/rekey.hpp - module header of aotls_rekey.
//
// Owns: the pure rekey state machine of one connection (rekey_machine.hpp)
// and its events and actions (rekey_events.hpp): generation g+1 kept
// installed while g is current, rollovers started by timer, volume or
// operator, or answered when the peer started one; retirement of g by the
// hold-down rule; generation g+2 derived and installed; a status for the CLI;
// and static key chains rolling over by their lifetimes (static_chain.hpp).
// Must not depend on: sockets, Asio, clocks (time is passed in), logging,
// the kernel uAPI, OpenSSL's TLS side, bgpd, or aotls modules other than
// aotls/keys (and aotls/crypto through it). aotls/keying drives it.
// Implements: RFC 5925 sections 6.1 and 7.5.2 (RNextKeyID as the rollover
// signal), the AO-TLS profile section 4 (rekeying long-lived sessions).
#pragma once

#include "aotls/rekey/rekey_events.hpp"
#include "aotls/rekey/rekey_machine.hpp"
#include "aotls/rekey/static_chain.hpp"
