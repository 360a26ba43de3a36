// Global section, document-level rules, error reporting mechanics.
#include "test_util.hpp"

namespace bgpd::config::test {
namespace {

TEST(ConfigDocument, MinimalDocumentGetsDefaults) {
  auto result = parse(base_document());
  ASSERT_TRUE(accepted(result));
  const GlobalConfig& g = result->global;
  EXPECT_EQ(g.asn, 65001u);
  EXPECT_EQ(g.router_id.to_string(), "192.0.2.1");
  EXPECT_EQ(g.listen.port, 179);
  ASSERT_EQ(g.listen.addresses.size(), 2u);
  EXPECT_EQ(g.hold_time, Seconds{90});
  EXPECT_EQ(g.keepalive, Seconds{30});
  EXPECT_EQ(g.connect_retry, std::chrono::seconds{120});
  EXPECT_EQ(g.log.level, LogLevel::Info);
  EXPECT_EQ(g.log.format, LogFormat::Text);
  EXPECT_EQ(g.control_socket, "/run/bgpd/bgpd.sock");
  EXPECT_EQ(g.ao.backend, AoBackend::Auto);
  EXPECT_EQ(g.ao.tls_extension_type, 65280);
  EXPECT_EQ(g.ao.nfqueue_base, 4200);
  EXPECT_FALSE(g.ao.keylog_file.has_value());
  EXPECT_FALSE(g.always_compare_med);
  EXPECT_EQ(g.default_local_pref, 100u);
}

TEST(ConfigDocument, InvalidJsonIsOneErrorAtTheRoot) {
  auto result = parse_config("{\"global\": {\"asn\": 1,}");
  ASSERT_FALSE(result);
  ASSERT_EQ(result.error().size(), 1u);
  EXPECT_EQ(result.error()[0].pointer, "");
  EXPECT_NE(result.error()[0].message.find("invalid JSON (byte"), std::string::npos);
  EXPECT_EQ(result.error()[0].to_string().rfind("(document): invalid JSON", 0), 0u);
}

TEST(ConfigDocument, RootMustBeAnObject) {
  EXPECT_TRUE(only_error(parse_config("[1, 2]"), "", "expected an object, got an array"));
}

TEST(ConfigDocument, GlobalIsRequired) {
  EXPECT_TRUE(only_error(parse_config("{}"), "/global", "required key is missing"));
}

TEST(ConfigDocument, DuplicateKeyIsReportedWithItsPointer) {
  auto result = parse_config(R"({"global": {"asn": 65001, "router_id": "192.0.2.1",
      "log": {"level": "info", "level": "debug"}}})");
  EXPECT_TRUE(only_error(result, "/global/log/level", "duplicate key"));
  auto in_array = parse_config(R"({"global": {"asn": 65001, "router_id": "192.0.2.1"},
      "neighbors": [{"address": "192.0.2.2", "asn": 2}, {"address": "192.0.2.3", "asn": 2,
      "asn": 3}]})");
  EXPECT_TRUE(only_error(in_array, "/neighbors/1/asn", "duplicate key"));
}

TEST(ConfigDocument, UnknownKeySuggestsTheClosestKnownKey) {
  Json doc = base_document();
  doc["/neighbors/0/adress"_json_pointer] = "192.0.2.9";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/adress",
                         "unknown key 'adress' (did you mean 'address'?)"));
}

TEST(ConfigDocument, UnknownKeyFarFromAnyKnownKeyHasNoSuggestion) {
  Json doc = base_document();
  doc["/global/colour"_json_pointer] = "blue";
  auto result = parse(doc);
  ASSERT_TRUE(only_error(result, "/global/colour", "unknown key 'colour'"));
  EXPECT_EQ(result.error()[0].message.find("did you mean"), std::string::npos);
}

TEST(ConfigDocument, PointerEscapesSlashAndTilde) {
  Json doc = base_document();
  doc["global"]["a/b~c"] = 1;
  EXPECT_TRUE(only_error(parse(doc), "/global/a~1b~0c", "unknown key"));
}

TEST(ConfigDocument, AllErrorsAreReportedTogether) {
  Json doc = base_document();
  doc["/global/asn"_json_pointer] = 0;
  doc["/global/router_id"_json_pointer] = "0.0.0.0";
  doc["/global/log/level"_json_pointer] = "loud";
  doc["/neighbors/0/port"_json_pointer] = 70000;
  doc["/neighbors/0/passive"_json_pointer] = "yes";
  auto result = parse(doc);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().size(), 5u) << dump_errors(result.error());
  EXPECT_TRUE(has_error(result, "/global/asn", "out of range"));
  EXPECT_TRUE(has_error(result, "/global/router_id", "non-zero IPv4"));
  EXPECT_TRUE(has_error(result, "/global/log/level", "'loud' is not one of 'debug', 'info', 'warning' or 'error'"));
  EXPECT_TRUE(has_error(result, "/neighbors/0/port", "70000 is out of range"));
  EXPECT_TRUE(has_error(result, "/neighbors/0/passive", "expected true or false, got a string"));
}

