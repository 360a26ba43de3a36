// tests/vm/guest/tcp_repair.hpp - a TCP connection taken out of one socket
// and put into another with TCP_REPAIR (Linux's checkpoint/restore API),
// its TCP-AO state with TCP_AO_REPAIR. The restore may move the sequence
// numbers, which is how a test reaches the 2^32 wrap in seconds (the
// kernel's own selftest tcp_ao/seq-ext.c does the same).
//
// Only what an idle connection needs: both queues must be empty at the
// checkpoint (the caller waits for that), so no queued data is restored.
#pragma once

#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdint>

#include "aotls/backend/linux_tcp_ao_uapi.hpp"

namespace bgpd_vm {

// Each queue's TCP_QUEUE_SEQ (repair mode): snd_nxt and rcv_nxt.
struct QueueSeqs {
  std::uint32_t send = 0;
  std::uint32_t receive = 0;
};

struct TcpImage {
  tcp_info info{};
  tcp_repair_window window{};
  QueueSeqs seqs;  // snd_nxt (= snd_una when idle) and rcv_nxt
  std::uint32_t mss = 0;
  std::uint32_t timestamp = 0;
  aotls::backend::uapi::TcpAoRepair ao{};  // ISNs in network byte order
};

// TCP_REPAIR on; every setsockopt below needs it (and CAP_NET_ADMIN).
void enter_repair(int fd);
// TCP_REPAIR off without a window probe: nothing is sent.
void leave_repair(int fd);

// Each queue's TCP_QUEUE_SEQ now (repair mode).
QueueSeqs queue_seqs(int fd);

// The idle connection of `fd` (already in repair mode); throws
// std::system_error, or std::runtime_error when a queue is not empty.
TcpImage checkpoint(int fd);

// Makes `fd` (a fresh socket in repair mode, not yet bound) the connection
// of `image` between `local` and `remote`, without a handshake. TCP-AO's
// state comes after (add the keys, then set_ao_repair).
void restore(int fd, const TcpImage& image, const sockaddr* local, const sockaddr* remote,
             socklen_t address_len);

aotls::backend::uapi::TcpAoRepair get_ao_repair(int fd);
void set_ao_repair(int fd, const aotls::backend::uapi::TcpAoRepair& state);

}  // namespace bgpd_vm
