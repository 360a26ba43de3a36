#include "aotls/keys/key_installer.hpp"

#include <utility>

namespace aotls::keys {

std::string_view to_string(KeyPhase phase) {
  switch (phase) {
    case KeyPhase::Idle:
      return "idle";
    case KeyPhase::DefaultOnly:
      return "default-only";
    case KeyPhase::Switching:
      return "switching";
    case KeyPhase::Derived:
      return "derived";
    case KeyPhase::NextInstalled:
      return "next-installed";
  }
  return "unknown phase";
}

common::Expected<KeyActions, KeyError> KeyInstaller::handle(KeyEvent event) {
  return std::visit([this](auto&& e) { return on(std::forward<decltype(e)>(e)); },
                    std::move(event));
}

common::Expected<KeyActions, KeyError> KeyInstaller::on(const DefaultMktInstalled&) {
  if (phase_ != KeyPhase::Idle) return common::Unexpected(KeyError::OutOfOrder);
  table_.add(make_default_mkt());
  phase_ = KeyPhase::DefaultOnly;
  return KeyActions{};
}

common::Expected<KeyActions, KeyError> KeyInstaller::on(SecretsDerived&& event) {
  const bool first = phase_ == KeyPhase::DefaultOnly;
  if (!first && phase_ != KeyPhase::Derived) return common::Unexpected(KeyError::OutOfOrder);
  const Generation g = event.generation;
  if (g != (first ? first_ : generation_ + 1)) {
    return common::Unexpected(KeyError::UnexpectedGeneration);
  }

  auto installed = table_.install(std::move(event));
  if (!installed) return installed;
  KeyActions actions = std::move(*installed);
  generation_ = g;
  if (!first) {
    // Profile section 4: g+1 waits installed, unused, until a rollover asks
    // for it; neither Current_key nor RNext_key changes here.
    phase_ = KeyPhase::NextInstalled;
    return actions;
  }
  // Step 1, server: RNextKeyID = c(1) before its flight leaves; Current_key
  // stays on the default until the client asks for s(1). Step 2, client:
  // current = c(1) and RNextKeyID = s(1) before its Finished leaves.
  const KeyLayout layout = key_layout(side_, g);
  if (side_ == Side::Client) actions.emplace_back(SetCurrent{layout.send_key_id});
  actions.emplace_back(SetRNext{layout.receive_key_id});
  // Profile section 3 step 4: the default MKT is now retired like any old
  // receive key (section 4's hold-down).
  table_.retire_older_than(g);
  phase_ = KeyPhase::Switching;
  return actions;
}

common::Expected<KeyActions, KeyError> KeyInstaller::on(const BackendPolled& event) {
  if (phase_ == KeyPhase::Idle) return common::Unexpected(KeyError::OutOfOrder);
  table_.observe(event);
  KeyActions actions = table_.due_deletions(event.now, event.rto);
  if (phase_ == KeyPhase::Switching && !table_.holds_older_than(generation_)) {
    // Profile section 4: g = 2 is installed right after the default MKT is
    // retired; its secrets come from TLS, so ask for them.
    phase_ = KeyPhase::Derived;
    actions.emplace_back(DeriveSecrets{generation_ + 1});
  }
  next_poll_ = event.now + poll_interval();
  return actions;
}

common::Expected<KeyActions, KeyError> KeyInstaller::on(const TimePassed& event) {
  KeyActions actions;
  if (phase_ == KeyPhase::Idle) return actions;
  if (!next_poll_ || event.now >= *next_poll_) {
    actions.emplace_back(PollBackend{});
    next_poll_ = event.now + poll_interval();
  }
  return actions;
}

Duration KeyInstaller::poll_interval() const {
  const bool open = phase_ == KeyPhase::Switching || table_.retiring();
  return open ? kFastPollInterval : kSlowPollInterval;
}

}  // namespace aotls::keys
