// tests/unit/tls/memory_handshake.hpp - two SSLs joined by memory BIOs and
// driven by hand: each step is one SSL_do_handshake, each transfer moves
// what one side wrote into the other side's read BIO. Records the alerts
// each side sends and receives and every handshake message it writes.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace aotls::tls::test {

enum class Side { Client, Server };
enum class StepResult { Finished, WantIo, Failed };

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

struct Observations {
  std::vector<std::uint8_t> alerts_sent;  // AlertDescription values
  std::vector<std::uint8_t> alerts_received;
  std::vector<std::vector<std::uint8_t>> handshake_messages_written;  // plaintext, with header
};

class MemoryHandshake {
 public:
  MemoryHandshake(SSL_CTX* client_ctx, SSL_CTX* server_ctx);

  SSL* ssl(Side side) const;
  const Observations& observed(Side side) const;

  StepResult step(Side side);
  // Bytes moved from `from`'s write BIO to the other side's read BIO.
  std::size_t transfer(Side from);
  std::size_t pending_output(Side side) const;

  struct Outcome {
    StepResult client;
    StepResult server;
    bool both_finished() const {
      return client == StepResult::Finished && server == StepResult::Finished;
    }
  };
  // Alternates steps and transfers until both sides finished or one failed
  // (then lets the other side read the alert); bounded rounds.
  Outcome run();

  // The first handshake message of `type` (1 ClientHello, 8
  // EncryptedExtensions, ...) that `side` wrote, if any.
  std::optional<std::vector<std::uint8_t>> written_message(Side side, std::uint8_t type) const;

 private:
  struct Peer {
    SslPtr ssl;
    std::unique_ptr<Observations> observed;  // stable address for the callbacks
    StepResult last = StepResult::WantIo;
  };
  Peer& peer(Side side) { return side == Side::Client ? client_ : server_; }
  const Peer& peer(Side side) const { return side == Side::Client ? client_ : server_; }
  static Peer make_peer(SSL_CTX* ctx, bool server);

  Peer client_;
  Peer server_;
};

// True when `needle` occurs in `haystack`.
bool contains(const std::vector<std::uint8_t>& haystack, const std::vector<std::uint8_t>& needle);

}  // namespace aotls::tls::test
