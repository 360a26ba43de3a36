#include "tests/unit/keying/test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

#include "aotls/keying/exporter_hook.hpp"
#include "aotls/tls/tcp_ao_wiring.hpp"

namespace aotls::keying::testing {

Bytes bytes_of(const crypto::Secret& secret) {
  return {secret.bytes().begin(), secret.bytes().end()};
}

backend::PeerPrefix loopback_peer() {
  return backend::PeerPrefix::host(*segment::IpAddress::parse("127.0.0.1"));
}

void RecordingSocket::record(const std::string& event) {
  if (log_ != nullptr) log_->push_back(name_ + ": " + event);
}

std::error_code RecordingSocket::add_key(const backend::PeerPrefix& peer, const keys::Mkt& mkt) {
  if (refuse_ && mkt.generation >= refuse_from_) return *refuse_;
  record("add " + std::to_string(mkt.send_id) + "/" + std::to_string(mkt.recv_id));
  peers_.push_back(peer);
  return fake_.add_key(mkt);
}

std::error_code RecordingSocket::delete_key(const backend::PeerPrefix& /*peer*/,
                                            keys::KeyId send_id, keys::KeyId recv_id,
                                            const backend::KeyReplacement& /*replacement*/) {
  record("delete " + std::to_string(send_id) + "/" + std::to_string(recv_id));
  return fake_.del_key(send_id, recv_id);
}

std::error_code RecordingSocket::set_current(keys::KeyId send_id) {
  record("current " + std::to_string(send_id));
  return fake_.set_current(send_id);
}

std::error_code RecordingSocket::set_rnext(keys::KeyId recv_id) {
  record("rnext " + std::to_string(recv_id));
  return fake_.set_rnext(recv_id);
}

common::Expected<backend::ConnectionStatus, std::error_code> RecordingSocket::status() {
  if (fake_.keys().empty()) {
    return common::Unexpected(std::make_error_code(std::errc::no_such_file_or_directory));
  }
  backend::ConnectionStatus out;
  out.key_not_found = fake_.key_not_found();
  out.current_key_id = fake_.current_key();
  out.rnext_key_id = fake_.rnext_key();
  return out;
}

common::Expected<std::vector<backend::KeyCounters>, std::error_code>
RecordingSocket::key_counters() {
  std::vector<backend::KeyCounters> out;
  for (const keys::testing::FakeKey& key : fake_.keys()) {
    out.push_back({loopback_peer(), key.mkt.send_id, key.mkt.recv_id, key.mkt.params.mac,
                   key.mkt.params.include_options, fake_.current_key() == key.mkt.send_id,
                   fake_.rnext_key() == key.mkt.recv_id, key.pkt_good, key.pkt_bad});
  }
  return out;
}

Bytes secret_by_send_id(const keys::testing::FakeAoSocket& socket, keys::KeyId send_id) {
  const keys::testing::FakeKey* key = socket.find_by_send_id(send_id);
  return key == nullptr ? Bytes{} : bytes_of(key->mkt.secret);
}

std::vector<keys::KeyId> installed_send_ids(const keys::testing::FakeAoSocket& socket) {
  std::vector<keys::KeyId> ids;
  for (const auto& key : socket.keys()) ids.push_back(key.mkt.send_id);
  return ids;
}

namespace {

int log_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void log_event(const SSL* ssl, const std::string& event) {
  auto* log = static_cast<EventLog*>(SSL_get_ex_data(ssl, log_index()));
  if (log == nullptr) return;
  log->push_back(std::string(SSL_is_server(ssl) == 1 ? "server: " : "client: ") + event);
}

void earlier_keylog(const SSL* ssl, const char* line) {
  if (std::string_view(line).starts_with(kExporterSecretLabel)) log_event(ssl, "exporter");
}

std::string message_name(std::uint8_t type) {
  switch (type) {
    case SSL3_MT_CLIENT_HELLO:
      return "ClientHello";
    case SSL3_MT_SERVER_HELLO:
      return "ServerHello";
    case SSL3_MT_ENCRYPTED_EXTENSIONS:
      return "EncryptedExtensions";
    case SSL3_MT_CERTIFICATE:
      return "Certificate";
    case SSL3_MT_CERTIFICATE_REQUEST:
      return "CertificateRequest";
    case SSL3_MT_CERTIFICATE_VERIFY:
      return "CertificateVerify";
    case SSL3_MT_FINISHED:
      return "Finished";
  }
  return "type " + std::to_string(type);
}

void msg_cb(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
            SSL* ssl, void* /*arg*/) {
  if (write_p != 1 || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
  log_event(ssl, "write " + message_name(*static_cast<const std::uint8_t*>(buf)));
}

}  // namespace

void record_handshake(SSL* ssl, EventLog* log) {
  if (SSL_set_ex_data(ssl, log_index(), log) != 1) std::abort();
  SSL_set_msg_callback(ssl, &msg_cb);
}

keys::testing::Verdict deliver(keys::testing::FakeAoSocket& sender,
                               keys::testing::FakeAoSocket& receiver, keys::Side from,
                               std::uint64_t number) {
  const auto segment = sender.send(number, from);
  EXPECT_TRUE(segment.has_value());
  return segment ? receiver.receive(*segment) : keys::testing::Verdict::KeyNotFound;
}

tls::test::CtxPtr keyed_context(bool server) {
  tls::test::CtxPtr ctx = tls::test::make_test_context(server);
  SSL_CTX_set_keylog_callback(ctx.get(), &earlier_keylog);
  if (!tls::register_tcp_ao_extension(ctx.get()) || !register_exporter_hook(ctx.get())) {
    std::abort();
  }
  return ctx;
}

KeyedPair::KeyedPair(EndpointSetup client, EndpointSetup server, EventLog* log)
    : client_ctx_(keyed_context(false)),
      server_ctx_(keyed_context(true)),
      hs_(client_ctx_.get(), server_ctx_.get()),
      client_socket_("client", log),
      server_socket_("server", log),
      client_keying_(client_socket_, options(keys::Side::Client, client)),
      server_keying_(server_socket_, options(keys::Side::Server, server)) {
  record_handshake(ssl(tls::test::Side::Client), log);
  record_handshake(ssl(tls::test::Side::Server), log);
  EXPECT_FALSE(client_keying_.install_default_mkt());
  // An accepted socket inherits its listener's keys.
  EXPECT_FALSE(server_socket_.add_key(loopback_peer(), keys::make_default_mkt()));
  server_keying_.default_mkt_inherited();
  if (client.armed) {
    const auto armed = client_keying_.arm(ssl(tls::test::Side::Client));
    EXPECT_TRUE(armed) << (armed ? "" : armed.error().message);
  }
  if (server.armed) {
    const auto armed = server_keying_.arm(ssl(tls::test::Side::Server));
    EXPECT_TRUE(armed) << (armed ? "" : armed.error().message);
  }
}

KeyingOptions KeyedPair::options(keys::Side side, const EndpointSetup& setup) {
  return KeyingOptions{.side = side,
                       .peer = loopback_peer(),
                       .announce = setup.announce,
                       .requirement = setup.requirement,
                       .keylog = setup.keylog,
                       .clock = [this] { return now_; },
                       .rto = [] { return keys::Duration{100}; },
                       .rekey = setup.rekey,
                       .kick = setup.kick,
                       .first_generation = setup.first_generation};
}

EndpointSetup client_setup(keylog::KeyLogWriter* keylog) {
  return {.armed = true, .announce = kClientAnn, .keylog = keylog};
}

EndpointSetup server_setup(keylog::KeyLogWriter* keylog) {
  return {.armed = true, .announce = kServerAnn, .keylog = keylog};
}

}  // namespace aotls::keying::testing
