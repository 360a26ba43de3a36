// aotls/segment/segment.hpp - module header of aotls_segment.
//
// Owns: the TCP-AO option codec (kind 29), raw IPv4/IPv6 packet views, KDF
// contexts and per-connection traffic keys, the exact MAC input, signing and
// verifying whole IP packets, and SNE tracking.
// Must not depend on: sockets, Asio, clocks, logging, the kernel, bgpd, or
// aotls modules other than aotls/crypto. Bytes in, values out: a later
// NFQUEUE backend feeds it packets.
// Implements: RFC 5925 sections 2.2 (option), 5.1 (MAC input), 5.2 (traffic
// key contexts), 6.2 (SNE), 7.5.2 (KeyID lookup on receive); reproduces all
// RFC 9235 vectors (tests/vectors).
#pragma once

#include "aotls/segment/ip_address.hpp"
#include "aotls/segment/mac_input.hpp"
#include "aotls/segment/packet.hpp"
#include "aotls/segment/segment_error.hpp"
#include "aotls/segment/segment_mac.hpp"
#include "aotls/segment/sne.hpp"
#include "aotls/segment/tcp_options.hpp"
#include "aotls/segment/traffic_keys.hpp"
