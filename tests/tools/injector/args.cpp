// tests/tools/injector/args.cpp - see args.hpp.
#include "tests/tools/injector/args.hpp"

#include <charconv>
#include <limits>

namespace injector {
namespace {

namespace wire = bgpd::wire;
using Error = common::Unexpected<std::string>;

constexpr std::string_view kTableUsage = R"(table (tests/tools/tablegen) and encoding:
  --v4 N                 IPv4 prefixes (default 0)
  --v6 N                 IPv6 prefixes (default 0)
  --seed S               generator seed (default 1)
  --peer-asn N           first AS of every path: the sending speaker's AS
  --next-hop-v4 ADDR     NEXT_HOP of IPv4 routes (default 192.0.2.1)
  --next-hop-v6 ADDR     MP_REACH_NLRI next hop of IPv6 routes (default 2001:db8::1)
  --extended-message     encode for RFC 8654 sessions (messages up to 65535 octets)
  --two-octet-as         encode AS_PATH with 2-octet ASNs (a session without RFC 6793)
)";

// Walks the arguments; value() takes the one after the current flag.
class Cursor {
 public:
  explicit Cursor(std::span<const std::string_view> args) : args_(args) {}
  bool done() const { return next_ >= args_.size(); }
  std::string_view flag() { return args_[next_++]; }
  common::Expected<std::string_view, std::string> value(std::string_view flag) {
    if (done()) return Error(std::string(flag) + " needs a value");
    return args_[next_++];
  }

 private:
  std::span<const std::string_view> args_;
  std::size_t next_ = 0;
};

template <class T>
common::Expected<T, std::string> number(Cursor& cursor, std::string_view flag,
                                        T max = std::numeric_limits<T>::max()) {
  auto text = cursor.value(flag);
  if (!text) return Error(text.error());
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty() || value > max) {
    return Error(std::string(flag) + ": '" + std::string(*text) + "' is not a number up to " +
                 std::to_string(max));
  }
  return static_cast<T>(value);
}

common::Expected<wire::IpAddress, std::string> address(Cursor& cursor, std::string_view flag,
                                                       std::optional<wire::Afi> family) {
  auto text = cursor.value(flag);
  if (!text) return Error(text.error());
  auto parsed = wire::IpAddress::parse(*text);
  if (!parsed || (family && parsed->family != *family)) {
    return Error(std::string(flag) + ": '" + std::string(*text) + "' is not an " +
                 (family == wire::Afi::Ipv6 ? "IPv6"
                  : family                  ? "IPv4"
                                            : "IP") +
                 " address");
  }
  return *parsed;
}

// Stores `parsed` into `into`, or returns its error.
template <class T, class U>
std::optional<std::string> store(common::Expected<T, std::string> parsed, U& into) {
  if (!parsed) return parsed.error();
  into = std::move(*parsed);
  return std::nullopt;
}

// The table and encoding options both tools share. nullopt: not one of
// them; else the error text (empty when fine).
std::optional<std::string> table_option(std::string_view flag, Cursor& cursor, StreamOptions& out) {
  auto& t = out.table;
  std::optional<std::string> error;
  if (flag == "--v4") {
    error = store(number<std::uint64_t>(cursor, flag), t.ipv4);
  } else if (flag == "--v6") {
    error = store(number<std::uint64_t>(cursor, flag), t.ipv6);
  } else if (flag == "--seed") {
    error = store(number<std::uint64_t>(cursor, flag), t.seed);
  } else if (flag == "--peer-asn") {
    error = store(number<std::uint32_t>(cursor, flag), t.peer_asn);
  } else if (flag == "--next-hop-v4") {
    error = store(address(cursor, flag, wire::Afi::Ipv4), t.next_hop_v4);
  } else if (flag == "--next-hop-v6") {
    error = store(address(cursor, flag, wire::Afi::Ipv6), t.next_hop_v6);
  } else if (flag == "--extended-message") {
    out.session.extended_message = true;
  } else if (flag == "--two-octet-as") {
    out.session.four_octet_as = false;
  } else {
    return std::nullopt;
  }
  return error.value_or(std::string());
}

