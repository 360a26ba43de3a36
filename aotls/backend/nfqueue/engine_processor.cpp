#include "aotls/backend/nfqueue/engine_processor.hpp"

namespace aotls::backend::nfqueue {

userspace::PacketDirection to_packet_direction(Direction direction) {
  return direction == Direction::Outbound ? userspace::PacketDirection::Outbound
                                          : userspace::PacketDirection::Inbound;
}

Verdict to_shell_verdict(userspace::VerdictKind kind) {
  switch (kind) {
    case userspace::VerdictKind::Accept:
      return Verdict::Accept;
    case userspace::VerdictKind::AcceptRewritten:
      return Verdict::AcceptRewritten;
    case userspace::VerdictKind::Drop:
      return Verdict::Drop;
  }
  return Verdict::Drop;  // fail closed on a value outside the enum
}

Verdict EngineProcessor::process(Direction direction, std::span<const std::uint8_t> packet,
                                 std::vector<std::uint8_t>& rewritten) {
  const std::lock_guard lock(mutex_);
  const auto verdict = engine_.process(to_packet_direction(direction), packet, rewritten);
  if (verdict.kind == userspace::VerdictKind::Drop) {
    const auto index = static_cast<std::size_t>(verdict.reason);
    if (index < drops_.size()) ++drops_[index];
  }
  return to_shell_verdict(verdict.kind);
}

std::uint64_t EngineProcessor::drops(userspace::DropReason reason) const {
  const std::lock_guard lock(mutex_);
  const auto index = static_cast<std::size_t>(reason);
  return index < drops_.size() ? drops_[index] : 0;
}

}  // namespace aotls::backend::nfqueue
