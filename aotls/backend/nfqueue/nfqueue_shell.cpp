// aotls/backend/nfqueue/nfqueue_shell.cpp - see nfqueue_shell.hpp.
#include "aotls/backend/nfqueue/nfqueue_shell.hpp"

#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

extern "C" {
#include <libnetfilter_queue/libnetfilter_queue.h>
}

namespace aotls::backend::nfqueue {
namespace {

constexpr std::size_t kMaxPacket = 0xffff;
// Room for one full packet plus the netlink and nfqueue attributes.
constexpr std::size_t kReceiveBuffer = kMaxPacket + 4096;
// Socket buffer for bursts (a window of full-size segments per direction).
constexpr int kSocketBuffer = 8 * 1024 * 1024;

struct AtomicCounters {
  std::atomic<std::uint64_t> packets{0}, accepted{0}, rewritten{0}, dropped{0}, failed{0},
      verdict_errors{0};
};

void bump(std::atomic<std::uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

std::string errno_text(int error) {
  return std::strerror(error);
}

// The kernel answers EPERM both without CAP_NET_ADMIN and for a queue that
// another netlink socket holds; our effective capabilities tell them apart.
bool has_net_admin() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32))) != 0;
}

}  // namespace

struct NfqueueShell::Impl {
  struct Queue {
    Impl* impl = nullptr;
    Direction direction = Direction::Outbound;
    std::uint16_t number = 0;
    nfq_q_handle* handle = nullptr;
    AtomicCounters counters;
  };

  PacketProcessor& processor;
  nfq_handle* handle = nullptr;
  std::array<Queue, 2> queues;  // indexed by Direction
  int wake_fd = -1;
  std::thread thread;
  std::vector<std::uint8_t> rewritten;
  std::atomic<std::uint64_t> overruns{0};
  mutable std::mutex failure_mutex;
  std::optional<std::string> failure;

  explicit Impl(PacketProcessor& p) : processor(p) {}
  ~Impl() {
    for (auto& queue : queues)
      if (queue.handle != nullptr) nfq_destroy_queue(queue.handle);
    if (handle != nullptr) nfq_close(handle);
    if (wake_fd >= 0) close(wake_fd);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  static int on_packet(nfq_q_handle* qh, nfgenmsg* /*message*/, nfq_data* data, void* context);
  int handle_packet(Queue& queue, nfq_q_handle* qh, nfq_data* data);
  void run();
  void fail(std::string text) {
    const std::lock_guard lock(failure_mutex);
    failure = std::move(text);
  }
};

int NfqueueShell::Impl::on_packet(nfq_q_handle* qh, nfgenmsg*, nfq_data* data, void* context) {
  auto& queue = *static_cast<Queue*>(context);
  return queue.impl->handle_packet(queue, qh, data);
}

int NfqueueShell::Impl::handle_packet(Queue& queue, nfq_q_handle* qh, nfq_data* data) {
  auto& counters = queue.counters;
  const nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
  if (header == nullptr) return 0;  // no packet id: nothing to give a verdict to
  const std::uint32_t id = ntohl(header->packet_id);
  bump(counters.packets);

  unsigned char* payload = nullptr;
  const int length = nfq_get_payload(data, &payload);
  Verdict verdict = Verdict::Drop;
  bool failed = length < 0;
  if (!failed) {
    try {
      verdict = processor.process(queue.direction, {payload, static_cast<std::size_t>(length)},
                                  rewritten);
    } catch (...) {
      failed = true;
    }
  }
  if (verdict == Verdict::AcceptRewritten && (rewritten.empty() || rewritten.size() > kMaxPacket))
    failed = true;

  int result = 0;
  if (failed) {
    bump(counters.failed);
    result = nfq_set_verdict(qh, id, NF_DROP, 0, nullptr);
  } else if (verdict == Verdict::Drop) {
    bump(counters.dropped);
    result = nfq_set_verdict(qh, id, NF_DROP, 0, nullptr);
  } else if (verdict == Verdict::AcceptRewritten) {
    bump(counters.rewritten);
    result = nfq_set_verdict(qh, id, NF_ACCEPT, static_cast<std::uint32_t>(rewritten.size()),
                             rewritten.data());
  } else {
    bump(counters.accepted);
    result = nfq_set_verdict(qh, id, NF_ACCEPT, 0, nullptr);
  }
  if (result < 0) bump(counters.verdict_errors);
  return 0;
}

// Every segment of a protected connection, ACKs included, waits in a queue
// for this thread; a verdict held up behind the daemon's own work delays
// the peer's ACKs past TCP's loss-probe timeout (a few ms on a LAN) and
// shows as spurious retransmissions. So the thread asks for a larger CPU
// share than its process (nice -10, best effort: without CAP_SYS_NICE it
// keeps the default).
constexpr int kQueueThreadNice = -10;

void NfqueueShell::Impl::run() {
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kQueueThreadNice);
  const int fd = nfq_fd(handle);
  std::vector<char> buffer(kReceiveBuffer);
  std::array<pollfd, 2> fds{pollfd{fd, POLLIN, 0}, pollfd{wake_fd, POLLIN, 0}};
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll: " + errno_text(errno));
      return;
    }
    if (fds[1].revents != 0) return;  // stop()
    if (fds[0].revents & POLLNVAL) {
      fail("nfqueue socket closed");
      return;
    }
    const ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ENOBUFS) {
        bump(overruns);
        continue;
      }
      fail("nfqueue recv: " + errno_text(errno));
      return;
    }
    nfq_handle_packet(handle, buffer.data(), static_cast<int>(n));
  }
}