common::Expected<aotls::tls::AoRequirement, std::string> ao_requirement(Cursor& cursor,
                                                                      std::string_view flag) {
  auto text = cursor.value(flag);
  if (!text) return Error(text.error());
  if (*text == "opportunistic") return aotls::tls::AoRequirement::Opportunistic;
  if (*text == "required") return aotls::tls::AoRequirement::Required;
  return Error(std::string(flag) + ": '" + std::string(*text) +
               "' is not opportunistic or required");
}

common::Expected<aotls::backend::BackendChoice, std::string> ao_backend(Cursor& cursor,
                                                                       std::string_view flag) {
  auto text = cursor.value(flag);
  if (!text) return Error(text.error());
  if (auto choice = aotls::backend::backend_choice_from_string(*text)) return *choice;
  return Error(std::string(flag) + ": '" + std::string(*text) +
               "' is not auto, kernel or userspace");
}

std::string unknown(std::string_view flag) {
  return "unknown argument '" + std::string(flag) + "'";
}

}  // namespace

std::string_view stream_usage() {
  static const std::string text = std::string(R"(usage: bgp_stream --out FILE [table options]
       bgp_stream --scan FILE [--extended-message] [--two-octet-as]

Writes a tablegen table as the UPDATE messages a speaker sends for it
(packed by wire::UpdatePacker), then End-of-RIB per family: raw BGP
messages back to back. --scan checks a stream (every message a well-formed
UPDATE) and summarises it. Both print one JSON line: messages, bytes,
prefixes, updates, ipv4, ipv6, largest_message.

)") + std::string(kTableUsage);
  return text;
}

std::string_view inject_usage() {
  static const std::string text = std::string(R"(usage: bgp_inject --peer ADDR --asn N [options]

Connects to a BGP speaker, reaches Established, pushes a table as fast as
the connection takes it, sends End-of-RIB, optionally waits until the peer
(a bgpd, via its control socket) has received it, and ends with a Cease.
Prints one JSON line: established_ms, push_ms, converge_ms, messages,
bytes, prefixes, transport, tls (version, cipher, handshake_us, ...), ao (with
--ao: backend, state, generation, keys with good and bad_mac, key_not_found,
ao_required_missing, mac_failures, drops), ...
Exit status: 0 done, 1 session or convergence failed, 2 usage.

session:
  --peer ADDR            the speaker to connect to (required)
  --port N               its TCP port (default 179)
  --local-address ADDR   source address to bind
  --asn N                our AS (required)
  --router-id A.B.C.D    our BGP Identifier (default: --local-address if IPv4)
  --peer-as N            refuse a peer OPEN from another AS
  --hold SECONDS         Hold Time we offer (default 90)
  --connect-timeout S    bound on the TCP connect, and on the TLS handshake (default 10)
TLS (BGP over TLS 1.3, ALPN botls, mutual authentication; all three files or none):
  --tls-ca FILE          PEM CA the peer certificate must chain to
  --tls-cert FILE        our PEM certificate chain, leaf first
  --tls-key FILE         our PEM private key (only its owner may read it)
  --tls-peer-name NAME   IP address (IP SAN) or DNS name (DNS SAN) the peer
                         certificate must carry (default: the --peer address)
TCP-AO keyed from the TLS handshake (draft-piraux-tcp-ao-tls; needs the TLS files;
needs CAP_NET_ADMIN; the report gains "ao": MAC counters per key and drops):
  --ao MODE              opportunistic (a peer without the tcp_ao extension keeps
                         the default MKT) or required (the handshake fails)
  --ao-backend B         auto (default: kernel when it supports TCP-AO), kernel,
                         userspace (NFQUEUE)
  --ao-nfqueue-base N    userspace: queues N and N + 1 (default 4400)
  --ao-keylog FILE       key log of the derived secrets (AOTLS_KEYLOGFILE wins)
source (one of):
  --stream FILE          a bgp_stream file (give the same encoding options)
  table options          generate the table in memory before connecting;
                         --peer-asn defaults to --asn, --next-hop-v4/-v6 to
                         --local-address of that family
  --push-timeout S       bound on the push (default 600)
convergence and end:
  --control-socket PATH  the peer bgpd's control socket
  --expect N             wait until `show neighbors` reports prefixes.received
                         >= N for --neighbor (default: our local address)
  --neighbor ADDR        the neighbor address the peer knows us by
  --converge-timeout S   (default 300)
  --hold-open S          keep the session up S seconds after all that (SIGINT or
                         SIGTERM end it early, still a success)
  --log-level LEVEL      debug, info, warning (default), error; to stderr

)") + std::string(kTableUsage);
  return text;
}

