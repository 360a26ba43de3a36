// tests/tools/injector/run.cpp - see run.hpp.
#include "tests/tools/injector/run.hpp"

#include <fmt/format.h>

#include <cmath>

#include "tests/tools/injector/transport.hpp"

namespace injector {
namespace {

namespace wire = bgpd::wire;
using nlohmann::json;

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr auto kQueryTimeout = std::chrono::seconds(10);

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

json optional_json(const std::optional<double>& value) {
  return value ? json(std::round(*value * 10) / 10) : json();
}

// wire's spelling of an address (the one bgpd shows), from Asio's.
std::string canonical(const boost::asio::ip::address& address) {
  auto parsed = wire::IpAddress::parse(address.to_string());
  return parsed ? parsed->to_string() : address.to_string();
}

// Polls the daemon until the neighbor has received `expect` prefixes,
// watching the session between polls. Not inlined: g++ 12 at -O2 inlines a
// coroutine's ramp into its awaiting coroutine and then reports Asio's
// frame allocator and deallocator as a mismatched new/delete (a false
// positive of -Wmismatched-new-delete).
[[gnu::noinline]] boost::asio::awaitable<InjectorSession::Result> converge(
    const InjectArgs& args, InjectorSession& session, const std::string& neighbor,
    RunReport& report) {
  const auto deadline = Clock::now() + args.converge_timeout;
  std::string last = "no answer yet";
  bgpd::api::Request request;
  request.command = "show neighbors";
  request.args = json{{"address", neighbor}};
  for (;;) {
    auto reply = co_await control_query(args.control_socket, request, kQueryTimeout);
    auto progress =
        reply ? neighbor_progress(*reply, neighbor)
              : common::Expected<NeighborProgress, std::string>(common::Unexpected(reply.error()));
    if (progress) {
      report.peer = *progress;
      if (progress->received >= *args.expect) co_return InjectorSession::Result{};
      last = fmt::format("{} with {} received", progress->state, progress->received);
    } else {
      last = progress.error();
    }
    if (Clock::now() >= deadline) {
      co_return InjectorSession::Result(common::Unexpected(fmt::format(
          "timed out waiting for {} prefixes at {}; last seen: {}", *args.expect, neighbor, last)));
    }
    auto alive = co_await session.hold(kPollInterval);
    if (!alive) co_return alive;
  }
}

// --ao: the client context learns the tcp_ao extension and the AoService
// starts with the peer's rules, before anything is timed.
common::Expected<void, std::string> add_tcp_ao(const InjectArgs& args, TransportOptions& transport,
                                               const common::log::Logger& log) {
  if (auto enabled = enable_tcp_ao(*transport.tls->context); !enabled) return enabled;
  AoClientOptions options;
  options.service = {args.ao_backend, args.ao_nfqueue_base, args.ao_keylog, args.port};
  options.requirement = *args.ao;
  auto client = start_ao_client(options, transport.remote, log);
  if (!client) return common::Unexpected(client.error());
  transport.ao = std::move(*client);
  return {};
}

}  // namespace

json RunReport::to_json() const {
  json out = {{"ok", error.empty()},
              {"established_ms", optional_json(established_ms)},
              {"push_ms", optional_json(push_ms)},
              {"converge_ms", optional_json(converge_ms)},
              {"messages", stream.messages},
              {"bytes", stream.bytes},
              {"prefixes", stream.prefixes()},
              {"updates_in", counters.updates_in},
              {"keepalives_in", counters.keepalives_in},
              {"keepalives_out", counters.keepalives_out},
              {"transport", transport}};
  if (peer) {
    out["peer"] = {
        {"state", peer->state}, {"received", peer->received}, {"accepted", peer->accepted}};
  }
  if (tls) {
    out["tls"] = {{"version", tls->version},
                  {"cipher", tls->cipher},
                  {"alpn", tls->alpn},
                  {"peer_subject", tls->peer_subject},
                  {"peer_san", tls->peer_san},
                  {"handshake_us", tls->handshake_time.count()}};
  }
  if (ao) out["ao"] = ao->to_json();
  if (!error.empty()) out["error"] = error;
  return out;
}

boost::asio::awaitable<RunReport> run_injection(const InjectArgs& args,
                                                std::span<const std::uint8_t> stream,
                                                StreamSummary summary, common::log::Logger log,
                                                std::shared_ptr<StopHandle> stop) {
  RunReport report;
  report.stream = summary;
  TransportOptions transport;
  transport.remote = {boost::asio::ip::make_address(args.peer), args.port};
  if (args.local_address)
    transport.local_address = boost::asio::ip::make_address(*args.local_address);
  transport.connect_timeout = args.connect_timeout;
  if (!args.tls_ca.empty()) {
    auto tls = make_tls_client(
        {.ca_file = args.tls_ca, .cert_file = args.tls_cert, .key_file = args.tls_key, .alpn = {}},
        args.tls_peer_name);
    if (!tls) {
      report.error = "TLS: " + tls.error();
      co_return report;
    }
    transport.tls = std::move(*tls);
  }
  if (args.ao) {
    if (auto added = add_tcp_ao(args, transport, log); !added) {
      report.error = "TCP-AO: " + added.error();
      co_return report;
    }
  }

  SessionConfig config;
  config.asn = args.asn;
  config.router_id = args.router_id;
  config.hold_time = args.hold_time;
  config.peer_as = args.peer_as;
  config.families = summary.families();
  config.extended_message = args.stream.session.extended_message;
  const StreamRequirements needs{summary.families(), args.stream.session.four_octet_as,
                                 summary.largest_message};

  const auto start = Clock::now();
  auto connected = co_await open_transport(transport);
  if (!connected) {
    report.error = fmt::format("connecting to {} port {}: {}", args.peer, args.port,
                               connected.error().message());
    co_return report;
  }
  if (stop->stop_requested) {
    report.error = "interrupted";
    co_return report;
  }
  const auto ao = (*connected)->ao();
  auto session = InjectorSession::create(std::move(*connected), config, needs, log);
  stop->session = session;
  report.transport = session->info().description();
  report.tls = session->info().tls;

  auto step = co_await session->establish();
  if (step) {
    report.established_ms = ms_since(start);
    const auto push_start = Clock::now();
    step = co_await session->push(stream, args.push_timeout);
    if (step) report.push_ms = ms_since(push_start);
    if (step && args.expect) {
      const std::string neighbor =
          args.neighbor.empty() ? canonical(session->info().local.address()) : args.neighbor;
      step = co_await converge(args, *session, neighbor, report);
      if (step) report.converge_ms = ms_since(push_start);
    }
    if (step && args.hold_open.count() > 0) {
      step = co_await session->hold(args.hold_open);
      // A signal while holding is the expected way to end early.
      if (!step && stop->stop_requested) step = InjectorSession::Result{};
    }
  }
  if (!step) report.error = step.error();
  if (ao) {
    report.ao = make_ao_report(ao->backend(), ao->status(Clock::now()),
                               transport.ao->service->diagnostics());
  }
  // Built outside the co_await: g++ 12 destroys a temporary made by a
  // conditional expression inside a co_await expression twice.
  const std::string farewell = "bgp_inject: " + (step ? std::string("done") : step.error());
  co_await session->cease(farewell);
  report.counters = session->counters();
  stop->session.reset();
  co_return report;
}

}  // namespace injector
