// tests/tools/injector/args.hpp - the command lines of bgp_stream and
// bgp_inject, parsed into values (here rather than in the mains so that the
// unit test can check them). Both share the table and encoding options.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aotls/backend/backend.hpp"
#include "aotls/tls/tcp_ao_wiring.hpp"
#include "common/expected.hpp"
#include "tests/tools/injector/stream.hpp"

namespace injector {

struct StreamArgs {
  StreamOptions stream;
  std::string out;   // write the stream here
  std::string scan;  // or: check and summarise this existing stream
  bool help = false;
};

struct InjectArgs {
  // The session.
  std::string peer;
  std::uint16_t port = 179;
  std::optional<std::string> local_address;
  std::uint32_t asn = 0;
  std::uint32_t router_id = 0;  // default: the local address when IPv4
  std::optional<std::uint32_t> peer_as;
  std::uint16_t hold_time = 90;
  std::chrono::seconds connect_timeout{10};  // bounds the connect and the TLS handshake each
  // BGP over TLS (draft-wirtgen-bgp-tls) when tls_ca is set: all three
  // files are given together. The peer certificate must name tls_peer_name
  // (an IP literal: an IP SAN; else a DNS SAN), by default the peer address.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_peer_name;
  // TCP-AO keyed from that TLS handshake (draft-piraux-tcp-ao-tls, profile
  // section 1 "opportunistic" or "required"; only with TLS). The rest are
  // the process's AoService options (bgpd/session/ao_service.hpp).
  std::optional<aotls::tls::AoRequirement> ao;
  aotls::backend::BackendChoice ao_backend = aotls::backend::BackendChoice::Auto;
  std::uint16_t ao_nfqueue_base = 4400;  // userspace: queues base and base + 1
  std::optional<std::string> ao_keylog;
  // What to push: a stream file, else the table generated in memory.
  std::string stream_file;
  StreamOptions stream;
  std::chrono::seconds push_timeout{600};
  // Convergence: poll `show neighbors` on the daemon's control socket until
  // the neighbor (default: our local address) has received `expect`.
  std::string control_socket;
  std::optional<std::uint64_t> expect;
  std::string neighbor;
  std::chrono::seconds converge_timeout{300};
  std::chrono::seconds hold_open{0};
  std::string log_level = "warning";
  bool help = false;
};

common::Expected<StreamArgs, std::string> parse_stream_args(std::span<const std::string_view> args);
common::Expected<InjectArgs, std::string> parse_inject_args(std::span<const std::string_view> args);

std::string_view stream_usage();
std::string_view inject_usage();

}  // namespace injector
