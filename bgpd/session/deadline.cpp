// bgpd/session/deadline.cpp - see deadline.hpp.
#include "bgpd/session/deadline.hpp"

namespace bgpd::session {

struct Deadline::State {
  explicit State(boost::asio::any_io_executor executor, std::function<void()> expire)
      : timer(std::move(executor)), on_expire(std::move(expire)) {}
  boost::asio::steady_timer timer;
  std::function<void()> on_expire;
  bool armed = true;
  bool expired = false;
};

Deadline::Deadline(boost::asio::any_io_executor executor,
                   std::chrono::steady_clock::duration timeout, std::function<void()> on_expire)
    : state_(std::make_shared<State>(std::move(executor), std::move(on_expire))) {
  state_->timer.expires_after(timeout);
  arm();
}

Deadline::~Deadline() {
  state_->armed = false;
  state_->timer.cancel();
}

bool Deadline::expired() const {
  return state_->expired;
}

void Deadline::restart(std::chrono::steady_clock::duration timeout) {
  // Cancelling completes the pending wait with operation_aborted, which the
  // handler ignores; the new wait below carries on.
  state_->timer.expires_after(timeout);
  arm();
}

void Deadline::arm() {
  state_->timer.async_wait([state = state_](const boost::system::error_code& ec) {
    if (ec || !state->armed || state->expired) return;
    // A restart() after this wait was queued moved the expiry: not expired.
    if (state->timer.expiry() > std::chrono::steady_clock::now()) return;
    state->expired = true;
    state->on_expire();
  });
}

}  // namespace bgpd::session
