// tls / ao / md5 / fallback: the AO-TLS profile section 1 mode table, key
// chains (RFC 5925 section 3.1, RFC 8177) and the global TLS files.
#include <set>
#include <tuple>

#include "bgpd/config/values.hpp"
#include "test_util.hpp"

namespace bgpd::config::test {
namespace {

Json tls_document() {
  Json doc = base_document();
  doc["/global/tls"_json_pointer] =
      Json::parse(R"({"ca_file": "ca.pem", "cert_file": "r1.pem", "key_file": "r1.key"})");
  return doc;
}

Json one_key(int id) {
  return Json{{"id", id}, {"send_id", id}, {"recv_id", id}, {"secret", "key-" + std::to_string(id)}};
}

// The profile's table restated: which fallbacks each (tls, ao) allows; an
// absent pair is a config error whatever the fallback.
const std::map<std::pair<std::string, std::string>, std::set<std::string>>& profile_table() {
  static const std::map<std::pair<std::string, std::string>, std::set<std::string>> table{
      {{"required", "opportunistic"}, {"none"}},
      {{"required", "required"}, {"none"}},
      {{"required", "static"}, {"none"}},
      {{"required", "off"}, {"none"}},
      {{"preferred", "opportunistic"}, {"none", "static", "md5"}},
      {{"preferred", "required"}, {"static"}},
      {{"preferred", "static"}, {"static"}},
      {{"preferred", "off"}, {"none"}},
      {{"off", "static"}, {"none"}},
      {{"off", "off"}, {"none"}},
  };
  return table;
}

using Combination = std::tuple<std::string, std::string, std::string>;
class ModeTable : public ::testing::TestWithParam<Combination> {};

TEST_P(ModeTable, MatchesTheProfile) {
  const auto& [tls, ao, fallback] = GetParam();
  Json doc = tls_document();
  doc["/neighbors/0/tls/mode"_json_pointer] = tls;
  doc["/neighbors/0/ao/mode"_json_pointer] = ao;
  doc["/neighbors/0/fallback"_json_pointer] = fallback;
  // Give each combination what it needs so that only the table decides.
  if (ao == "static" || fallback == "static") {
    doc["/neighbors/0/ao/keychain"_json_pointer] = Json::array({one_key(1)});
  }
  if (fallback == "md5") doc["/neighbors/0/md5"_json_pointer] = "pw";

  auto result = parse(doc);
  auto row = profile_table().find({tls, ao});
  if (row == profile_table().end()) {
    EXPECT_TRUE(has_error(result, "/neighbors/0/ao/mode", "needs tls mode"));
  } else if (row->second.count(fallback) == 0) {
    EXPECT_TRUE(only_error(result, "/neighbors/0/fallback", "is not allowed with tls mode"));
  } else {
    ASSERT_TRUE(accepted(result));
    EXPECT_EQ(std::string(enum_name(kFallbacks, result->neighbors[0].fallback)), fallback);
  }
}

std::string combination_name(const ::testing::TestParamInfo<Combination>& info) {
  return std::get<0>(info.param) + "_" + std::get<1>(info.param) + "_" + std::get<2>(info.param);
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, ModeTable,
    ::testing::Combine(::testing::Values("required", "preferred", "off"),
                       ::testing::Values("opportunistic", "required", "static", "off"),
                       ::testing::Values("none", "static", "md5")),
    combination_name);

TEST(Transport, DefaultFallbackFollowsTheTable) {
  Json doc = tls_document();
  doc["/neighbors/0/tls/mode"_json_pointer] = "preferred";
  doc["/neighbors/0/ao/mode"_json_pointer] = "static";
  doc["/neighbors/0/ao/keychain"_json_pointer] = Json::array({one_key(1)});
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->neighbors[0].fallback, Fallback::Static);
  doc["/neighbors/0/ao/mode"_json_pointer] = "opportunistic";
  doc["neighbors"][0]["ao"].erase("keychain");
  result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->neighbors[0].fallback, Fallback::None);
  // 'preferred' + 'required' defaults to 'static', which needs keys.
  doc["/neighbors/0/ao/mode"_json_pointer] = "required";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/ao/keychain", "fallback 'static' needs a key chain"));
}

