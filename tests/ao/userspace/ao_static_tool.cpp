// tests/ao/userspace/ao_static_tool.cpp - one peer's userspace TCP-AO
// backend (NFQUEUE shell + aotls/backend/nfqueue/engine_processor.hpp) with
// ONE static MKT, for static_ao_test.py. The server role opens a listener
// on --server-port, the client role a connection socket bound to the whole
// 4-tuple (the test binds its client to --client-port). Writes --ready-file
// once the rules and keys are in, runs until SIGTERM/SIGINT, then prints
// the counters (profile section 5 shape) as one JSON object on stdout.
//
//   ao_static_tool --role server|client --client ADDR --client-port N
//                  --server ADDR --server-port N --send-id N --recv-id N
//                  --algorithm hmac-sha1|aes-cmac --include-options 0|1
//                  --secret-hex HEX [--queue-base 4200] [--ready-file PATH]
// The secret is never printed. Exit 0 after a clean stop, 2 on a startup
// error (message on stderr), 1 if the queue thread failed.
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aotls/backend/nfqueue/engine_processor.hpp"
#include "aotls/backend/nfqueue/io_shell.hpp"
#include "common/hex.hpp"

namespace nq = aotls::backend::nfqueue;
namespace us = aotls::backend::userspace;

namespace {

int usage(const std::string& why) {
  std::cerr << "ao_static_tool: " << why << "\n";
  return 2;
}

template <typename T>
std::optional<T> parse_uint(const std::string& text) {
  T value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The MKT from the command line; the algorithm names the profile's table
// rows (MAC and KDF from the same row).
std::optional<aotls::keys::Mkt> make_mkt(std::map<std::string, std::string>& args) {
  const auto send_id = parse_uint<std::uint8_t>(args["--send-id"]);
  const auto recv_id = parse_uint<std::uint8_t>(args["--recv-id"]);
  const auto include = args["--include-options"];
  const auto algorithm = args["--algorithm"];
  auto secret = common::from_hex(args["--secret-hex"]);
  if (!send_id || !recv_id || (include != "0" && include != "1") || !secret || secret->empty())
    return std::nullopt;
  aotls::keys::Mkt mkt;
  mkt.send_id = *send_id;
  mkt.recv_id = *recv_id;
  mkt.params.include_options = include == "1";
  if (algorithm == "hmac-sha1") {
    mkt.params.mac = aotls::crypto::MacAlgorithm::HmacSha1_96;
    mkt.params.kdf = aotls::crypto::KdfAlgorithm::HmacSha1;
  } else if (algorithm == "aes-cmac") {
    mkt.params.mac = aotls::crypto::MacAlgorithm::AesCmac128_96;
    mkt.params.kdf = aotls::crypto::KdfAlgorithm::AesCmac128;
  } else {
    return std::nullopt;
  }
  mkt.secret = aotls::crypto::Secret(*secret);
  std::fill(secret->begin(), secret->end(), std::uint8_t{0});
  return mkt;
}

std::string ring_json(const us::KeyRing& ring) {
  const auto status = ring.status();
  const auto keys = ring.key_counters();
  if (!status || !keys) return "null";
  std::string out = "{\"key_not_found\":" + std::to_string(status->key_not_found) +
                    ",\"ao_required_missing\":" + std::to_string(status->ao_required_missing) +
                    ",\"icmp_ignored\":" + std::to_string(status->icmp_ignored) + ",\"keys\":[";
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const auto& k = (*keys)[i];
    out += (i == 0 ? "" : ",");
    out += "{\"send_id\":" + std::to_string(k.send_id) +
           ",\"recv_id\":" + std::to_string(k.recv_id) + ",\"good\":" + std::to_string(k.good) +
           ",\"bad_mac\":" + std::to_string(k.bad_mac) +
           ",\"current\":" + (k.is_current ? "true" : "false") +
           ",\"rnext\":" + (k.is_rnext ? "true" : "false") + "}";
  }
  return out + "]}";
}

std::string drops_json(const nq::EngineProcessor& processor) {
  std::string out = "{";
  for (std::size_t i = 0; i < nq::kDropReasonCount; ++i) {
    const auto reason = static_cast<us::DropReason>(i);
    out += (i == 0 ? "\"" : ",\"") + std::string(us::to_string(reason)) +
           "\":" + std::to_string(processor.drops(reason));
  }
  return out + "}";
}

std::string queue_json(const nq::QueueCounters& c) {
  return "{\"packets\":" + std::to_string(c.packets) +
         ",\"rewritten\":" + std::to_string(c.rewritten) +
         ",\"dropped\":" + std::to_string(c.dropped) + ",\"failed\":" + std::to_string(c.failed) +
         "}";
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args{{"--queue-base", "4200"}};
  if (argc % 2 == 0) return usage("options come in pairs");
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];

