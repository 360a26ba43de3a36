// aotls/backend/nfqueue/userspace_socket.hpp - TcpAoSocket for the userspace
// TCP-AO backend: one engine socket (UserspaceTcpAo's SocketId) whose key
// API is reached through EngineProcessor::with_engine, and the reading of a
// real socket's ends (getsockname/getpeername) into the engine's 4-tuple.
//
// Why the lock on every call: the engine is not thread-safe and the NFQUEUE
// thread uses it for every packet; a key change then lands between two
// packets (engine_processor.hpp). Several daemon threads may call one socket.
// Why the 4-tuple: the engine matches packets to connections by 4-tuple
// (engine.hpp), so a connection socket must be bound - local address and
// port known - before its keys go on, as the kernel backend's go on before
// connect().
// Must not depend on: bgpd, Asio, logging.
#pragma once

#include <cstdint>
#include <system_error>
#include <utility>
#include <vector>

#include "aotls/backend/backend.hpp"
#include "aotls/backend/nfqueue/engine_processor.hpp"
#include "aotls/backend/userspace/engine.hpp"
#include "common/expected.hpp"

namespace aotls::backend::nfqueue {

// Why the userspace backend refused a socket (before any key call).
enum class AttachErrc {
  NotBound = 1,          // local port 0: bind() before attaching
  WildcardLocalAddress,  // a connection bound to 0.0.0.0/:: - its source is not known yet
  UnknownPeer,           // a connection without remote_addr/remote_port and not connected
  FlowInUse,             // another attached socket holds the same 4-tuple
};

const std::error_category& attach_category();
std::error_code make_error_code(AttachErrc errc);

}  // namespace aotls::backend::nfqueue

template <>
struct std::is_error_code_enum<aotls::backend::nfqueue::AttachErrc> : std::true_type {};

namespace aotls::backend::nfqueue {

// One end of a socket as the engine sees it.
struct SocketEnd {
  segment::IpAddress address;
  std::uint16_t port = 0;
};

// getsockname / getpeername. An IPv4-mapped IPv6 address becomes IPv4: such
// a socket's segments travel as IPv4 packets, which is what the engine sees.
// Errors: the system call's errno (std::system_category()).
common::Expected<SocketEnd, std::error_code> local_end(int fd);
common::Expected<SocketEnd, std::error_code> remote_end(int fd);

// A listener's local end: bound (port != 0); the address may be wildcard.
common::Expected<SocketEnd, std::error_code> listener_end(const SocketSetup& setup);
// A connection's 4-tuple: the bound local end (specific address, port != 0)
// and setup.remote_* or, when absent, getpeername (accepted sockets).
common::Expected<userspace::FlowTuple, std::error_code> connection_flow(const SocketSetup& setup);

// Told when an attached socket goes away, so that its engine socket can be
// closed (at once or after the linger time).
class SocketOwner {
 public:
  virtual void release(userspace::SocketId id, SocketRole role) = 0;

 protected:
  ~SocketOwner() = default;
};

class UserspaceAoSocket final : public TcpAoSocket {
 public:
  // `processor` and `owner` must outlive this object.
  UserspaceAoSocket(EngineProcessor& processor, SocketOwner& owner, userspace::SocketId id,
                    SocketRole role)
      : processor_(processor), owner_(owner), id_(id), role_(role) {}
  ~UserspaceAoSocket() override { owner_.release(id_, role_); }

  userspace::SocketId id() const { return id_; }

  SocketRole role() const override { return role_; }
  std::error_code add_key(const PeerPrefix& peer, const keys::Mkt& mkt) override;
  std::error_code delete_key(const PeerPrefix& peer, keys::KeyId send_id, keys::KeyId recv_id,
                             const KeyReplacement& replacement) override;
  std::error_code set_current(keys::KeyId send_id) override;
  std::error_code set_rnext(keys::KeyId recv_id) override;
  common::Expected<ConnectionStatus, std::error_code> status() override;
  common::Expected<std::vector<KeyCounters>, std::error_code> key_counters() override;

 private:
  // Runs fn(KeyRing&) under the engine lock; `missing` when the engine no
  // longer knows the socket (it is closed only after release()).
  template <typename Fn, typename Result>
  Result on_ring(Fn&& fn, Result missing);

  EngineProcessor& processor_;
  SocketOwner& owner_;
  userspace::SocketId id_;
  SocketRole role_;
};

// What attach() hands out for a socket it refused: every call answers the
// refusal, so a caller of the generic Backend interface sees why on its
// first key call instead of dereferencing a null socket.
class RefusedAoSocket final : public TcpAoSocket {
 public:
  RefusedAoSocket(SocketRole role, std::error_code why) : role_(role), why_(why) {}

  SocketRole role() const override { return role_; }
  std::error_code add_key(const PeerPrefix&, const keys::Mkt&) override { return why_; }
  std::error_code delete_key(const PeerPrefix&, keys::KeyId, keys::KeyId,
                             const KeyReplacement&) override {
    return why_;
  }
  std::error_code set_current(keys::KeyId) override { return why_; }
  std::error_code set_rnext(keys::KeyId) override { return why_; }
  common::Expected<ConnectionStatus, std::error_code> status() override {
    return common::Unexpected(why_);
  }
  common::Expected<std::vector<KeyCounters>, std::error_code> key_counters() override {
    return common::Unexpected(why_);
  }

 private:
  SocketRole role_;
  std::error_code why_;
};

}  // namespace aotls::backend::nfqueue