TEST(Transport, TlsOffWithDerivedAoIsAnError) {
  Json doc = base_document();
  doc["/neighbors/0/ao/mode"_json_pointer] = "opportunistic";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/ao/mode",
                         "ao mode 'opportunistic' needs tls mode 'required' or 'preferred'"));
  doc["/neighbors/0/ao/mode"_json_pointer] = "required";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/ao/mode", "ao mode 'required' needs tls mode"));
}

TEST(Transport, Md5WithAoIsAnError) {
  Json doc = base_document();
  doc["/neighbors/2"_json_pointer] = Json::parse(R"({"address": "192.0.2.4", "asn": 65004})");
  doc["/neighbors/1"_json_pointer] = Json::parse(R"({"address": "192.0.2.3", "asn": 65003})");
  doc["/neighbors/2/md5"_json_pointer] = "secret";
  doc["/neighbors/2/ao/mode"_json_pointer] = "static";
  doc["/neighbors/2/ao/keychain"_json_pointer] = Json::array({one_key(1)});
  auto result = parse(doc);
  ASSERT_TRUE(only_error(result, "/neighbors/2/ao/mode",
                         "md5 cannot be combined with ao mode 'static' (Linux refuses both on "
                         "one socket)"));
  EXPECT_EQ(result.error()[0].to_string(),
            "/neighbors/2/ao/mode: md5 cannot be combined with ao mode 'static' (Linux refuses "
            "both on one socket)");
  // The md5 fallback of preferred + opportunistic keys a separate connection.
  Json fb = tls_document();
  fb["/neighbors/0/tls/mode"_json_pointer] = "preferred";
  fb["/neighbors/0/ao/mode"_json_pointer] = "opportunistic";
  fb["/neighbors/0/md5"_json_pointer] = "secret";
  EXPECT_TRUE(only_error(parse(fb), "/neighbors/0/ao/mode", "md5 cannot be combined"));
  fb["/neighbors/0/fallback"_json_pointer] = "md5";
  EXPECT_TRUE(accepted(parse(fb)));
}

TEST(Transport, Md5PlainAndLimits) {
  Json doc = base_document();
  doc["/neighbors/0/md5"_json_pointer] = "pw";
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  ASSERT_TRUE(result->neighbors[0].md5.has_value());
  EXPECT_EQ(result->neighbors[0].md5->size(), 2u);
  EXPECT_EQ(result->neighbors[0].md5->to_string(), "<secret len=2>");
  doc["/neighbors/0/md5"_json_pointer] = std::string(81, 'x');
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/md5", "1 to 80 characters"));
  doc["/neighbors/0/md5"_json_pointer] = std::string(80, 'x');
  EXPECT_TRUE(accepted(parse(doc)));
  doc["/neighbors/0/md5"_json_pointer] = "";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/md5", "1 to 80 characters"));
  doc["/neighbors/0/md5"_json_pointer] = "<secret len=2>";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/md5", "redacted secret"));
}

TEST(Transport, FallbackMd5NeedsAPassword) {
  Json doc = tls_document();
  doc["/neighbors/0/tls/mode"_json_pointer] = "preferred";
  doc["/neighbors/0/ao/mode"_json_pointer] = "opportunistic";
  doc["/neighbors/0/fallback"_json_pointer] = "md5";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/md5", "fallback 'md5' needs an md5 password"));
}

TEST(Transport, GlobalTlsFilesAreRequiredByTlsNeighbors) {
  Json doc = base_document();
  doc["/neighbors/0/tls/mode"_json_pointer] = "required";
  doc["/global/tls/ca_file"_json_pointer] = "ca.pem";
  auto result = parse(doc);
  EXPECT_TRUE(has_error(result, "/global/tls/cert_file", "required because /neighbors/0/tls/mode is 'required'"));
  EXPECT_TRUE(has_error(result, "/global/tls/key_file", "required because /neighbors/0/tls/mode"));
  EXPECT_EQ(result.error().size(), 2u);
  doc["/neighbors/0/tls/mode"_json_pointer] = "off";
  EXPECT_TRUE(accepted(parse(doc)));
}

