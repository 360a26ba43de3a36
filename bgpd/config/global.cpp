// bgpd/config/global.cpp - the "global" section and the shared timers.
#include <algorithm>
#include <array>
#include <limits>

#include "bgpd/config/parse.hpp"

namespace bgpd::config::detail {
namespace {

// TLS ExtensionTypes that cannot carry the profile's tcp_ao extension
// (profile section 3): the IANA-assigned standard range (0..63 as of 2025,
// with a margin), the ones OpenSSL implements itself and therefore refuses in
// SSL_CTX_add_custom_ext (renegotiation_info 65281, next_protocol_negotiation
// 13172), encrypted_client_hello (65037), and the RFC 8701 GREASE values
// 0x?A?A that peers must ignore.
struct ReservedExtension {
  std::uint16_t lo;
  std::uint16_t hi;
  std::string_view what;
};
constexpr std::array<ReservedExtension, 4> kReservedExtensions{{
    {0, 63, "in the IANA range of standard TLS extensions"},
    {13172, 13172, "next_protocol_negotiation, which OpenSSL implements itself"},
    {65037, 65037, "encrypted_client_hello (draft-ietf-tls-esni)"},
    {65281, 65281, "renegotiation_info, which OpenSSL implements itself"},
}};

std::optional<std::uint16_t> to_extension_type(const Json& v, const std::string& ptr,
                                               Errors& errors) {
  auto type = uint_in<std::uint16_t>(1, 65535)(v, ptr, errors);
  if (!type) return std::nullopt;
  std::string_view why;
  for (const auto& reserved : kReservedExtensions) {
    if (*type >= reserved.lo && *type <= reserved.hi) why = reserved.what;
  }
  if ((*type & 0x0F0F) == 0x0A0A && (*type >> 12) == ((*type >> 4) & 0x0F)) {
    why = "a GREASE value (RFC 8701) that peers ignore";
  }
  if (why.empty()) return type;
  errors.add(ptr, "ExtensionType " + std::to_string(*type) + " is " + std::string(why) +
                      "; use a private-use value such as 65280");
  return std::nullopt;
}

// Hold time: "MUST be either zero or at least three seconds" (RFC 4271
// section 4.2), carried in 2 octets of whole seconds.
std::optional<Seconds> to_hold_time(const Json& v, const std::string& ptr, Errors& errors) {
  auto d = to_duration_in(v, ptr, errors, Duration{0}, std::chrono::seconds{65535});
  if (!d) return std::nullopt;
  if (d->count() % 1000 != 0) {
    errors.add(ptr, "must be whole seconds (the OPEN message carries seconds)");
    return std::nullopt;
  }
  const auto s = std::chrono::duration_cast<Seconds>(*d);
  if (s.count() != 0 && s.count() < 3) {
    errors.add(ptr, "must be 0 or at least 3s (RFC 4271 section 4.2)");
    return std::nullopt;
  }
  return s;
}

std::optional<Seconds> to_keepalive(const Json& v, const std::string& ptr, Errors& errors) {
  auto d = to_duration_in(v, ptr, errors, Duration{0}, std::chrono::seconds{65535});
  if (!d) return std::nullopt;
  if (d->count() % 1000 != 0) {
    errors.add(ptr, "must be whole seconds");
    return std::nullopt;
  }
  return std::chrono::duration_cast<Seconds>(*d);
}

ListenConfig parse_listen(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  ListenConfig listen;
  listen.port = r.get("port", uint_in<std::uint16_t>(1, 65535)).value_or(179);
  if (const Json* v = r.find("addresses")) {
    listen.addresses = unique_list_of(to_address)(*v, r.at("addresses"), errors)
                           .value_or(std::vector<wire::IpAddress>{});
    std::sort(listen.addresses.begin(), listen.addresses.end());
  } else {
    listen.addresses = {*wire::IpAddress::parse("0.0.0.0"), *wire::IpAddress::parse("::")};
  }
  r.finish();
  return listen;
}

std::optional<std::string> to_nonempty_string(const Json& v, const std::string& ptr,
                                              Errors& errors) {
  auto s = to_string(v, ptr, errors);
  if (s && s->empty()) {
    errors.add(ptr, "must not be empty");
    return std::nullopt;
  }
  return s;
}

GlobalAoConfig parse_global_ao(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  GlobalAoConfig ao;
  ao.backend = r.get("backend", one_of(kAoBackends)).value_or(AoBackend::Auto);
  ao.tls_extension_type = r.get("tls_extension_type", to_extension_type).value_or(65280);
  ao.keylog_file = r.get("keylog_file", to_nonempty_string);
  // Two queues per process: base (outgoing) and base + 1 (incoming).
  ao.nfqueue_base = r.get("nfqueue_base", uint_in<std::uint16_t>(0, 65534)).value_or(4200);
  r.finish();
  return ao;
}

GlobalTlsConfig parse_global_tls(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  GlobalTlsConfig tls{r.get("ca_file", to_nonempty_string), r.get("cert_file", to_nonempty_string),
                      r.get("key_file", to_nonempty_string)};
  r.finish();
  return tls;
}

LogConfig parse_log(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  LogConfig log{r.get("level", one_of(kLogLevels)).value_or(LogLevel::Info),
                r.get("format", one_of(kLogFormats)).value_or(LogFormat::Text)};
  r.finish();
  return log;
}

std::optional<wire::IpAddress> to_router_id(const Json& v, const std::string& ptr,
                                            Errors& errors) {
  auto address = to_address(v, ptr, errors);
  if (!address) return std::nullopt;
  // RFC 6286 section 2.1: a non-zero 32-bit value, written as IPv4.
  if (!address->is_v4() || address->v4_host_order() == 0) {
    errors.add(ptr, "must be a non-zero IPv4 address (RFC 6286)");
    return std::nullopt;
  }
  return address;
}

}  // namespace

std::optional<Duration> to_duration_in(const Json& v, const std::string& ptr, Errors& errors,
                                       Duration lo, Duration hi) {
  auto d = to_duration(v, ptr, errors);
  if (!d) return std::nullopt;
  if (*d < lo || *d > hi) {
    errors.add(ptr, "must be between " + format_duration(lo) + " and " + format_duration(hi));
    return std::nullopt;
  }
  return d;
}

void read_timers(ObjectReader& r, Seconds inherited_hold, Seconds inherited_keepalive,
                 Seconds& hold, Seconds& keepalive) {
  Errors& errors = r.errors();
  const std::size_t before = errors.size();
  auto hold_set = r.get("hold_time", to_hold_time);
  auto keepalive_set = r.get("keepalive", to_keepalive);
  hold = hold_set.value_or(inherited_hold);
  if (keepalive_set) {
    keepalive = *keepalive_set;
  } else if (hold_set) {
    keepalive = hold / 3;  // RFC 4271 section 4.4: one third of the hold time
  } else {
    keepalive = inherited_keepalive;
  }
  // A bad value explains itself; an inherited pair was checked where it
  // was written.
  if (errors.size() != before || (!hold_set && !keepalive_set)) return;
  const std::string where = r.at(keepalive_set ? "keepalive" : "hold_time");
  if (hold.count() == 0 && keepalive.count() != 0) {
    // RFC 4271 section 4.4: no KEEPALIVE when the hold time is zero.
    errors.add(where, "keepalive must be 0 when hold_time is 0 (RFC 4271 section 4.4)");
  } else if (hold.count() != 0 && (keepalive.count() == 0 || keepalive >= hold)) {
    errors.add(where, "keepalive must be at least 1s and less than hold_time " +
                          format_duration(hold));
  }
}

GlobalConfig parse_global(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  GlobalConfig g;
  g.asn = r.get_required("asn", to_asn).value_or(0);
  if (auto id = r.get_required("router_id", to_router_id)) g.router_id = *id;
  if (const Json* v = r.find("listen")) {
    g.listen = parse_listen(*v, r.at("listen"), errors);
  } else {
    g.listen = parse_listen(Json::object(), r.at("listen"), errors);
  }
  read_timers(r, Seconds{90}, Seconds{30}, g.hold_time, g.keepalive);
  g.connect_retry =
      r.get("connect_retry", duration_in(std::chrono::seconds{1}, std::chrono::hours{1}))
          .value_or(std::chrono::seconds{120});
  if (const Json* v = r.find("log")) g.log = parse_log(*v, r.at("log"), errors);
  g.control_socket = r.get("control_socket", to_nonempty_string).value_or(g.control_socket);
  if (const Json* v = r.find("ao")) g.ao = parse_global_ao(*v, r.at("ao"), errors);
  if (const Json* v = r.find("tls")) g.tls = parse_global_tls(*v, r.at("tls"), errors);
  g.always_compare_med = r.get("always_compare_med", to_bool).value_or(false);
  g.default_local_pref =
      r.get("default_local_pref",
            uint_in<std::uint32_t>(0, std::numeric_limits<std::uint32_t>::max()))
          .value_or(100);
  r.finish();
  return g;
}

}  // namespace bgpd::config::detail
