// bgpd/session/deadline.hpp - a watchdog timer for one asynchronous step.
//
// Asio 1.74 has no awaitable operators (op || timer), so a timeout is a
// watchdog: a timer that, when it fires, calls on_expire (typically closing
// or cancelling a socket) and thereby completes the guarded operation with
// operation_aborted. expired() then tells the caller to report timed_out.
//
// The timer's handler shares its state with the Deadline, and the destructor
// disarms it: a handler that was already queued when the guarded operation
// finished never calls on_expire on a socket that is gone. Create, use and
// destroy a Deadline on one strand.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace bgpd::session {

class Deadline {
 public:
  Deadline(boost::asio::any_io_executor executor, std::chrono::steady_clock::duration timeout,
           std::function<void()> on_expire);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  bool expired() const;
  // Starts the countdown again (idle timeouts: call after each activity).
  void restart(std::chrono::steady_clock::duration timeout);

 private:
  struct State;
  void arm();
  std::shared_ptr<State> state_;
};

}  // namespace bgpd::session