TEST(GlobalAsn, RulesOfRfc6793) {
  Json doc = base_document();
  doc["/global/asn"_json_pointer] = 23456;
  EXPECT_TRUE(only_error(parse(doc), "/global/asn", "AS_TRANS"));
  doc["/global/asn"_json_pointer] = 4294967295u;
  EXPECT_TRUE(accepted(parse(doc)));
  doc["/global/asn"_json_pointer] = 4294967296u;
  EXPECT_TRUE(only_error(parse(doc), "/global/asn", "out of range"));
  doc["/global/asn"_json_pointer] = -1;
  EXPECT_TRUE(only_error(parse(doc), "/global/asn", "must be between 1 and 4294967295"));
  doc["/global/asn"_json_pointer] = 65001.5;
  EXPECT_TRUE(only_error(parse(doc), "/global/asn", "expected an integer"));
  doc["global"].erase("asn");
  EXPECT_TRUE(only_error(parse(doc), "/global/asn", "required key is missing"));
}

TEST(GlobalRouterId, MustBeNonZeroIpv4) {
  Json doc = base_document();
  doc["/global/router_id"_json_pointer] = "2001:db8::1";
  EXPECT_TRUE(only_error(parse(doc), "/global/router_id", "IPv4"));
  doc["/global/router_id"_json_pointer] = "192.0.2";
  EXPECT_TRUE(only_error(parse(doc), "/global/router_id", "not an IPv4 or IPv6 address"));
}

TEST(GlobalTimers, HoldTimeZeroOrAtLeastThreeSeconds) {
  Json doc = base_document();
  doc["/global/hold_time"_json_pointer] = 2;
  EXPECT_TRUE(only_error(parse(doc), "/global/hold_time", "RFC 4271 section 4.2"));
  doc["/global/hold_time"_json_pointer] = "1500ms";
  EXPECT_TRUE(only_error(parse(doc), "/global/hold_time", "whole seconds"));
  doc["/global/hold_time"_json_pointer] = 65536;
  EXPECT_TRUE(only_error(parse(doc), "/global/hold_time", "between 0s and 65535s"));
  doc["/global/hold_time"_json_pointer] = 0;
  auto zero = parse(doc);
  ASSERT_TRUE(accepted(zero));
  EXPECT_EQ(zero->global.keepalive, Seconds{0});
}

TEST(GlobalTimers, KeepaliveDefaultsToAThirdAndStaysBelowHold) {
  Json doc = base_document();
  doc["/global/hold_time"_json_pointer] = "9s";
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->global.keepalive, Seconds{3});
  doc["/global/keepalive"_json_pointer] = "9s";
  EXPECT_TRUE(only_error(parse(doc), "/global/keepalive", "less than hold_time 9s"));
  doc["/global/keepalive"_json_pointer] = 0;
  EXPECT_TRUE(only_error(parse(doc), "/global/keepalive", "at least 1s"));
  doc["/global/hold_time"_json_pointer] = 0;
  doc["/global/keepalive"_json_pointer] = 5;
  EXPECT_TRUE(only_error(parse(doc), "/global/keepalive", "must be 0 when hold_time is 0"));
}

TEST(GlobalTimers, ConnectRetryRange) {
  Json doc = base_document();
  doc["/global/connect_retry"_json_pointer] = "500ms";
  EXPECT_TRUE(only_error(parse(doc), "/global/connect_retry", "between 1s and 1h"));
  doc["/global/connect_retry"_json_pointer] = "ten seconds";
  EXPECT_TRUE(only_error(parse(doc), "/global/connect_retry", "not a duration"));
  doc["/global/connect_retry"_json_pointer] = "30s";
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->global.connect_retry, std::chrono::seconds{30});
}

TEST(GlobalListen, AddressesAndPort) {
  Json doc = base_document();
  doc["/global/listen"_json_pointer] = Json::parse(
      R"({"addresses": ["192.0.2.1", "2001:db8::1", "192.0.2.1"], "port": 0})");
  auto result = parse(doc);
  EXPECT_TRUE(has_error(result, "/global/listen/addresses/2", "duplicate of /global/listen/addresses/0"));
  EXPECT_TRUE(has_error(result, "/global/listen/port", "out of range"));
  EXPECT_EQ(result.error().size(), 2u);
  doc["/global/listen"_json_pointer] = Json::parse(R"({"addresses": [], "port": 1179})");
  auto empty = parse(doc);
  ASSERT_TRUE(accepted(empty));
  EXPECT_TRUE(empty->global.listen.addresses.empty());
  EXPECT_EQ(empty->global.listen.port, 1179);
}