TEST(Transport, TlsFields) {
  Json doc = tls_document();
  doc["/neighbors/0/tls"_json_pointer] = Json::parse(
      R"({"mode": "required", "fallback_after": 5, "handshake_timeout": "30s",
          "peer_name": "r2.example.net"})");
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  const NeighborTlsConfig& tls = result->neighbors[0].tls;
  EXPECT_EQ(tls.mode, TlsMode::Required);
  EXPECT_EQ(tls.fallback_after, 5u);
  EXPECT_EQ(tls.handshake_timeout, std::chrono::seconds{30});
  EXPECT_EQ(tls.peer_name, "r2.example.net");
  doc["/neighbors/0/tls"_json_pointer] = Json::parse(
      R"({"mode": "mandatory", "fallback_after": 0, "handshake_timeout": "500ms",
          "peer_name": "bad name"})");
  result = parse(doc);
  EXPECT_TRUE(has_error(result, "/neighbors/0/tls/mode", "is not one of 'required', 'preferred' or 'off'"));
  EXPECT_TRUE(has_error(result, "/neighbors/0/tls/fallback_after", "out of range"));
  EXPECT_TRUE(has_error(result, "/neighbors/0/tls/handshake_timeout", "between 1s and 5m"));
  EXPECT_TRUE(has_error(result, "/neighbors/0/tls/peer_name", "not a DNS name"));
  EXPECT_EQ(result.error().size(), 4u) << dump_errors(result.error());
}

TEST(Transport, AoFieldsAndDefaults) {
  Json doc = tls_document();
  doc["/neighbors/0/tls/mode"_json_pointer] = "required";
  doc["/neighbors/0/ao/mode"_json_pointer] = "opportunistic";
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  const NeighborAoConfig& ao = result->neighbors[0].ao;
  EXPECT_EQ(ao.rekey_interval, std::chrono::hours{1});
  EXPECT_FALSE(ao.rekey_after_bytes.has_value());
  EXPECT_EQ(ao.fallback_after, 3u);
  EXPECT_EQ(ao.announce.prot, 0);
  EXPECT_EQ(ao.announce.auth, 0);

  doc["/neighbors/0/ao/rekey_interval"_json_pointer] = nullptr;  // explicit null: no timer
  doc["/neighbors/0/ao/rekey_after_bytes"_json_pointer] = 1000000;
  doc["/neighbors/0/ao/announce"_json_pointer] = {{"prot", 1}, {"auth", 1}, {"kdf", 1}};
  result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_FALSE(result->neighbors[0].ao.rekey_interval.has_value());
  EXPECT_EQ(result->neighbors[0].ao.rekey_after_bytes, 1000000u);
  EXPECT_EQ(result->neighbors[0].ao.announce.prot, 1);

  doc["/neighbors/0/ao/announce"_json_pointer] = {{"prot", 2}, {"auth", 1}, {"kdf", 0}};
  doc["/neighbors/0/ao/rekey_interval"_json_pointer] = "0s";
  doc["/neighbors/0/ao/rekey_after_bytes"_json_pointer] = 0;
  result = parse(doc);
  EXPECT_TRUE(has_error(result, "/neighbors/0/ao/announce/prot", "out of range"));
  EXPECT_TRUE(has_error(result, "/neighbors/0/ao/announce/kdf", "does not match auth 1"));
  EXPECT_TRUE(has_error(result, "/neighbors/0/ao/rekey_interval", "between 1s and 365d"));
  EXPECT_TRUE(has_error(result, "/neighbors/0/ao/rekey_after_bytes", "out of range"));
  EXPECT_EQ(result.error().size(), 4u) << dump_errors(result.error());
}

TEST(Keychain, StaticModeNeedsKeysAndOthersRefuseThem) {
  Json doc = base_document();
  doc["/neighbors/0/ao/mode"_json_pointer] = "static";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/ao/keychain", "ao mode 'static' needs a key chain"));
  doc["/neighbors/0/ao/keychain"_json_pointer] = Json::array();
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/ao/keychain", "at least one key"));
  doc["/neighbors/0/ao/mode"_json_pointer] = "off";
  doc["/neighbors/0/ao/keychain"_json_pointer] = Json::array({one_key(1)});
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/ao/keychain", "only used with ao mode 'static'"));
}

