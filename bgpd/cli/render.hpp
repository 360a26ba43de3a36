// bgpd/cli/render.hpp - results as aligned text tables.
//
// The daemon's result shapes this renders (bgpd/daemon/commands.cpp is the
// producer; fields may be missing or null and then show as "-"):
//
// show neighbors -> [{
//     "address": "192.0.2.2", "asn": 65002, "state": "Established",
//     "state_seconds": 3725,       // time in the current state (Up/Down)
//     "prefixes": {"received": 10, "accepted": 9, "advertised": 4},
//     "messages_in": 120, "messages_out": 118,
//     "last_error": {"direction": "sent", "code": 4, "subcode": 0,
//                    "text": "Hold Timer Expired"}}]   // or absent
// show rib -> {"routes": [{"prefix": "203.0.113.0/24", "paths": [{
//     "best": true, "source": "192.0.2.2", "next_hop": "192.0.2.2",
//     "as_path": "65002 65010",    // or an array of numbers
//     "local_pref": 100, "med": 0, "communities": ["65002:100"],
//     "eliminated_by": "9.1.2.2 (c): lower local-pref"}]}]}   // non-best
//
// Rendering never throws on unexpected JSON: a value of another type is
// printed as compact JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bgpd/cli/args.hpp"

namespace bgpd::cli {

enum class Align { Left, Right };

struct Column {
  std::string header;
  Align align = Align::Left;
};

// Columns padded to their widest cell, separated by two spaces, no trailing
// blanks; every line ends with '\n'.
std::string format_table(const std::vector<Column>& columns,
                         const std::vector<std::vector<std::string>>& rows);

// 59 -> "00:00:59", 3725 -> "01:02:05", 90061 -> "1d01h01m"; null -> "-".
std::string format_uptime(const nlohmann::json& seconds);

// A JSON value as a cell: strings unquoted, null/missing "-", arrays joined
// with spaces, others compact JSON.
std::string cell(const nlohmann::json& value);

std::string render_neighbors(const nlohmann::json& result);
std::string render_rib(const nlohmann::json& result);
// Dispatches on the view; Generic: a string as is, null as "ok", others as
// indented JSON. Json: indented JSON.
std::string render(View view, const nlohmann::json& result);

}  // namespace bgpd::cli
