#include "tests/unit/tls/memory_handshake.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace aotls::tls::test {

namespace {

Observations* observations_of(const SSL* ssl) {
  return static_cast<Observations*>(SSL_get_app_data(ssl));
}

void info_cb(const SSL* ssl, int where, int ret) {
  Observations* obs = observations_of(ssl);
  if (obs == nullptr || (where & SSL_CB_ALERT) == 0) return;
  const auto description = static_cast<std::uint8_t>(ret & 0xff);
  if ((where & SSL_CB_READ) != 0) obs->alerts_received.push_back(description);
  if ((where & SSL_CB_WRITE) != 0) obs->alerts_sent.push_back(description);
}

void msg_cb(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
            SSL* ssl, void* /*arg*/) {
  Observations* obs = observations_of(ssl);
  if (obs == nullptr || write_p != 1 || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
  const auto* bytes = static_cast<const std::uint8_t*>(buf);
  obs->handshake_messages_written.emplace_back(bytes, bytes + len);
}

}  // namespace

MemoryHandshake::Peer MemoryHandshake::make_peer(SSL_CTX* ctx, bool server) {
  Peer p{SslPtr(SSL_new(ctx)), std::make_unique<Observations>(), StepResult::WantIo};
  if (!p.ssl) std::abort();
  BIO* rbio = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(BIO_s_mem());
  if (rbio == nullptr || wbio == nullptr) std::abort();
  // An empty read BIO means "wait for the peer", not end of stream.
  BIO_set_mem_eof_return(rbio, -1);
  SSL_set_bio(p.ssl.get(), rbio, wbio);
  SSL_set_app_data(p.ssl.get(), p.observed.get());
  SSL_set_info_callback(p.ssl.get(), &info_cb);
  SSL_set_msg_callback(p.ssl.get(), &msg_cb);
  if (server) {
    SSL_set_accept_state(p.ssl.get());
  } else {
    SSL_set_connect_state(p.ssl.get());
  }
  return p;
}

MemoryHandshake::MemoryHandshake(SSL_CTX* client_ctx, SSL_CTX* server_ctx)
    : client_(make_peer(client_ctx, false)), server_(make_peer(server_ctx, true)) {}

SSL* MemoryHandshake::ssl(Side side) const {
  return peer(side).ssl.get();
}

const Observations& MemoryHandshake::observed(Side side) const {
  return *peer(side).observed;
}

StepResult MemoryHandshake::step(Side side) {
  Peer& p = peer(side);
  if (p.last == StepResult::Failed) return p.last;
  SSL* s = p.ssl.get();
  if (p.last == StepResult::Finished) {
    // Past the handshake: a read lets a finished side process an alert.
    std::array<std::uint8_t, 64> buf{};
    const int n = SSL_read(s, buf.data(), static_cast<int>(buf.size()));
    const int err = SSL_get_error(s, n);
    if (n <= 0 && err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      p.last = StepResult::Failed;
    }
  } else {
    const int r = SSL_do_handshake(s);
    const int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s, r);
    if (r == 1) {
      p.last = StepResult::Finished;
    } else if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      p.last = StepResult::WantIo;
    } else {
      p.last = StepResult::Failed;
    }
  }
  ERR_clear_error();  // failures are asserted through results and alerts
  return p.last;
}

std::size_t MemoryHandshake::pending_output(Side side) const {
  return BIO_ctrl_pending(SSL_get_wbio(ssl(side)));
}

std::size_t MemoryHandshake::transfer(Side from) {
  BIO* out = SSL_get_wbio(ssl(from));
  BIO* in = SSL_get_rbio(ssl(from == Side::Client ? Side::Server : Side::Client));
  std::size_t moved = 0;
  std::array<char, 4096> buf{};
  for (int i = 0; i < 1024; ++i) {
    const int n = BIO_read(out, buf.data(), static_cast<int>(buf.size()));
    if (n <= 0) break;
    if (BIO_write(in, buf.data(), n) != n) std::abort();
    moved += static_cast<std::size_t>(n);
  }
  return moved;
}

MemoryHandshake::Outcome MemoryHandshake::run() {
  constexpr int kMaxRounds = 16;
  for (int round = 0; round < kMaxRounds; ++round) {
    step(Side::Client);
    std::size_t moved = transfer(Side::Client);
    step(Side::Server);
    moved += transfer(Side::Server);
    const bool any_failed =
        client_.last == StepResult::Failed || server_.last == StepResult::Failed;
    if (any_failed) {
      // One more turn each so the survivor reads the alert.
      step(Side::Client);
      transfer(Side::Client);
      step(Side::Server);
      transfer(Side::Server);
      step(Side::Client);
      break;
    }
    if (moved == 0 && client_.last == StepResult::Finished &&
        server_.last == StepResult::Finished) {
      break;
    }
  }
  return {client_.last, server_.last};
}

std::optional<std::vector<std::uint8_t>> MemoryHandshake::written_message(Side side,
                                                                          std::uint8_t type) const {
  for (const auto& msg : observed(side).handshake_messages_written) {
    if (msg.front() == type) return msg;
  }
  return std::nullopt;
}

bool contains(const std::vector<std::uint8_t>& haystack, const std::vector<std::uint8_t>& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

}  // namespace aotls::tls::test
