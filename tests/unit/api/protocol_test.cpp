// The control protocol's request and response lines.
#include "bgpd/api/protocol.hpp"

#include <gtest/gtest.h>

namespace {

using bgpd::api::parse_request;
using bgpd::api::parse_response;
using nlohmann::json;

TEST(Protocol, RequestWithAndWithoutArgs) {
  auto with = parse_request(R"({"command":"show rib","args":{"afi":"ipv6"}})");
  ASSERT_TRUE(with.has_value()) << with.error();
  EXPECT_EQ(with->command, "show rib");
  EXPECT_EQ(with->args, json({{"afi", "ipv6"}}));
  auto without = parse_request(R"({"command":"reload"})");
  ASSERT_TRUE(without.has_value());
  EXPECT_TRUE(without->args.is_object() && without->args.empty());
}

TEST(Protocol, MalformedRequestsAreErrorsNotExceptions) {
  for (const char* bad : {"", "{", "[1,2]", "42", R"({"args":{}})", R"({"command":""})",
                          R"({"command":7})", R"({"command":"x","args":[1]})", "\xff\xfe"}) {
    EXPECT_FALSE(parse_request(bad).has_value()) << bad;
  }
}

TEST(Protocol, RequestRoundTrip) {
  const bgpd::api::Request request{"clear neighbor", {{"address", "192.0.2.2"}, {"soft", true}}};
  const auto line = bgpd::api::encode_request(request);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = parse_request(line);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->command, request.command);
  EXPECT_EQ(back->args, request.args);
}

TEST(Protocol, Responses) {
  EXPECT_EQ(bgpd::api::ok_response(json{{"n", 1}}), R"({"ok":true,"result":{"n":1}})");
  EXPECT_EQ(bgpd::api::error_response("no such neighbor"),
            R"({"ok":false,"error":"no such neighbor"})");
  auto ok = parse_response(bgpd::api::ok_response(json::array({1, 2})));
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(ok->result, json::array({1, 2}));
  auto error = parse_response(bgpd::api::error_response("bad"));
  ASSERT_TRUE(error.has_value());
  EXPECT_FALSE(error->ok);
  EXPECT_EQ(error->error, "bad");
  EXPECT_FALSE(parse_response(R"({"result":1})").has_value());
  EXPECT_FALSE(parse_response("not json").has_value());
}

}  // namespace
