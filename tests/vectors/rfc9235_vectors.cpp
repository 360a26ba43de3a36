#include "rfc9235_vectors.hpp"

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/hex.hpp"

namespace aotls::test {
namespace {

std::vector<std::uint8_t> hex_field(const nlohmann::json& j, const char* field) {
  auto bytes = common::from_hex(j.at(field).get<std::string>());
  if (!bytes) throw std::runtime_error(std::string("bad hex in field ") + field);
  return *bytes;
}

std::uint32_t isn_field(const nlohmann::json& j, const char* field) {
  return static_cast<std::uint32_t>(std::stoul(j.at(field).get<std::string>(), nullptr, 16));
}

crypto::MacAlgorithm mac_of(const std::string& name) {
  for (const auto& row : crypto::kAlgorithmTable) {
    if (row.mac_name == name) return row.mac;
  }
  throw std::runtime_error("unknown alg " + name);
}

crypto::KdfAlgorithm kdf_of(const std::string& name) {
  for (const auto& row : crypto::kAlgorithmTable) {
    if (row.kdf_name == name) return row.kdf;
  }
  throw std::runtime_error("unknown kdf " + name);
}

segment::TrafficKeyKind kind_of(const std::string& name) {
  if (name == "send_syn") return segment::TrafficKeyKind::SendSyn;
  if (name == "recv_syn") return segment::TrafficKeyKind::ReceiveSyn;
  if (name == "send_other") return segment::TrafficKeyKind::SendOther;
  if (name == "recv_other") return segment::TrafficKeyKind::ReceiveOther;
  throw std::runtime_error("unknown traffic_key_kind " + name);
}

std::string test_name_of(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (alnum) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::vector<Rfc9235Vector> load() {
  const std::string path = std::string(BGPD_SHARED_DIR) + "/vectors/rfc9235.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  const nlohmann::json all = nlohmann::json::parse(in);
  std::vector<Rfc9235Vector> vectors;
  for (const nlohmann::json& j : all) {
    Rfc9235Vector v;
    v.name = j.at("name").get<std::string>();
    v.test_name = test_name_of(v.name);
    v.alg = mac_of(j.at("alg").get<std::string>());
    v.kdf = kdf_of(j.at("kdf").get<std::string>());
    v.ip_version = j.at("ip_version").get<int>();
    v.include_options = j.at("include_options").get<bool>();
    v.mkt = hex_field(j, "mkt_hex");
    v.kind = kind_of(j.at("traffic_key_kind").get<std::string>());
    v.send_isn = j.at("send_isn").get<std::uint32_t>();
    v.recv_isn = j.at("recv_isn").get<std::uint32_t>();
    v.client_isn = isn_field(j, "client_isn_hex");
    v.server_isn = isn_field(j, "server_isn_hex");
    v.src_ip = j.at("src_ip").get<std::string>();
    v.dst_ip = j.at("dst_ip").get<std::string>();
    v.src_port = j.at("src_port").get<std::uint16_t>();
    v.dst_port = j.at("dst_port").get<std::uint16_t>();
    v.keyid = j.at("keyid").get<std::uint8_t>();
    v.rnext_keyid = j.at("rnext_keyid").get<std::uint8_t>();
    v.sne = j.at("sne").get<std::uint32_t>();
    v.maclen = j.at("maclen").get<std::size_t>();
    v.kdf_context = hex_field(j, "kdf_context_hex");
    v.traffic_key = hex_field(j, "traffic_key_hex");
    v.packet = hex_field(j, "packet_hex");
    v.expected_mac = hex_field(j, "expected_mac_hex");
    v.mac_input = hex_field(j, "mac_input_hex");
    vectors.push_back(std::move(v));
  }
  return vectors;
}

struct Loaded {
  std::vector<Rfc9235Vector> vectors;
  std::string error;
};

const Loaded& loaded() {
  static const Loaded result = [] {
    Loaded l;
    try {
      l.vectors = load();
    } catch (const std::exception& e) {
      l.error = e.what();
    }
    return l;
  }();
  return result;
}

}  // namespace

const std::vector<Rfc9235Vector>& rfc9235_vectors() {
  return loaded().vectors;
}
const std::string& rfc9235_load_error() {
  return loaded().error;
}

}  // namespace aotls::test