NfqueueShell::NfqueueShell(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NfqueueShell::~NfqueueShell() {
  stop();
}

common::Expected<std::unique_ptr<NfqueueShell>, ShellError> NfqueueShell::start(
    const ShellOptions& options, PacketProcessor& processor) {
  auto error = [](int code, std::string text) {
    return common::Unexpected(ShellError{std::error_code(code, std::system_category()),
                                         std::move(text) + ": " + errno_text(code)});
  };
  if (options.queue_base == 0xffff)
    return error(EINVAL, "NFQUEUE base 65535 leaves no inbound queue");

  auto impl = std::make_unique<Impl>(processor);
  impl->rewritten.reserve(kMaxPacket);
  impl->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->wake_fd < 0) return error(errno, "eventfd");
  impl->handle = nfq_open();
  if (impl->handle == nullptr) return error(errno, "nfq_open (netfilter netlink socket)");

  for (auto direction : {Direction::Outbound, Direction::Inbound}) {
    auto& queue = impl->queues[static_cast<std::size_t>(direction)];
    queue.impl = impl.get();
    queue.direction = direction;
    queue.number =
        static_cast<std::uint16_t>(options.queue_base + (direction == Direction::Inbound ? 1 : 0));
    const auto what =
        "NFQUEUE " + std::to_string(queue.number) + " (" + std::string(to_string(direction)) + ")";
    errno = 0;
    queue.handle = nfq_create_queue(impl->handle, queue.number, &Impl::on_packet, &queue);
    if (queue.handle == nullptr) {
      const int code = errno != 0 ? errno : EIO;
      if (code == EPERM && !has_net_admin())
        return error(code, what +
                               ": cannot bind; the userspace TCP-AO backend needs "
                               "CAP_NET_ADMIN (run as root or grant the capability)");
      if (code == EPERM || code == EBUSY)
        return error(EBUSY, what +
                                ": already bound by another process; configure another "
                                "queue base");
      return error(code, what + ": cannot bind");
    }
    if (nfq_set_mode(queue.handle, NFQNL_COPY_PACKET, kMaxPacket) < 0)
      return error(errno, what + ": copy-packet mode");
    if (nfq_set_queue_maxlen(queue.handle, options.max_queue_len) < 0)
      return error(errno, what + ": queue length");
  }

  const int fd = nfq_fd(impl->handle);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kSocketBuffer, sizeof kSocketBuffer) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof kSocketBuffer);

  Impl* raw = impl.get();
  raw->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<NfqueueShell>(new NfqueueShell(std::move(impl)));
}

void NfqueueShell::stop() {
  if (!impl_->thread.joinable()) return;
  const std::uint64_t one = 1;
  // An eventfd write fails only on counter overflow, when it is readable anyway.
  if (write(impl_->wake_fd, &one, sizeof one) < 0) impl_->fail("stop: eventfd write");
  impl_->thread.join();
}

QueueCounters NfqueueShell::counters(Direction direction) const {
  const auto& c = impl_->queues[static_cast<std::size_t>(direction)].counters;
  auto load = [](const std::atomic<std::uint64_t>& value) {
    return value.load(std::memory_order_relaxed);
  };
  return {load(c.packets), load(c.accepted), load(c.rewritten),
          load(c.dropped), load(c.failed),   load(c.verdict_errors)};
}

std::uint64_t NfqueueShell::receive_overruns() const {
  return impl_->overruns.load(std::memory_order_relaxed);
}

std::optional<std::string> NfqueueShell::failure() const {
  const std::lock_guard lock(impl_->failure_mutex);
  return impl_->failure;
}

}  // namespace aotls::backend::nfqueue
