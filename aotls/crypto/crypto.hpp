// aotls/crypto/crypto.hpp - module header of aotls_crypto.
//
// Owns: the TCP-AO algorithm table, the KDFs and MACs of RFC 5926 over
// OpenSSL 3 EVP_MAC, and the Secret type for key bytes.
// Must not depend on: sockets, Asio, clocks, logging, bgpd, or any other
// aotls module (aotls/segment builds on this one, not the reverse).
// Implements: RFC 5926 section 3.1 (KDF_HMAC_SHA1, KDF_AES_128_CMAC) and
// section 3.2 (HMAC-SHA-1-96, AES-128-CMAC-96); the wire codes of the
// project's AO-TLS profile, section 2.
#pragma once

#include "aotls/crypto/algorithms.hpp"
#include "aotls/crypto/kdf.hpp"
#include "aotls/crypto/mac.hpp"
#include "aotls/crypto/secret.hpp"
