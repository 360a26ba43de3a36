// bgpd/cli/render.cpp - see render.hpp.
#include "bgpd/cli/render.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bgpd::cli {
namespace {

using nlohmann::json;

std::string dump(const json& value, int indent = -1) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

// obj[key] without throwing when obj is not an object or key is absent.
const json& field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

const json& list(const json& result, const char* key) {
  static const json kEmpty = json::array();
  const json& value = field(result, key);
  return value.is_array() ? value : kEmpty;
}

// UTF-8 aware enough for alignment: count code points, not bytes.
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

}  // namespace

std::string cell(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const auto& element : value) {
      if (!out.empty()) out += ' ';
      out += cell(element);
    }
    return out.empty() ? "-" : out;
  }
  return dump(value);
}

std::string format_uptime(const json& seconds) {
  if (!seconds.is_number()) return cell(seconds);
  const double raw = seconds.get<double>();
  const std::uint64_t total = raw > 0 ? static_cast<std::uint64_t>(raw) : 0;
  const auto days = total / 86400;
  const auto hours = (total % 86400) / 3600;
  const auto minutes = (total % 3600) / 60;
  if (days > 0) return fmt::format("{}d{:02}h{:02}m", days, hours, minutes);
  return fmt::format("{:02}:{:02}:{:02}", hours, minutes, total % 60);
}

std::string format_table(const std::vector<Column>& columns,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& column : columns) widths.push_back(display_width(column.header));
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  auto line = [&](auto text_of) {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string text = text_of(i);
      const std::string padding(widths[i] - display_width(text), ' ');
      if (i > 0) out += "  ";
      out += columns[i].align == Align::Right ? padding + text : text + padding;
    }
    out.erase(out.find_last_not_of(' ') + 1);
    return out + '\n';
  };
  std::string out = line([&](std::size_t i) { return columns[i].header; });
  for (const auto& row : rows) {
    out += line([&](std::size_t i) { return i < row.size() ? row[i] : std::string(); });
  }
  return out;
}

namespace {

// "Hold Timer Expired (sent)" from the daemon's last_error object.
std::string last_error(const json& error) {
  if (!error.is_object()) return cell(error);
  const json& direction = field(error, "direction");
  const std::string text = cell(field(error, "text"));
  return direction.is_string() ? fmt::format("{} ({})", text, direction.get<std::string>()) : text;
}

// The connection's kind ("tls", "tcp-md5"...), the first word of the
// daemon's transport description; a TLS neighbor without a connection shows
// its mode, so the table tells TLS neighbors apart even when down.
std::string transport_kind(const json& neighbor) {
  const json& transport = field(neighbor, "transport");
  if (transport.is_string()) {
    const auto& text = transport.get_ref<const std::string&>();
    return text.substr(0, text.find(' '));
  }
  const json& tls = field(neighbor, "tls");
  return tls.is_object() ? "tls " + cell(field(tls, "mode")) : cell(transport);
}

}  // namespace

std::string render_neighbors(const json& result) {
  const std::vector<Column> columns = {{"Neighbor"},
                                       {"AS", Align::Right},
                                       {"State"},
                                       {"Transport"},
                                       {"Up/Down", Align::Right},
                                       {"Rcvd", Align::Right},
                                       {"Accepted", Align::Right},
                                       {"Advertised", Align::Right},
                                       {"MsgIn", Align::Right},
                                       {"MsgOut", Align::Right},
                                       {"Last error"}};
  static const json kEmpty = json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : result.is_array() ? result : kEmpty) {
    const json& prefixes = field(n, "prefixes");
    rows.push_back({cell(field(n, "address")), cell(field(n, "asn")), cell(field(n, "state")),
                    transport_kind(n), format_uptime(field(n, "state_seconds")), cell(field(prefixes, "received")),
                    cell(field(prefixes, "accepted")), cell(field(prefixes, "advertised")),
                    cell(field(n, "messages_in")), cell(field(n, "messages_out")),
                    last_error(field(n, "last_error"))});
  }
  if (rows.empty()) return "no neighbors\n";
  return format_table(columns, rows);
}

std::string render_rib(const json& result) {
  const std::vector<Column> columns = {{" "},
                                       {"Prefix"},
                                       {"Next hop"},
                                       {"From"},
                                       {"AS path"},
                                       {"LocPrf", Align::Right},
                                       {"MED", Align::Right},
                                       {"Communities"},
                                       {"Reason"}};
  std::vector<std::vector<std::string>> rows;
  std::size_t best_count = 0;
  for (const auto& route : list(result, "routes")) {
    bool first = true;
    for (const auto& path : list(route, "paths")) {
      const bool best = field(path, "best") == true;
      best_count += best ? 1 : 0;
      // The prefix is printed once, on its first path.
      rows.push_back({best ? "*>" : "*", first ? cell(field(route, "prefix")) : std::string(),
                      cell(field(path, "next_hop")), cell(field(path, "source")),
                      cell(field(path, "as_path")), cell(field(path, "local_pref")),
                      cell(field(path, "med")), cell(field(path, "communities")),
                      best ? std::string() : cell(field(path, "eliminated_by"))});
      first = false;
    }
  }
  if (rows.empty()) return "no routes\n";
  return format_table(columns, rows) +
         fmt::format("\n{} paths, {} best ('*>' best, '*' valid)\n", rows.size(), best_count);
}

std::string render(View view, const json& result) {
  switch (view) {
    case View::Neighbors:
      return render_neighbors(result);
    case View::Rib:
      return render_rib(result);
    case View::Json:
      return dump(result, 2) + '\n';
    case View::Generic:
      break;
  }
  if (result.is_null()) return "ok\n";
  if (result.is_string()) return result.get<std::string>() + '\n';
  return dump(result, 2) + '\n';
}

}  // namespace bgpd::cli
