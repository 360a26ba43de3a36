// bgpd/daemon/ao_status.cpp - see ao_status.hpp.
#include "bgpd/daemon/ao_status.hpp"

namespace bgpd::daemon {

using nlohmann::json;

namespace {

std::string_view mac_name(const std::optional<aotls::crypto::MacAlgorithm>& mac) {
  if (!mac) return "unknown";
  return *mac == aotls::crypto::MacAlgorithm::AesCmac128_96 ? "aes-128-cmac-96" : "hmac-sha1-96";
}

template <class T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json queue_json(const aotls::backend::nfqueue::QueueCounters& q) {
  return {{"packets", q.packets},   {"accepted", q.accepted}, {"rewritten", q.rewritten},
          {"dropped", q.dropped},   {"failed", q.failed},     {"verdict_errors", q.verdict_errors}};
}

}  // namespace

json to_json(const session::AoSession& ao, std::chrono::steady_clock::time_point now) {
  const auto status = ao.status(now);
  json keys = json::array();
  for (const auto& key : status.keys) {
    keys.push_back({{"send_id", key.send_id},
                    {"recv_id", key.recv_id},
                    {"mac", mac_name(key.mac)},
                    {"include_options", key.include_options},
                    {"current", key.is_current},
                    {"rnext", key.is_rnext},
                    {"good", key.good},
                    {"bad_mac", key.bad_mac}});
  }
  json out = {{"backend", ao.backend()},
              {"state", status.state},
              {"generation", status.generation},
              {"current_key_id", optional_json(status.current_key_id)},
              {"rnext_key_id", optional_json(status.rnext_key_id)},
              {"keys", std::move(keys)},
              {"key_not_found", status.key_not_found},
              {"ao_required_missing", status.ao_required_missing},
              {"icmp_ignored", status.icmp_ignored},
              {"keys_deleted", status.keys_deleted}};
  out["seconds_since_switch"] =
      status.since_last_switch
          ? json(std::chrono::duration<double>(*status.since_last_switch).count())
          : json(nullptr);
  if (status.peer_announcement) {
    const auto& peer = *status.peer_announcement;
    out["peer_announcement"] = {{"prot", static_cast<int>(peer.prot)},
                                {"auth", static_cast<int>(peer.auth)},
                                {"kdf", static_cast<int>(peer.kdf)}};
  }
  if (status.rekey) {
    const auto& rekey = *status.rekey;
    out["rekey"] = {
        {"phase", aotls::rekey::to_string(rekey.phase)},
        {"generation", rekey.generation},
        {"rollovers_done", rekey.rollovers_done},
        {"last_rollover_ms", rekey.last_rollover_duration
                                 ? json(rekey.last_rollover_duration->count())
                                 : json(nullptr)},
        {"last_trigger",
         rekey.last_trigger ? json(aotls::rekey::to_string(*rekey.last_trigger)) : json(nullptr)},
        {"in_progress", rekey.rollover_in_progress},
        {"keys_deleted", status.keys_deleted},
        {"drops_during_rollovers",
         {{"bad_mac", status.rollover_bad_mac}, {"key_not_found", status.rollover_key_not_found}}}};
  }
  if (status.last_error) out["last_error"] = *status.last_error;
  if (status.backend_read_error) out["backend_read_error"] = *status.backend_read_error;
  return out;
}

json to_json(const session::AoService& service) {
  json out = {{"backend", service.backend_name()},
              {"kernel_probe", service.kernel_probe()},
              {"key_log", service.key_log_on()}};
  const auto diagnostics = service.diagnostics();
  if (!diagnostics) return out;
  json drops = json::object();
  for (const auto& [reason, count] : diagnostics->drops) drops[reason] = count;
  out["userspace"] = {{"outbound", queue_json(diagnostics->outbound)},
                      {"inbound", queue_json(diagnostics->inbound)},
                      {"receive_overruns", diagnostics->receive_overruns},
                      {"drops", std::move(drops)}};
  if (diagnostics->failure) out["userspace"]["failure"] = *diagnostics->failure;
  return out;
}

}  // namespace bgpd::daemon
