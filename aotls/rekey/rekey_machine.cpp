#include "aotls/rekey/rekey_machine.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

namespace aotls::rekey {

namespace {

RekeyError to_rekey_error(keys::KeyError error) {
  switch (error) {
    case keys::KeyError::OutOfOrder:
      return RekeyError::OutOfOrder;
    case keys::KeyError::UnexpectedGeneration:
      return RekeyError::UnexpectedGeneration;
    case keys::KeyError::MixedAlgorithms:
      return RekeyError::MixedAlgorithms;
    case keys::KeyError::EmptySecret:
      return RekeyError::EmptySecret;
  }
  return RekeyError::OutOfOrder;
}

void append(RekeyActions& out, keys::KeyActions&& in) {
  for (keys::KeyAction& action : in) {
    std::visit([&](auto&& a) { out.emplace_back(std::forward<decltype(a)>(a)); },
               std::move(action));
  }
}

}  // namespace

std::string_view to_string(RolloverTrigger trigger) {
  switch (trigger) {
    case RolloverTrigger::Timer:
      return "timer";
    case RolloverTrigger::Bytes:
      return "bytes";
    case RolloverTrigger::Operator:
      return "operator";
    case RolloverTrigger::Peer:
      return "peer";
  }
  return "unknown trigger";
}

std::string_view to_string(RekeyPhase phase) {
  switch (phase) {
    case RekeyPhase::Installing:
      return "installing";
    case RekeyPhase::Ready:
      return "ready";
    case RekeyPhase::Rolling:
      return "rolling";
    case RekeyPhase::Deriving:
      return "deriving";
  }
  return "unknown phase";
}

std::string_view to_string(RekeyError error) {
  switch (error) {
    case RekeyError::OutOfOrder:
      return "event out of order";
    case RekeyError::UnexpectedGeneration:
      return "secrets for an unexpected generation";
    case RekeyError::MixedAlgorithms:
      return "MAC and KDF algorithms do not form a supported pair";
    case RekeyError::EmptySecret:
      return "empty master key";
    case RekeyError::NotReady:
      return "no rollover before generation 2 is installed";
    case RekeyError::RolloverInProgress:
      return "a rollover is already in progress";
  }
  return "unknown rekey error";
}

std::string to_string(const RekeyStatus& status) {
  std::string out = "generation " + std::to_string(status.generation) + ", " +
                    std::to_string(status.rollovers_done) + " rollovers";
  if (status.last_rollover_duration) {
    out += ", last " + std::to_string(status.last_rollover_duration->count()) + " ms";
  }
  if (status.last_trigger) out += " (" + std::string(to_string(*status.last_trigger)) + ")";
  return out + ", " + std::string(to_string(status.phase));
}

RekeyMachine::RekeyMachine(keys::Side side, RekeyConfig config, Generation first)
    : side_(side), config_(config), installer_(side, first), table_(side) {}

common::Expected<RekeyMachine::Resumed, RekeyError> RekeyMachine::resume(
    keys::Side side, RekeyConfig config, keys::SecretsDerived current, keys::SecretsDerived next,
    TimePoint now) {
  const Generation g = current.generation;
  if (g < keys::kFirstDerivedGeneration || next.generation != g + 1) {
    return common::Unexpected(RekeyError::UnexpectedGeneration);
  }
  Resumed resumed{RekeyMachine(side, config), {}};
  RekeyMachine& machine = resumed.machine;
  for (keys::SecretsDerived* secrets : {&current, &next}) {
    auto installed = machine.table_.install(std::move(*secrets));
    if (!installed) return common::Unexpected(to_rekey_error(installed.error()));
    append(resumed.actions, std::move(*installed));
  }
  // On an empty socket the first key added becomes RNext_key too: let that
  // be g's receive key (the client's install order puts its send key
  // first). An RNextKeyID naming one of our send KeyIDs would make the
  // peer's stack send under its receive key of that ID (profile section 3).
  if (side == keys::Side::Client) std::swap(resumed.actions[0], resumed.actions[1]);
  const keys::KeyLayout layout = keys::key_layout(side, g);
  resumed.actions.emplace_back(keys::SetCurrent{layout.send_key_id});
  resumed.actions.emplace_back(keys::SetRNext{layout.receive_key_id});
  machine.phase_ = RekeyPhase::Ready;
  machine.current_ = g;
  machine.now_ = now;
  machine.triggers_since_ = now;
  machine.next_poll_ = now + keys::kSlowPollInterval;
  return resumed;
}

common::Expected<RekeyActions, RekeyError> RekeyMachine::handle(RekeyEvent event) {
  return std::visit([this](auto&& e) { return on(std::forward<decltype(e)>(e)); },
                    std::move(event));
}

const std::vector<keys::KeyRecord>& RekeyMachine::keys() const {
  return phase_ == RekeyPhase::Installing ? installer_.keys() : table_.keys();
}

RekeyStatus RekeyMachine::status() const {
  RekeyStatus status;
  status.phase = phase_;
  status.generation = phase_ == RekeyPhase::Installing
                          ? std::min(installer_.generation(), installer_.first())
                          : current_;
  status.rollovers_done = rollovers_done_;
  status.last_rollover_duration = last_rollover_duration_;
  status.last_trigger = last_trigger_;
  status.rollover_in_progress = phase_ == RekeyPhase::Rolling || phase_ == RekeyPhase::Deriving;
  return status;
}

// Hands the installer the event; when it reaches NextInstalled (generation 1
// current, 2 installed), its key table becomes ours.
common::Expected<RekeyActions, RekeyError> RekeyMachine::delegate(keys::KeyEvent event) {
  auto done = installer_.handle(std::move(event));
  if (!done) return common::Unexpected(to_rekey_error(done.error()));
  RekeyActions actions;
  append(actions, std::move(*done));
  if (installer_.phase() == keys::KeyPhase::NextInstalled) {
    table_ = installer_.table();
    current_ = installer_.generation() - 1;
    phase_ = RekeyPhase::Ready;
    if (now_) next_poll_ = *now_ + poll_interval();
  }
  return actions;
}

common::Expected<RekeyActions, RekeyError> RekeyMachine::on(keys::DefaultMktInstalled event) {
  if (phase_ != RekeyPhase::Installing) return common::Unexpected(RekeyError::OutOfOrder);
  return delegate(event);
}

common::Expected<RekeyActions, RekeyError> RekeyMachine::on(keys::SecretsDerived&& event) {
  if (phase_ == RekeyPhase::Installing) return delegate(std::move(event));
  if (phase_ != RekeyPhase::Deriving) return common::Unexpected(RekeyError::OutOfOrder);
  if (event.generation != current_ + 1) {
    return common::Unexpected(RekeyError::UnexpectedGeneration);
  }
  auto installed = table_.install(std::move(event));
  if (!installed) return common::Unexpected(to_rekey_error(installed.error()));
  // Profile section 4: g+1 waits installed, unused, until a rollover asks
  // for it; neither Current_key nor RNext_key changes here.
  RekeyActions actions;
  append(actions, std::move(*installed));
  phase_ = RekeyPhase::Ready;
  return actions;
}

common::Expected<RekeyActions, RekeyError> RekeyMachine::on(const keys::BackendPolled& event) {
  if (!triggers_since_) triggers_since_ = event.now;
  now_ = event.now;
  if (phase_ == RekeyPhase::Installing) return delegate(event);

  RekeyActions actions;
  bool kick = false;
  // The peer started a rollover: its RNextKeyID named the SendID of our g+1
  // send key and the stack switched to it. Answer in kind so the peer's
  // send key moves too. Decided before the table takes the poll in,
  // so g's send key, already off Current_key, goes in this same batch.
  if (phase_ == RekeyPhase::Ready &&
      event.current_key == keys::key_layout(side_, current_ + 1).send_key_id) {
    start_rollover(RolloverTrigger::Peer, actions);
    kick = true;
  }
  table_.observe(event);
  append(actions, table_.due_deletions(event.now, event.rto));
  if (phase_ == RekeyPhase::Rolling && !table_.holds_older_than(current_)) {
    // We send under g+1, the peer was seen sending under it (the receive
    // key's retirement waits for that), and g is gone: complete. Profile
    // section 4: g+2 is installed next; any completed rollover restarts
    // the timer and the byte count.
    ++rollovers_done_;
    if (rollover_started_) {
      last_rollover_duration_ =
          std::chrono::duration_cast<Duration>(event.now - *rollover_started_);
    }
    restart_triggers();
    phase_ = RekeyPhase::Deriving;
    actions.emplace_back(keys::DeriveSecrets{current_ + 1});
  } else if (phase_ == RekeyPhase::Ready) {
    if (const auto trigger = due_trigger(event.now)) {
      start_rollover(*trigger, actions);
      kick = true;
    }
  }
  if (kick) actions.emplace_back(Kick{});
  next_poll_ = event.now + poll_interval();
  return actions;
}

common::Expected<RekeyActions, RekeyError> RekeyMachine::on(const keys::TimePassed& event) {
  if (!triggers_since_) triggers_since_ = event.now;
  now_ = event.now;
  if (phase_ == RekeyPhase::Installing) return delegate(event);

  RekeyActions actions;
  if (phase_ == RekeyPhase::Ready) {
    if (const auto trigger = due_trigger(event.now)) {
      start_rollover(*trigger, actions);
      actions.emplace_back(Kick{});
    }
  }
  if (!next_poll_ || event.now >= *next_poll_) {
    actions.emplace_back(keys::PollBackend{});
    next_poll_ = event.now + poll_interval();
  }
  return actions;
}

common::Expected<RekeyActions, RekeyError> RekeyMachine::on(const BytesTransferred& event) {
  const std::uint64_t room = std::numeric_limits<std::uint64_t>::max() - bytes_since_;
  bytes_since_ += std::min(event.bytes, room);
  RekeyActions actions;
  if (phase_ == RekeyPhase::Ready && now_) {
    if (const auto trigger = due_trigger(*now_)) {
      start_rollover(*trigger, actions);
      actions.emplace_back(Kick{});
    }
  }
  return actions;
}

common::Expected<RekeyActions, RekeyError> RekeyMachine::on(const RolloverCommand&) {
  switch (phase_) {
    case RekeyPhase::Installing:
      return common::Unexpected(RekeyError::NotReady);
    case RekeyPhase::Rolling:
    case RekeyPhase::Deriving:
      return common::Unexpected(RekeyError::RolloverInProgress);
    case RekeyPhase::Ready:
      break;
  }
  RekeyActions actions;
  start_rollover(RolloverTrigger::Operator, actions);
  actions.emplace_back(Kick{});
  return actions;
}

std::optional<TimePoint> RekeyMachine::timer_due() const {
  if (phase_ != RekeyPhase::Ready || !config_.rekey_interval || !triggers_since_) {
    return std::nullopt;
  }
  return *triggers_since_ + *config_.rekey_interval;
}

std::optional<RolloverTrigger> RekeyMachine::due_trigger(TimePoint now) const {
  if (config_.rekey_after_bytes && bytes_since_ >= *config_.rekey_after_bytes) {
    return RolloverTrigger::Bytes;
  }
  if (config_.rekey_interval && triggers_since_ &&
      now - *triggers_since_ >= *config_.rekey_interval) {
    return RolloverTrigger::Timer;
  }
  return std::nullopt;
}

// Profile section 4: ask for g+1 (RNextKeyID := our g+1 receive KeyID) and
// keep sending under g; the caller kicks once the batch's backend calls are
// listed. g's keys retire from now on, each when its condition holds.
void RekeyMachine::start_rollover(RolloverTrigger trigger, RekeyActions& actions) {
  current_ += 1;
  phase_ = RekeyPhase::Rolling;
  rollover_started_ = now_;
  last_trigger_ = trigger;
  actions.emplace_back(keys::SetRNext{keys::key_layout(side_, current_).receive_key_id});
  table_.retire_older_than(current_);
  // A rollover is open: poll fast from now on.
  if (now_) next_poll_ = std::min(next_poll_.value_or(*now_), *now_ + keys::kFastPollInterval);
}

void RekeyMachine::restart_triggers() {
  triggers_since_ = now_;
  bytes_since_ = 0;
}

Duration RekeyMachine::poll_interval() const {
  const bool open = phase_ != RekeyPhase::Ready || table_.retiring();
  return open ? keys::kFastPollInterval : keys::kSlowPollInterval;
}

}  // namespace aotls::rekey
