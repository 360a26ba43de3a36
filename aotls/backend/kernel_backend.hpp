// aotls/backend/kernel_backend.hpp - the `kernel` backend: Linux >= 6.7
// with CONFIG_TCP_AO, driven through socket options 38-42 (our own uAPI
// definitions, linux_tcp_ao_uapi.hpp).
//
// Every system call goes through SocketOptions so that unit tests can run
// the backend against a fake kernel; SystemSocketOptions is the real one.
// Rules kept here rather than left to the kernel (profile section 5, specs
// digest 5.4): no set_current/set_rnext on listening sockets (refused before
// any call), TCP_AO_INFO writes re-send ao_required/accept_icmps as read
// (the kernel overwrites both on every write), secrets wiped from the
// option buffers after each call.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <system_error>

#include "aotls/backend/backend.hpp"
#include "common/expected.hpp"

namespace aotls::backend {

// The system calls the kernel backend makes. Errors are errno values in
// std::system_category().
class SocketOptions {
 public:
  virtual ~SocketOptions() = default;
  SocketOptions() = default;
  SocketOptions(const SocketOptions&) = delete;
  SocketOptions& operator=(const SocketOptions&) = delete;

  virtual std::error_code set(int fd, int level, int name, std::span<const std::byte> value) = 0;
  // `buffer` is what the kernel may write; `optlen` is getsockopt's in/out
  // length (for TCP_AO_GET_KEYS the size of one array element).
  virtual std::error_code get(int fd, int level, int name, std::span<std::byte> buffer,
                              std::size_t& optlen) = 0;
  // A fresh TCP socket for the probe, and its close.
  virtual common::Expected<int, std::error_code> open_tcp_socket(segment::IpVersion family) = 0;
  virtual void close_socket(int fd) = 0;
};

// ::setsockopt, ::getsockopt, ::socket, ::close.
class SystemSocketOptions final : public SocketOptions {
 public:
  std::error_code set(int fd, int level, int name, std::span<const std::byte> value) override;
  std::error_code get(int fd, int level, int name, std::span<std::byte> buffer,
                      std::size_t& optlen) override;
  common::Expected<int, std::error_code> open_tcp_socket(segment::IpVersion family) override;
  void close_socket(int fd) override;
};

// Specs digest 5.1: getsockopt(TCP_AO_INFO) on a fresh TCP socket answers
// ENOPROTOOPT without kernel TCP-AO (Linux < 6.7 or CONFIG_TCP_AO=n) and
// ENOENT ("no TCP-AO state yet") with it.
ProbeResult probe_kernel_tcp_ao(SocketOptions& options);

class KernelAoSocket final : public TcpAoSocket {
 public:
  // `options` must outlive this object; the fd stays the caller's.
  KernelAoSocket(SocketOptions& options, const SocketSetup& setup);

  SocketRole role() const override { return setup_.role; }
  std::error_code add_key(const PeerPrefix& peer, const keys::Mkt& mkt) override;
  std::error_code delete_key(const PeerPrefix& peer, keys::KeyId send_id, keys::KeyId recv_id,
                             const KeyReplacement& replacement) override;
  std::error_code set_current(keys::KeyId send_id) override;
  std::error_code set_rnext(keys::KeyId recv_id) override;
  common::Expected<ConnectionStatus, std::error_code> status() override;
  common::Expected<std::vector<KeyCounters>, std::error_code> key_counters() override;

 private:
  template <class T>
  std::error_code set_option(int name, const T& value);
  template <class T>
  std::error_code get_option(int name, T& value);
  // TCP_AO_INFO read-modify-write of Current_key or RNext_key.
  std::error_code switch_key(std::uint32_t set_flag, keys::KeyId id);

  SocketOptions& options_;
  SocketSetup setup_;
};

class KernelBackend final : public Backend {
 public:
  // `options` must outlive this object and the sockets it attaches.
  explicit KernelBackend(SocketOptions& options) : options_(options) {}

  BackendKind kind() const override { return BackendKind::Kernel; }
  ProbeResult probe() override { return probe_kernel_tcp_ao(options_); }
  std::unique_ptr<TcpAoSocket> attach(const SocketSetup& setup) override;

 private:
  SocketOptions& options_;
};

}  // namespace aotls::backend
