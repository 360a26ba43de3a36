// bgpd/api/protocol.cpp - see protocol.hpp.
#include "bgpd/api/protocol.hpp"

namespace bgpd::api {
namespace {

using nlohmann::json;

// Nothing here may throw out: malformed input is an error value.
common::Expected<json, std::string> parse_object(std::string_view line) {
  json value = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return common::Unexpected(std::string("invalid JSON"));
  if (!value.is_object()) return common::Unexpected(std::string("expected a JSON object"));
  return value;
}

template <class Json>
std::string dump(const Json& value) {
  // replace: a string from a peer (say a hostname) may be invalid UTF-8.
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

common::Expected<Request, std::string> parse_request(std::string_view line) {
  auto object = parse_object(line);
  if (!object) return common::Unexpected(object.error());
  const auto command = object->find("command");
  if (command == object->end() || !command->is_string() ||
      command->get_ref<const std::string&>().empty()) {
    return common::Unexpected(std::string("missing \"command\" (a non-empty string)"));
  }
  Request request{command->get<std::string>()};
  if (const auto args = object->find("args"); args != object->end() && !args->is_null()) {
    if (!args->is_object()) return common::Unexpected(std::string("\"args\" must be an object"));
    request.args = *args;
  }
  return request;
}

std::string encode_request(const Request& request) {
  return dump(nlohmann::ordered_json{{"command", request.command}, {"args", request.args}});
}

// ordered_json: "ok" first, for whoever reads the socket with socat.
std::string ok_response(const json& result) {
  return dump(nlohmann::ordered_json{{"ok", true}, {"result", result}});
}

std::string error_response(std::string_view message) {
  return dump(nlohmann::ordered_json{{"ok", false}, {"error", message}});
}

common::Expected<Response, std::string> parse_response(std::string_view line) {
  auto object = parse_object(line);
  if (!object) return common::Unexpected(object.error());
  const auto ok = object->find("ok");
  if (ok == object->end() || !ok->is_boolean()) {
    return common::Unexpected(std::string("response without \"ok\""));
  }
  Response response;
  response.ok = ok->get<bool>();
  if (response.ok) {
    response.result = object->value("result", json());
  } else {
    const auto error = object->find("error");
    response.error = error != object->end() && error->is_string()
                         ? error->get<std::string>()
                         : std::string("unspecified error");
  }
  return response;
}

}  // namespace bgpd::api
