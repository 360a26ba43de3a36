// aotls/keying/keying_error.cpp - see keying_error.hpp.
#include "aotls/keying/keying_error.hpp"

namespace aotls::keying {
namespace {

class KeyingCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "aotls.keying"; }
  std::string message(int value) const override {
    switch (static_cast<KeyingErrc>(value)) {
      case KeyingErrc::HookUnavailable:
        return "OpenSSL could not store the exporter hook's state";
      case KeyingErrc::HookAlreadyRegistered:
        return "the exporter hook is already registered on this TLS context";
      case KeyingErrc::HookNotRun:
        return "the peer announced tcp_ao but no exporter secret was seen "
               "(exporter hook not registered on the TLS context?)";
      case KeyingErrc::WiringRefused:
        return "the tcp_ao extension could not be armed";
      case KeyingErrc::AlreadyArmed:
        return "the connection is already armed";
      case KeyingErrc::NotArmed:
        return "the connection was not armed with this TLS handle";
      case KeyingErrc::OutOfOrder:
        return "keying call out of order";
      case KeyingErrc::PeerRefused:
        return "the peer's tcp_ao outcome refuses the session";
      case KeyingErrc::ExporterFailed:
        return "TLS exporter failed";
      case KeyingErrc::KeyMachine:
        return "key machine refused the event";
      case KeyingErrc::Backend:
        return "TCP-AO backend call failed";
      case KeyingErrc::RolloverRefused:
        return "no rollover can start now";
    }
    return "unknown aotls.keying error";
  }
};

}  // namespace

const std::error_category& keying_category() {
  static const KeyingCategory category;
  return category;
}

std::error_code make_error_code(KeyingErrc errc) {
  return {static_cast<int>(errc), keying_category()};
}

KeyingError::KeyingError(KeyingErrc c, std::string_view detail, std::error_code why)
    : code(c), cause(why), message(make_error_code(c).message()) {
  if (!detail.empty()) {
    message += ": ";
    message += detail;
  }
  if (why) message += " (" + why.message() + ")";
}

}  // namespace aotls::keying
