// tests/ao/nfqueue/nfqueue_shell_tool.cpp - runs the userspace backend's
// I/O shell (aotls/backend/nfqueue) with a test processor, for
// nfqueue_shell_test.py. Installs the rules for one peer, writes
// --ready-file, runs until SIGTERM/SIGINT, stops (queues, then rules) and
// prints the counters as one JSON object on stdout.
//
//   nfqueue_shell_tool --processor marker|count|drop --peer ADDR [--peer6 ADDR] [--port 179]
//                      [--queue-base 4200] [--prefix AOTLS] [--icmp drop|queue|accept]
//                      [--ready-file PATH] [--iptables BIN] [--ip6tables BIN]
// Exit 0 after a clean stop, 2 on a startup error (message on stderr).
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aotls/backend/nfqueue/io_shell.hpp"
#include "tests/ao/nfqueue/test_processors.hpp"

namespace nq = aotls::backend::nfqueue;

namespace {

int usage(const std::string& why) {
  std::cerr << "nfqueue_shell_tool: " << why << "\n";
  return 2;
}

std::optional<std::uint16_t> parse_u16(const std::string& text) {
  std::uint16_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string queue_json(const nq::QueueCounters& c) {
  return "{\"packets\":" + std::to_string(c.packets) +
         ",\"accepted\":" + std::to_string(c.accepted) +
         ",\"rewritten\":" + std::to_string(c.rewritten) +
         ",\"dropped\":" + std::to_string(c.dropped) + ",\"failed\":" + std::to_string(c.failed) +
         ",\"verdict_errors\":" + std::to_string(c.verdict_errors) + "}";
}

std::string processor_json(const nq::PacketProcessor& processor) {
  if (const auto* m = dynamic_cast<const aotls::test::MarkerProcessor*>(&processor)) {
    const auto& c = m->counters();
    return "{\"marked\":" + std::to_string(c.marked) + ",\"no_room\":" + std::to_string(c.no_room) +
           ",\"stripped\":" + std::to_string(c.stripped) +
           ",\"missing\":" + std::to_string(c.missing) +
           ",\"out_of_order\":" + std::to_string(c.out_of_order) +
           ",\"gaps\":" + std::to_string(c.gaps) + ",\"other\":" + std::to_string(c.other) +
           ",\"malformed\":" + std::to_string(c.malformed) + ",\"first_disorder\":[" +
           std::to_string(c.first_disorder_last) + "," + std::to_string(c.first_disorder_seen) +
           "]}";
  }
  if (const auto* c = dynamic_cast<const aotls::test::CountProcessor*>(&processor))
    return "{\"outbound\":" + std::to_string(c->outbound) +
           ",\"inbound\":" + std::to_string(c->inbound) + "}";
  const auto& d = dynamic_cast<const aotls::test::DropProcessor&>(processor);
  return "{\"dropped\":" + std::to_string(d.dropped) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args{{"--port", "179"},          {"--queue-base", "4200"},
                                          {"--prefix", "AOTLS"},      {"--icmp", "drop"},
                                          {"--iptables", "iptables"}, {"--ip6tables", "ip6tables"}};
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  if (argc % 2 == 0) return usage("options come in pairs");

  std::unique_ptr<nq::PacketProcessor> processor;
  const auto kind = args["--processor"];
  if (kind == "marker") {
    processor = std::make_unique<aotls::test::MarkerProcessor>();
  } else if (kind == "count") {
    processor = std::make_unique<aotls::test::CountProcessor>();
  } else if (kind == "drop") {
    processor = std::make_unique<aotls::test::DropProcessor>();
  } else {
    return usage("--processor marker|count|drop");
  }
  const auto peer = aotls::segment::IpAddress::parse(args["--peer"]);
  if (!peer) return usage("--peer needs an IPv4 or IPv6 address");
  const auto port = parse_u16(args["--port"]);
  const auto base = parse_u16(args["--queue-base"]);
  if (!port || !base) return usage("--port and --queue-base take 0..65535");

  nq::IoShellOptions options;
  options.rules.chain_prefix = args["--prefix"];
  options.rules.queue_base = *base;
  options.rules.iptables = args["--iptables"];
  options.rules.ip6tables = args["--ip6tables"];
  const auto icmp = args["--icmp"];
  options.rules.icmp_errors = icmp == "queue"    ? nq::IcmpErrorPolicy::Queue
                              : icmp == "accept" ? nq::IcmpErrorPolicy::Accept
                                                 : nq::IcmpErrorPolicy::Drop;

  // Block the stop signals before any thread exists, so that only sigwait
  // below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto shell = nq::IoShell::start(options, *processor);
  if (!shell) return usage("startup: " + shell.error());
  std::vector<nq::PeerFlow> flows{{*peer, *port}};
  if (args.count("--peer6") != 0) {
    const auto peer6 = aotls::segment::IpAddress::parse(args["--peer6"]);
    if (!peer6) return usage("--peer6 needs an address");
    flows.push_back({*peer6, *port});
  }
  for (const auto& flow : flows) {
    if (auto added = (*shell)->firewall().add_peer(flow); !added)
      return usage("peer rules: " + added.error().message);
  }

  if (args.count("--ready-file") != 0) std::ofstream(args["--ready-file"]) << "ready\n";
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);

  auto& queues = (*shell)->queues();
  queues.stop();
  const auto failure = queues.failure();
  std::cout << "{\"outbound\":" << queue_json(queues.counters(nq::Direction::Outbound))
            << ",\"inbound\":" << queue_json(queues.counters(nq::Direction::Inbound))
            << ",\"overruns\":" << queues.receive_overruns()
            << ",\"failure\":" << (failure ? "true" : "false")
            << ",\"processor\":" << processor_json(*processor) << "}" << std::endl;
  (*shell)->stop();
  return failure ? 1 : 0;
}
