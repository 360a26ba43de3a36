// bgpd/session/ao_session.cpp - see ao_session.hpp.
#include "bgpd/session/ao_session.hpp"

namespace bgpd::session {

AoSession::AoSession(std::shared_ptr<const void> keepalive, std::string backend,
                     std::unique_ptr<aotls::backend::TcpAoSocket> socket,
                     const aotls::keying::KeyingOptions& options)
    : keepalive_(std::move(keepalive)),
      backend_(std::move(backend)),
      socket_(std::move(socket)) {
  // The keying never outlives this AoSession: forwarding through `this` is safe.
  auto forwarding = options;
  forwarding.kick = [this] {
    if (kick_) kick_();
  };
  keying_ = std::make_unique<aotls::keying::ConnectionKeying>(*socket_, forwarding);
}

AoSession::AoSession(std::shared_ptr<const void> keepalive, std::string backend,
                     std::unique_ptr<aotls::backend::TcpAoSocket> socket)
    : keepalive_(std::move(keepalive)), backend_(std::move(backend)), socket_(std::move(socket)) {}

aotls::keying::KeyingStatus AoSession::status(std::chrono::steady_clock::time_point now) const {
  if (keying_) return keying_->status(now);
  aotls::keying::KeyingStatus out;
  out.state = "static";
  aotls::keying::read_socket_status(*socket_, out);
  return out;
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
