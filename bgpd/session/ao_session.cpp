// bgpd/session/ao_session.cpp - see ao_session.hpp.
#include "bgpd/session/ao_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

#include "common/overloaded.hpp"

namespace bgpd::session {

namespace asio = boost::asio;

namespace {

// Profile section 4: polls once a second when nothing is open; the derived
// keying asks for its own pace, and a failed one retries at this one (its
// error stays in the status for the CLI).
constexpr auto kSlowTick = std::chrono::seconds(1);

}  // namespace

AoSession::AoSession(std::shared_ptr<const void> keepalive, std::string backend,
                     std::unique_ptr<aotls::backend::TcpAoSocket> socket,
                     const aotls::keying::KeyingOptions& options)
    : keepalive_(std::move(keepalive)),
      backend_(std::move(backend)),
      socket_(std::move(socket)),
      peer_(options.peer) {
  // The keying never outlives this AoSession: forwarding through `this` is safe.
  auto forwarding = options;
  forwarding.kick = [this] {
    if (kick_) kick_();
  };
  keying_ = std::make_unique<aotls::keying::ConnectionKeying>(*socket_, forwarding);
}

AoSession::AoSession(std::shared_ptr<const void> keepalive, std::string backend,
                     std::unique_ptr<aotls::backend::TcpAoSocket> socket,
                     aotls::backend::PeerPrefix peer, std::vector<aotls::rekey::ChainKey> chain)
    : keepalive_(std::move(keepalive)),
      backend_(std::move(backend)),
      socket_(std::move(socket)),
      peer_(peer),
      chain_(std::make_unique<aotls::rekey::StaticChain>(std::move(chain))) {}

aotls::keying::KeyingStatus AoSession::status(std::chrono::steady_clock::time_point now) const {
  if (keying_) return keying_->status(now);
  aotls::keying::KeyingStatus out;
  out.state = "static";
  out.keys_deleted = keys_deleted_;
  out.last_error = chain_error_;
  aotls::keying::read_socket_status(*socket_, out);
  return out;
}

std::chrono::steady_clock::time_point AoSession::tick(std::chrono::steady_clock::time_point now) {
  if (!keying_) return tick_static(now);
  const auto wake = keying_->tick(now);
  // A failed keying keeps its error for the status; look again later.
  return wake ? *wake : now + kSlowTick;
}

void AoSession::set_chain(std::vector<aotls::rekey::ChainKey> chain) {
  if (chain_) chain_->set_chain(std::move(chain));
}

std::chrono::steady_clock::time_point AoSession::tick_static(
    std::chrono::steady_clock::time_point now) {
  const auto polled = aotls::backend::poll(*socket_, now, aotls::keys::BackendPolled{}.rto);
  if (!polled) {
    chain_error_ = "reading keys: " + polled.error().message();
    return now + kSlowTick;
  }
  const auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  bool kick = false;
  chain_error_.reset();
  for (auto& action : chain_->update(unix_now, *polled)) {
    const std::error_code ec = std::visit(
        common::Overloaded{
            [&](const aotls::keys::InstallKey& a) { return aotls::backend::apply(*socket_, peer_, a); },
            [&](const aotls::keys::DeleteKey& a) {
              const auto deleted = aotls::backend::apply(*socket_, peer_, a);
              if (!deleted) ++keys_deleted_;
              return deleted;
            },
            [&](const aotls::keys::SetRNext& a) { return aotls::backend::apply(*socket_, a); },
            [&](const aotls::rekey::Kick&) {
              kick = true;
              return std::error_code();
            },
            // A static chain never sets Current_key, polls or derives.
            [](const auto&) { return std::error_code(); },
        },
        action);
    if (ec) chain_error_ = "key chain: " + ec.message();
  }
  if (chain_->status().no_valid_key) chain_error_ = "no key of the chain inside its lifetimes";
  if (kick && kick_) kick_();
  return now + kSlowTick;
}

namespace {

asio::awaitable<void> drive(std::weak_ptr<AoSession> weak) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    timer.expires_at(next);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    const auto ao = weak.lock();
    if (!ao) co_return;
    next = ao->tick(std::chrono::steady_clock::now());
  }
}

}  // namespace

void start_ao_timer(boost::asio::any_io_executor executor,
                    const std::shared_ptr<AoSession>& session) {
  asio::co_spawn(std::move(executor), drive(session), asio::detached);
}

namespace {

class AoFailureCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tcp-ao"; }
  std::string message(int value) const override {
    switch (static_cast<AoFailure>(value)) {
      case AoFailure::ArmFailed:
        return "TCP-AO: the TLS connection could not announce tcp_ao";
      case AoFailure::KeyingFailed:
        return "TCP-AO: keys from the TLS exporter could not be installed";
      case AoFailure::PeerWithoutExtension:
        return "TCP-AO required: the peer sent no tcp_ao extension (or another ExtensionType)";
      case AoFailure::PeerAnnouncementInvalid:
        return "TCP-AO: the peer's tcp_ao extension is malformed or names unsupported "
               "algorithms";
    }
    return "TCP-AO failure";
  }
};

}  // namespace

const std::error_category& ao_failure_category() {
  static const AoFailureCategory category;
  return category;
}

std::error_code make_error_code(AoFailure failure) {
  return {static_cast<int>(failure), ao_failure_category()};
}

}  // namespace bgpd::session