TEST(Keychain, KeysParseWithDefaults) {
  Json doc = base_document();
  doc["/neighbors/0/ao/mode"_json_pointer] = "static";
  doc["/neighbors/0/ao/keychain"_json_pointer] = Json::parse(R"([
    {"id": 7, "send_id": 2, "recv_id": 3, "secret_hex": "00FF10",
     "algorithm": "aes-128-cmac-96", "include_options": false,
     "send_lifetime": {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"}},
    {"id": 1, "send_id": 1, "recv_id": 1, "secret": "abc"}
  ])");
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  const auto& keys = result->neighbors[0].ao.keychain;
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].id, 1u);  // sorted by id
  EXPECT_EQ(keys[0].algorithm, MacAlgorithm::HmacSha1);
  EXPECT_TRUE(keys[0].include_options);
  EXPECT_EQ(std::vector<std::uint8_t>(keys[0].secret.bytes().begin(), keys[0].secret.bytes().end()),
            (std::vector<std::uint8_t>{'a', 'b', 'c'}));
  EXPECT_FALSE(keys[0].send_lifetime.start.has_value());
  const AoKey& k = keys[1];
  EXPECT_EQ(k.id, 7u);
  EXPECT_EQ(k.send_id, 2);
  EXPECT_EQ(k.recv_id, 3);
  EXPECT_EQ(std::vector<std::uint8_t>(k.secret.bytes().begin(), k.secret.bytes().end()),
            (std::vector<std::uint8_t>{0x00, 0xff, 0x10}));
  EXPECT_EQ(k.algorithm, MacAlgorithm::AesCmac);
  EXPECT_FALSE(k.include_options);
  EXPECT_EQ(k.send_lifetime.start, 1767225600);
  EXPECT_EQ(k.send_lifetime.end, 1769904000);
  EXPECT_FALSE(k.accept_lifetime.end.has_value());
}

TEST(Keychain, KeyRules) {
  Json doc = base_document();
  doc["/neighbors/0/ao/mode"_json_pointer] = "static";
  doc["/neighbors/0/ao/keychain"_json_pointer] = Json::parse(R"([
    {"id": 1, "send_id": 1, "recv_id": 1, "secret": "a"},
    {"id": 1, "send_id": 1, "recv_id": 2, "secret": "b"},
    {"id": 3, "send_id": 3, "recv_id": 2, "secret": "c", "secret_hex": "00"},
    {"id": 4, "send_id": 256, "recv_id": 4},
    {"id": 5, "send_id": 5, "recv_id": 5, "secret_hex": "0g"},
    {"id": 6, "send_id": 6, "recv_id": 6, "secret": "x", "algorithm": "hmac-sha256",
     "accept_lifetime": {"start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}},
    {"id": 7, "send_id": 7, "recv_id": 7, "secret_hex": "<secret len=4>",
     "send_lifetime": {"start": "2026-02-30T00:00:00Z"}}
  ])");
  auto result = parse(doc);
  const std::string k = "/neighbors/0/ao/keychain/";
  EXPECT_TRUE(has_error(result, k + "1/id", "duplicate id 1, already used by " + k + "0"));
  EXPECT_TRUE(has_error(result, k + "1/send_id", "duplicate send_id 1"));
  EXPECT_TRUE(has_error(result, k + "2/secret_hex", "either secret or secret_hex"));
  EXPECT_TRUE(has_error(result, k + "3/send_id", "out of range"));
  EXPECT_TRUE(has_error(result, k + "3/secret", "required key is missing"));
  EXPECT_TRUE(has_error(result, k + "4/secret_hex", "1 to 80 bytes of hex"));
  EXPECT_TRUE(has_error(result, k + "5/algorithm", "'hmac-sha1-96' or 'aes-128-cmac-96'"));
  EXPECT_TRUE(has_error(result, k + "5/accept_lifetime/end", "later than start"));
  EXPECT_TRUE(has_error(result, k + "6/secret_hex", "redacted secret"));
  EXPECT_TRUE(has_error(result, k + "6/send_lifetime/start", "not a UTC time"));
  EXPECT_EQ(result.error().size(), 10u) << dump_errors(result.error());
}

TEST(Keychain, RecvIdMustBeUniqueToo) {
  Json doc = base_document();
  doc["/neighbors/0/ao/mode"_json_pointer] = "static";
  doc["/neighbors/0/ao/keychain"_json_pointer] = Json::parse(R"([
    {"id": 1, "send_id": 1, "recv_id": 9, "secret": "a"},
    {"id": 2, "send_id": 2, "recv_id": 9, "secret": "b"}])");
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/ao/keychain/1/recv_id", "duplicate recv_id 9"));
}

}  // namespace
}  // namespace bgpd::config::test