common::Expected<StreamArgs, std::string> parse_stream_args(
    std::span<const std::string_view> args) {
  StreamArgs out;
  Cursor cursor(args);
  while (!cursor.done()) {
    const auto flag = cursor.flag();
    if (auto table = table_option(flag, cursor, out.stream)) {
      if (!table->empty()) return Error(*table);
      continue;
    }
    std::optional<std::string> error;
    if (flag == "-h" || flag == "--help") {
      out.help = true;
    } else if (flag == "--out") {
      error = store(cursor.value(flag), out.out);
    } else if (flag == "--scan") {
      error = store(cursor.value(flag), out.scan);
    } else {
      error = unknown(flag);
    }
    if (error) return Error(*error);
  }
  if (!out.help && out.out.empty() == out.scan.empty()) {
    return Error(std::string("give exactly one of --out FILE and --scan FILE"));
  }
  return out;
}

common::Expected<InjectArgs, std::string> parse_inject_args(
    std::span<const std::string_view> args) {
  InjectArgs out;
  bool peer_asn_given = false;
  bool next_hop_v4_given = false;
  bool next_hop_v6_given = false;
  bool table_given = false;
  bool ao_option_given = false;
  std::optional<std::uint32_t> router_id;
  Cursor cursor(args);
  while (!cursor.done()) {
    const auto flag = cursor.flag();
    if (auto table = table_option(flag, cursor, out.stream)) {
      if (!table->empty()) return Error(*table);
      peer_asn_given |= flag == "--peer-asn";
      next_hop_v4_given |= flag == "--next-hop-v4";
      next_hop_v6_given |= flag == "--next-hop-v6";
      table_given |= flag == "--v4" || flag == "--v6" || flag == "--seed";
      continue;
    }
    std::optional<std::string> error;
    auto seconds = [&](std::chrono::seconds& into) {
      auto n = number<std::uint32_t>(cursor, flag);
      if (!n) return std::optional<std::string>(n.error());
      into = std::chrono::seconds(*n);
      return std::optional<std::string>();
    };
    // Addresses are kept in their canonical spelling, the one bgpd shows.
    auto address_text = [&](std::string& into) {
      auto parsed = address(cursor, flag, std::nullopt);
      if (!parsed) return std::optional<std::string>(parsed.error());
      into = parsed->to_string();
      return std::optional<std::string>();
    };
    if (flag == "-h" || flag == "--help") {
      out.help = true;
    } else if (flag == "--peer") {
      error = address_text(out.peer);
    } else if (flag == "--port") {
      error = store(number<std::uint16_t>(cursor, flag), out.port);
    } else if (flag == "--local-address") {
      error = address_text(out.local_address.emplace());
    } else if (flag == "--asn") {
      error = store(number<std::uint32_t>(cursor, flag), out.asn);
    } else if (flag == "--router-id") {
      std::optional<wire::IpAddress> id;
      error = store(address(cursor, flag, wire::Afi::Ipv4), id);
      if (id) router_id = id->v4_host_order();
    } else if (flag == "--peer-as") {
      error = store(number<std::uint32_t>(cursor, flag), out.peer_as);
    } else if (flag == "--hold") {
      error = store(number<std::uint16_t>(cursor, flag), out.hold_time);
    } else if (flag == "--connect-timeout") {
      error = seconds(out.connect_timeout);
    } else if (flag == "--tls-ca") {
      error = store(cursor.value(flag), out.tls_ca);
    } else if (flag == "--tls-cert") {
      error = store(cursor.value(flag), out.tls_cert);
    } else if (flag == "--tls-key") {
      error = store(cursor.value(flag), out.tls_key);
    } else if (flag == "--tls-peer-name") {
      error = store(cursor.value(flag), out.tls_peer_name);
    } else if (flag == "--ao") {
      error = store(ao_requirement(cursor, flag), out.ao);
    } else if (flag == "--ao-backend") {
      error = store(ao_backend(cursor, flag), out.ao_backend);
      ao_option_given = true;
    } else if (flag == "--ao-nfqueue-base") {
      // The second queue is base + 1.
      error = store(number<std::uint16_t>(cursor, flag, 65534), out.ao_nfqueue_base);
      ao_option_given = true;
    } else if (flag == "--ao-keylog") {
      error = store(cursor.value(flag), out.ao_keylog.emplace());
      ao_option_given = true;
    } else if (flag == "--stream") {
      error = store(cursor.value(flag), out.stream_file);
    } else if (flag == "--push-timeout") {
      error = seconds(out.push_timeout);
    } else if (flag == "--control-socket") {
      error = store(cursor.value(flag), out.control_socket);
    } else if (flag == "--expect") {
      error = store(number<std::uint64_t>(cursor, flag), out.expect);
    } else if (flag == "--neighbor") {
      error = address_text(out.neighbor);
    } else if (flag == "--converge-timeout") {
      error = seconds(out.converge_timeout);
    } else if (flag == "--hold-open") {
      error = seconds(out.hold_open);
    } else if (flag == "--log-level") {
      error = store(cursor.value(flag), out.log_level);
    } else {
      error = unknown(flag);
    }
    if (error) return Error(*error);
  }
  if (out.help) return out;
  if (out.peer.empty()) return Error(std::string("--peer is required"));
  if (out.asn == 0) return Error(std::string("--asn is required (1..4294967295)"));
  // RFC 4271 section 4.2: the Hold Time is zero or at least three seconds.
  if (out.hold_time == 1 || out.hold_time == 2) {
    return Error(std::string("--hold must be 0 or at least 3 seconds"));
  }
  if (!out.stream_file.empty() && table_given) {
    return Error(std::string("--stream and --v4/--v6/--seed exclude each other"));
  }
  if (out.expect.has_value() == out.control_socket.empty()) {
    return Error(std::string("--expect and --control-socket go together"));
  }
  const bool tls = !out.tls_ca.empty();
  if (tls != !out.tls_cert.empty() || tls != !out.tls_key.empty()) {
    return Error(std::string("--tls-ca, --tls-cert and --tls-key go together"));
  }
  if (!tls && !out.tls_peer_name.empty()) {
    return Error(std::string("--tls-peer-name needs --tls-ca, --tls-cert and --tls-key"));
  }
  if (tls && out.tls_peer_name.empty()) out.tls_peer_name = out.peer;
  // Profile section 1: TCP-AO's keys come from the TLS handshake.
  if (out.ao && !tls) return Error(std::string("--ao needs --tls-ca, --tls-cert and --tls-key"));
  if (!out.ao && ao_option_given) {
    return Error(std::string("--ao-backend, --ao-nfqueue-base and --ao-keylog need --ao"));
  }
  const auto local = out.local_address ? wire::IpAddress::parse(*out.local_address) : std::nullopt;
  if (!router_id && local && local->is_v4()) router_id = local->v4_host_order();
  if (!router_id || *router_id == 0) {
    return Error(std::string("--router-id is required (non-zero) without an IPv4 --local-address"));
  }
  out.router_id = *router_id;
  if (!peer_asn_given) out.stream.table.peer_asn = out.asn;
  if (local && local->is_v4() && !next_hop_v4_given) out.stream.table.next_hop_v4 = *local;
  if (local && !local->is_v4() && !next_hop_v6_given) out.stream.table.next_hop_v6 = *local;
  if (out.neighbor.empty() && local) out.neighbor = local->to_string();
  return out;
}

}  // namespace injector