TEST(GlobalAo, BackendAndNfqueue) {
  Json doc = base_document();
  doc["/global/ao/backend"_json_pointer] = "bpf";
  EXPECT_TRUE(only_error(parse(doc), "/global/ao/backend", "'auto', 'kernel' or 'userspace'"));
  doc["/global/ao/backend"_json_pointer] = "userspace";
  doc["/global/ao/nfqueue_base"_json_pointer] = 65535;
  EXPECT_TRUE(only_error(parse(doc), "/global/ao/nfqueue_base", "between 0 and 65534"));
  doc["/global/ao/nfqueue_base"_json_pointer] = 100;
  doc["/global/ao/keylog_file"_json_pointer] = "/tmp/keys";
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->global.ao.backend, AoBackend::Userspace);
  EXPECT_EQ(result->global.ao.nfqueue_base, 100);
  EXPECT_EQ(result->global.ao.keylog_file, "/tmp/keys");
}

TEST(GlobalAo, ExtensionTypeRefusesStandardAndOpenSslTypes) {
  Json doc = base_document();
  for (int type : {0, 1, 16, 43, 60, 63, 13172, 65037, 65281, 0x0A0A, 0xFAFA, 65536}) {
    doc["/global/ao/tls_extension_type"_json_pointer] = type;
    EXPECT_TRUE(only_error(parse(doc), "/global/ao/tls_extension_type")) << type;
  }
  doc["/global/ao/tls_extension_type"_json_pointer] = 65281;
  EXPECT_TRUE(has_error(parse(doc), "/global/ao/tls_extension_type", "renegotiation_info"));
  for (int type : {64, 0x0A0B, 0xFF00, 0xFFFF}) {
    doc["/global/ao/tls_extension_type"_json_pointer] = type;
    EXPECT_TRUE(accepted(parse(doc))) << type;
  }
}

TEST(GlobalMisc, TypesAndEnums) {
  Json doc = base_document();
  doc["/global/log/format"_json_pointer] = "json";
  doc["/global/always_compare_med"_json_pointer] = true;
  doc["/global/default_local_pref"_json_pointer] = 200;
  doc["/global/control_socket"_json_pointer] = "/tmp/bgpd.sock";
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->global.log.format, LogFormat::Json);
  EXPECT_TRUE(result->global.always_compare_med);
  EXPECT_EQ(result->global.default_local_pref, 200u);
  EXPECT_EQ(result->global.control_socket, "/tmp/bgpd.sock");
  doc["/global/control_socket"_json_pointer] = "";
  EXPECT_TRUE(only_error(parse(doc), "/global/control_socket", "must not be empty"));
  doc["/global/control_socket"_json_pointer] = nullptr;  // null reads as absent
  ASSERT_TRUE(accepted(parse(doc)));
  doc["/global/ao"_json_pointer] = "auto";
  EXPECT_TRUE(only_error(parse(doc), "/global/ao", "expected an object, got a string"));
}

TEST(CheckConfigText, ReturnsTheSameErrorsAsParse) {
  EXPECT_TRUE(check_config_text(base_document().dump()).empty());
  auto errors = check_config_text(R"({"global": {"asn": 23456}})");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].pointer, "/global/asn");
  EXPECT_EQ(errors[1].pointer, "/global/router_id");
}

}  // namespace
}  // namespace bgpd::config::test

namespace bgpd::config::test {
namespace {

// Every object of the schema reports keys it does not know.
TEST(ConfigDocument, EveryObjectRefusesUnknownKeys) {
  const Json full = Json::parse(R"({
    "global": {"asn": 65001, "router_id": "192.0.2.1", "listen": {}, "log": {}, "ao": {},
               "tls": {"ca_file": "a", "cert_file": "b", "key_file": "c"}},
    "prefix_lists": {"pl": [{"prefix": "10.0.0.0/8"}]},
    "policies": {"p": {"terms": [{"name": "t", "match": {}, "set": {}}]}},
    "neighbors": [{"address": "192.0.2.2", "asn": 65002, "tls": {"mode": "preferred"},
                   "ao": {"mode": "static", "announce": {}, "keychain": [
                     {"id": 1, "send_id": 1, "recv_id": 1, "secret": "k",
                      "send_lifetime": {}, "accept_lifetime": {}}]}}],
    "networks": [{"prefix": "198.51.100.0/24"}]
  })");
  ASSERT_TRUE(accepted(parse(full)));
  for (const char* object :
       {"", "/global", "/global/listen", "/global/log", "/global/ao", "/global/tls",
        "/prefix_lists/pl/0", "/policies/p", "/policies/p/terms/0", "/policies/p/terms/0/match",
        "/policies/p/terms/0/set", "/neighbors/0", "/neighbors/0/tls", "/neighbors/0/ao",
        "/neighbors/0/ao/announce", "/neighbors/0/ao/keychain/0",
        "/neighbors/0/ao/keychain/0/send_lifetime", "/neighbors/0/ao/keychain/0/accept_lifetime",
        "/networks/0"}) {
    Json doc = full;
    doc[Json::json_pointer(std::string(object) + "/bogus_key")] = 1;
    EXPECT_TRUE(only_error(parse(doc), std::string(object) + "/bogus_key", "unknown key 'bogus_key'"))
        << object;
  }
}

}  // namespace
}  // namespace bgpd::config::test
