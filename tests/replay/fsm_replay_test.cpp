// tests/replay/fsm_replay_test.cpp - replays FSM scenario files.
//
// Each tests/replay/fsm/*.json file is a config, then a list of steps: an
// event (RFC 4271 8.1 name) with its data and time, and the state and exact
// action list expected after it (actions in bgpd::fsm::to_string form).
// Format (every key but "event" and "expect" optional):
//   {"description": "...",
//    "config": {"connect_retry_time": 120, "large_hold_time": 240,
//               "delay_open": false, "delay_open_time": 5,
//               "send_notification_without_open": false,
//               "passive_tcp_establishment": false,
//               "allow_automatic_start": false, "damp_peer_oscillations": false,
//               "idle_hold": {"base": 1, "max": 120, "stable": 60}},
//    "steps": [{"at_ms": 1000, "event": "BgpOpen", "hold_time": 90,
//               "notification": {"code": 6, "subcode": 2, "data": [104, 105]},
//               "expect": {"state": "OpenConfirm", "actions": ["SendKeepalive", ...],
//                          "connect_retry_counter": 0}}]}
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bgpd/fsm/fsm.hpp"

namespace bgpd::fsm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path scenario_dir() {
  return fs::path(BGPD_SOURCE_DIR) / "tests" / "replay" / "fsm";
}

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(scenario_dir())) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Config config_from(const json& j) {
  Config c;
  c.connect_retry_time = j.value("connect_retry_time", c.connect_retry_time);
  c.large_hold_time = j.value("large_hold_time", c.large_hold_time);
  c.delay_open = j.value("delay_open", c.delay_open);
  c.delay_open_time = j.value("delay_open_time", c.delay_open_time);
  c.send_notification_without_open =
      j.value("send_notification_without_open", c.send_notification_without_open);
  c.passive_tcp_establishment = j.value("passive_tcp_establishment", c.passive_tcp_establishment);
  c.allow_automatic_start = j.value("allow_automatic_start", c.allow_automatic_start);
  c.damp_peer_oscillations = j.value("damp_peer_oscillations", c.damp_peer_oscillations);
  if (j.contains("idle_hold")) {
    const json& h = j.at("idle_hold");
    c.idle_hold.base_seconds = h.value("base", c.idle_hold.base_seconds);
    c.idle_hold.max_seconds = h.value("max", c.idle_hold.max_seconds);
    c.idle_hold.stable_seconds = h.value("stable", c.idle_hold.stable_seconds);
  }
  return c;
}

// Returns nullopt (after recording a test failure) for an unknown event.
std::optional<Input> input_from(const json& step) {
  const auto name = step.at("event").get<std::string>();
  const auto event = event_from_string(name);
  if (!event) {
    ADD_FAILURE() << "unknown event " << name;
    return std::nullopt;
  }
  Input in(*event);
  in.negotiated_hold_time = step.value("hold_time", std::uint16_t{0});
  if (step.contains("notification")) {
    const json& n = step.at("notification");
    in.notification = SendNotification{static_cast<wire::ErrorCode>(n.at("code").get<int>()),
                                       n.at("subcode").get<std::uint8_t>(),
                                       n.value("data", std::vector<std::uint8_t>{})};
  }
  return in;
}

class FsmReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(FsmReplay, ActionsMatchTheRecording) {
  std::ifstream file(scenario_dir() / (GetParam() + ".json"));
  ASSERT_TRUE(file) << "cannot open scenario " << GetParam();
  const json scenario = json::parse(file, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(scenario.is_discarded()) << "scenario is not valid JSON";
  ASSERT_TRUE(scenario.contains("steps"));
  ASSERT_FALSE(scenario.at("steps").empty()) << "a scenario without steps asserts nothing";

  Fsm fsm(config_from(scenario.value("config", json::object())));
  std::int64_t now_ms = 0;
  int index = 0;
  for (const json& step : scenario.at("steps")) {
    SCOPED_TRACE("step " + std::to_string(index++) + ": " + step.at("event").get<std::string>());
    now_ms = step.value("at_ms", now_ms + 1000);
    const auto in = input_from(step);
    ASSERT_TRUE(in.has_value());
    const StepResult r = fsm.step(*in, std::chrono::milliseconds(now_ms));

    const json& expect = step.at("expect");
    EXPECT_EQ(to_string(fsm.state()), expect.at("state").get<std::string>());
    std::vector<std::string> actual;
    for (const Action& a : r.actions) actual.push_back(to_string(a));
    EXPECT_EQ(actual, expect.at("actions").get<std::vector<std::string>>());
    if (expect.contains("connect_retry_counter")) {
      EXPECT_EQ(fsm.connect_retry_counter(),
                expect.at("connect_retry_counter").get<std::uint32_t>());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, FsmReplay, ::testing::ValuesIn(scenario_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace bgpd::fsm