  const auto role = args["--role"];
  if (role != "server" && role != "client") return usage("--role server|client");
  const auto client = aotls::segment::IpAddress::parse(args["--client"]);
  const auto server = aotls::segment::IpAddress::parse(args["--server"]);
  const auto client_port = parse_uint<std::uint16_t>(args["--client-port"]);
  const auto server_port = parse_uint<std::uint16_t>(args["--server-port"]);
  const auto base = parse_uint<std::uint16_t>(args["--queue-base"]);
  if (!client || !server || !client_port || !server_port || !base)
    return usage("--client/--server need addresses, the ports and --queue-base 0..65535");
  auto mkt = make_mkt(args);
  if (!mkt)
    return usage(
        "the MKT needs --send-id/--recv-id 0..255, --algorithm hmac-sha1|aes-cmac, "
        "--include-options 0|1 and a non-empty --secret-hex");
  const bool is_server = role == "server";
  const us::FlowTuple tuple = is_server
                                  ? us::FlowTuple{*server, *client, *server_port, *client_port}
                                  : us::FlowTuple{*client, *server, *client_port, *server_port};
  const auto peer = aotls::backend::PeerPrefix::host(tuple.remote_addr);

  // Block the stop signals before any thread exists, so that only sigwait
  // below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Keys before rules (a socket's keys exist before connect/listen, as with
  // the kernel backend), so the first queued SYN is already protected.
  nq::EngineProcessor processor;
  const auto socket = processor.with_engine([&](us::UserspaceTcpAo& engine) {
    return is_server ? engine.open_listener(tuple.local_addr, tuple.local_port)
                     : engine.open_connection(tuple);
  });
  const auto added = processor.with_engine(
      [&](us::UserspaceTcpAo& engine) { return engine.keys(socket)->add_key(peer, *mkt); });
  if (added) return usage("add_key: " + added.message());

  nq::IoShellOptions options;
  options.rules.queue_base = *base;
  auto shell = nq::IoShell::start(options, processor);
  if (!shell) return usage("startup: " + shell.error());
  if (auto rules = (*shell)->firewall().add_peer({tuple.remote_addr, *server_port}); !rules)
    return usage("peer rules: " + rules.error().message);

  if (args.count("--ready-file") != 0) std::ofstream(args["--ready-file"]) << "ready\n";
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);

  auto& queues = (*shell)->queues();
  queues.stop();
  const auto failure = queues.failure();
  const auto sockets = processor.with_engine([&](us::UserspaceTcpAo& engine) {
    const auto connection = engine.find_connection(tuple);
    const auto* ring = connection ? engine.keys(*connection) : nullptr;
    return "\"socket\":" + ring_json(*engine.keys(socket)) +
           ",\"connection\":" + (ring ? ring_json(*ring) : std::string("null"));
  });
  std::cout << "{\"role\":\"" << role << "\"," << sockets << ",\"drops\":" << drops_json(processor)
            << ",\"outbound\":" << queue_json(queues.counters(nq::Direction::Outbound))
            << ",\"inbound\":" << queue_json(queues.counters(nq::Direction::Inbound))
            << ",\"overruns\":" << queues.receive_overruns()
            << ",\"failure\":" << (failure ? "true" : "false") << "}" << std::endl;
  (*shell)->stop();
  return failure ? 1 : 0;
}
