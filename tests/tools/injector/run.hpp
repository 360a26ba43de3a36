// tests/tools/injector/run.hpp - one bgp_inject run: connect, establish,
// push, wait for convergence, hold, Cease; timed and reported.
//
// Timing: established_ms from the start of the TCP connect to Established
// (for TLS it includes the handshake; loading the certificates does not);
// push_ms from the first UPDATE octet queued to the last one written to the
// transport (the kernel has it; the peer may still be reading); converge_ms
// from that same start to the first `show neighbors` poll (every 50 ms)
// that reports prefixes.received >= expect.
//
// With --ao the connection runs TLS over TCP-AO; its counters (good and bad
// MACs per key, key_not_found, ao_required_missing, userspace drops) are
// read after the hold, before the Cease, and reported under "ao".
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "common/log.hpp"
#include "tests/tools/injector/ao_client.hpp"
#include "tests/tools/injector/args.hpp"
#include "tests/tools/injector/control_client.hpp"
#include "tests/tools/injector/session.hpp"
#include "tests/tools/injector/stream.hpp"

namespace injector {

struct RunReport {
  StreamSummary stream;
  std::optional<double> established_ms;
  std::optional<double> push_ms;
  std::optional<double> converge_ms;
  std::optional<NeighborProgress> peer;  // last `show neighbors` seen
  SessionCounters counters;
  std::string transport;  // "tcp 10.0.0.2:40000 <-> 10.0.0.1:179"
  std::optional<bgpd::session::TlsDetails> tls;  // the TLS session, when there is one
  std::optional<AoReport> ao;  // with --ao: the connection's TCP-AO just before the Cease
  std::string error;      // empty: everything asked for happened

  nlohmann::json to_json() const;
};

// Signals reach the run through this: request_stop() on the live session.
struct StopHandle {
  std::shared_ptr<InjectorSession> session;
  bool stop_requested = false;
};

boost::asio::awaitable<RunReport> run_injection(const InjectArgs& args,
                                                std::span<const std::uint8_t> stream,
                                                StreamSummary summary, common::log::Logger log,
                                                std::shared_ptr<StopHandle> stop);

}  // namespace injector
