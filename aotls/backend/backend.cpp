// aotls/backend/backend.cpp - see backend.hpp.
#include "aotls/backend/backend.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace aotls::backend {
namespace {

class BackendCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "aotls.backend"; }
  std::string message(int value) const override {
    switch (static_cast<BackendErrc>(value)) {
      case BackendErrc::ListeningSocket:
        return "a listening socket has no Current_key or RNext_key";
      case BackendErrc::AddressFamilyMismatch:
        return "peer address family does not fit the socket";
      case BackendErrc::BadPrefix:
        return "bad peer prefix";
      case BackendErrc::UnsupportedAlgorithm:
        return "MAC/KDF pair not supported";
      case BackendErrc::BadKeyLength:
        return "master key empty or longer than 80 bytes";
      case BackendErrc::KernelUnsupported:
        return "kernel TCP-AO backend unavailable";
    }
    return "unknown aotls.backend error";
  }
};

struct ChoiceName {
  BackendChoice choice;
  std::string_view name;
};
constexpr std::array<ChoiceName, 3> kChoiceNames{{
    {BackendChoice::Auto, "auto"},
    {BackendChoice::Kernel, "kernel"},
    {BackendChoice::Userspace, "userspace"},
}};

}  // namespace

const std::error_category& backend_category() {
  static const BackendCategory category;
  return category;
}

std::error_code make_error_code(BackendErrc errc) {
  return {static_cast<int>(errc), backend_category()};
}

PeerPrefix PeerPrefix::host(const segment::IpAddress& address) {
  return {address, static_cast<std::uint8_t>(address.bytes().size() * 8)};
}

std::error_code validate(const PeerPrefix& peer) {
  const auto bytes = peer.address.bytes();
  if (peer.prefix_len > bytes.size() * 8) return BackendErrc::BadPrefix;
  const bool unspecified = std::all_of(bytes.begin(), bytes.end(), [](auto b) { return b == 0; });
  // Linux: /0 only for the wildcard address, and the wildcard only as /0.
  if ((peer.prefix_len == 0) != unspecified) return BackendErrc::BadPrefix;
  for (std::size_t bit = peer.prefix_len; bit < bytes.size() * 8; ++bit) {
    if ((bytes[bit / 8] >> (7 - bit % 8)) & 1U) return BackendErrc::BadPrefix;
  }
  return {};
}

std::string_view to_string(BackendKind kind) {
  return kind == BackendKind::Kernel ? "kernel" : "userspace";
}

std::string_view to_string(BackendChoice choice) {
  for (const auto& entry : kChoiceNames) {
    if (entry.choice == choice) return entry.name;
  }
  return "?";
}

std::optional<BackendChoice> backend_choice_from_string(std::string_view text) {
  for (const auto& entry : kChoiceNames) {
    if (entry.name == text) return entry.choice;
  }
  return std::nullopt;
}

common::Expected<BackendKind, std::error_code> select_backend(BackendChoice choice,
                                                              const ProbeResult& kernel_probe) {
  switch (choice) {
    case BackendChoice::Userspace:
      return BackendKind::Userspace;
    case BackendChoice::Kernel:
      if (!kernel_probe.supported) {
        return common::Unexpected(make_error_code(BackendErrc::KernelUnsupported));
      }
      return BackendKind::Kernel;
    case BackendChoice::Auto:
      break;
  }
  return kernel_probe.supported ? BackendKind::Kernel : BackendKind::Userspace;
}

std::error_code apply(TcpAoSocket& socket, const PeerPrefix& peer, const keys::InstallKey& action) {
  return socket.add_key(peer, action.mkt);
}

std::error_code apply(TcpAoSocket& socket, const PeerPrefix& peer, const keys::DeleteKey& action) {
  return socket.delete_key(peer, action.send_id, action.recv_id, KeyReplacement{});
}

std::error_code apply(TcpAoSocket& socket, const keys::SetCurrent& action) {
  return socket.set_current(action.send_id);
}

std::error_code apply(TcpAoSocket& socket, const keys::SetRNext& action) {
  return socket.set_rnext(action.recv_id);
}

common::Expected<keys::BackendPolled, std::error_code> poll(TcpAoSocket& socket,
                                                            keys::TimePoint now,
                                                            keys::Duration rto) {
  auto status = socket.status();
  if (!status) return common::Unexpected(status.error());
  auto counters = socket.key_counters();
  if (!counters) return common::Unexpected(counters.error());
  keys::BackendPolled polled;
  polled.now = now;
  polled.rto = rto;
  polled.current_key = status->current_key_id;
  polled.rnext_key = status->rnext_key_id;
  for (const auto& key : *counters) {
    polled.keys.push_back({key.send_id, key.recv_id, key.good});
  }
  return polled;
}

}  // namespace aotls::backend
