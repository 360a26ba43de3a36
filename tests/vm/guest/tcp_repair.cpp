// tests/vm/guest/tcp_repair.cpp - see tcp_repair.hpp.
#include "tests/vm/guest/tcp_repair.hpp"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace bgpd_vm {
namespace {

namespace uapi = aotls::backend::uapi;

// TCP option kinds TCP_REPAIR_OPTIONS takes (RFC 9293 section 3.1, RFC 7323).
constexpr std::uint32_t kOptMss = 2;
constexpr std::uint32_t kOptWindow = 3;
constexpr std::uint32_t kOptSackPermitted = 4;
constexpr std::uint32_t kOptTimestamp = 8;

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

template <class T>
void set(int fd, int name, const T& value, const char* what) {
  if (::setsockopt(fd, IPPROTO_TCP, name, &value, sizeof value) != 0) fail(what);
}

template <class T>
void get(int fd, int name, T& value, const char* what) {
  socklen_t len = sizeof value;
  if (::getsockopt(fd, IPPROTO_TCP, name, &value, &len) != 0) fail(what);
  if (len != sizeof value) throw std::runtime_error(std::string(what) + ": short answer");
}

std::uint32_t queue_seq(int fd, int queue) {
  set(fd, TCP_REPAIR_QUEUE, queue, "setsockopt(TCP_REPAIR_QUEUE)");
  std::uint32_t seq = 0;
  get(fd, TCP_QUEUE_SEQ, seq, "getsockopt(TCP_QUEUE_SEQ)");
  return seq;
}

void set_queue_seq(int fd, int queue, std::uint32_t seq) {
  set(fd, TCP_REPAIR_QUEUE, queue, "setsockopt(TCP_REPAIR_QUEUE)");
  set(fd, TCP_QUEUE_SEQ, seq, "setsockopt(TCP_QUEUE_SEQ)");
}

void require_empty(int fd, unsigned long request, const char* queue) {
  int bytes = 0;
  if (::ioctl(fd, request, &bytes) != 0) fail("ioctl(SIOCOUTQ/SIOCINQ)");
  if (bytes != 0) {
    throw std::runtime_error(std::string(queue) + " queue not empty at the checkpoint (" +
                             std::to_string(bytes) + " bytes)");
  }
}

}  // namespace

void enter_repair(int fd) { set(fd, TCP_REPAIR, int{TCP_REPAIR_ON}, "setsockopt(TCP_REPAIR on)"); }

void leave_repair(int fd) {
  set(fd, TCP_REPAIR, int{TCP_REPAIR_OFF_NO_WP}, "setsockopt(TCP_REPAIR off)");
}

QueueSeqs queue_seqs(int fd) {
  return {queue_seq(fd, TCP_SEND_QUEUE), queue_seq(fd, TCP_RECV_QUEUE)};
}

TcpImage checkpoint(int fd) {
  TcpImage image;
  get(fd, TCP_INFO, image.info, "getsockopt(TCP_INFO)");
  get(fd, TCP_REPAIR_WINDOW, image.window, "getsockopt(TCP_REPAIR_WINDOW)");
  require_empty(fd, SIOCOUTQ, "send");
  require_empty(fd, SIOCINQ, "receive");
  image.seqs = queue_seqs(fd);
  get(fd, TCP_MAXSEG, image.mss, "getsockopt(TCP_MAXSEG)");
  get(fd, TCP_TIMESTAMP, image.timestamp, "getsockopt(TCP_TIMESTAMP)");
  image.ao = get_ao_repair(fd);
  return image;
}

void restore(int fd, const TcpImage& image, const sockaddr* local, const sockaddr* remote,
             socklen_t address_len) {
  const int reuse = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse) != 0) fail("SO_REUSEADDR");
  if (::bind(fd, local, address_len) != 0) fail("bind (restore)");
  set_queue_seq(fd, TCP_RECV_QUEUE, image.seqs.receive);
  set_queue_seq(fd, TCP_SEND_QUEUE, image.seqs.send);
  // In repair mode connect() sends no SYN: the socket is Established at once.
  if (::connect(fd, remote, address_len) != 0) fail("connect (restore)");

  std::array<tcp_repair_opt, 4> options{};
  std::size_t count = 0;
  const auto negotiated = image.info.tcpi_options;
  if (negotiated & TCPI_OPT_SACK) options[count++] = {kOptSackPermitted, 0};
  if (negotiated & TCPI_OPT_WSCALE) {
    options[count++] = {kOptWindow, static_cast<std::uint32_t>(image.info.tcpi_snd_wscale) +
                                        (static_cast<std::uint32_t>(image.info.tcpi_rcv_wscale)
                                         << 16)};
  }
  if (negotiated & TCPI_OPT_TIMESTAMPS) options[count++] = {kOptTimestamp, 0};
  options[count++] = {kOptMss, image.mss};
  if (::setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_OPTIONS, options.data(),
                   static_cast<socklen_t>(count * sizeof(tcp_repair_opt))) != 0) {
    fail("setsockopt(TCP_REPAIR_OPTIONS)");
  }
  if (negotiated & TCPI_OPT_TIMESTAMPS) {
    set(fd, TCP_TIMESTAMP, image.timestamp, "setsockopt(TCP_TIMESTAMP)");
  }
  set(fd, TCP_REPAIR_WINDOW, image.window, "setsockopt(TCP_REPAIR_WINDOW)");
}

uapi::TcpAoRepair get_ao_repair(int fd) {
  uapi::TcpAoRepair state{};
  get(fd, uapi::kTcpAoRepair, state, "getsockopt(TCP_AO_REPAIR)");
  return state;
}

void set_ao_repair(int fd, const uapi::TcpAoRepair& state) {
  set(fd, uapi::kTcpAoRepair, state, "setsockopt(TCP_AO_REPAIR)");
}

}  // namespace bgpd_vm
