// tests/unit/backend/test_support.hpp - shared helpers of the backend tests:
// addresses, MKTs, and a fixture with a fake kernel and an attached socket.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "aotls/backend/kernel_backend.hpp"
#include "tests/unit/backend/fake_kernel.hpp"

namespace aotls::backend::testing {

inline segment::IpAddress ip(std::string_view text) {
  return *segment::IpAddress::parse(text);
}

inline PeerPrefix host(std::string_view text) {
  return PeerPrefix::host(ip(text));
}

inline keys::Mkt make_mkt(keys::KeyId send_id, keys::KeyId recv_id,
                          crypto::MacAlgorithm mac = crypto::MacAlgorithm::HmacSha1_96,
                          bool include_options = false,
                          std::vector<std::uint8_t> secret = {0x1c, 0xeb, 0xb1, 0xff}) {
  keys::Mkt mkt;
  mkt.send_id = send_id;
  mkt.recv_id = recv_id;
  mkt.params.mac = mac;
  mkt.params.kdf = mac == crypto::MacAlgorithm::HmacSha1_96 ? crypto::KdfAlgorithm::HmacSha1
                                                            : crypto::KdfAlgorithm::AesCmac128;
  mkt.params.include_options = include_options;
  mkt.secret = crypto::Secret(secret);
  return mkt;
}

// A fake kernel with one socket attached through the kernel backend.
class KernelSocketTest : public ::testing::Test {
 protected:
  TcpAoSocket& attach(int family, TcpState state, SocketRole role = SocketRole::Connection) {
    fd_ = kernel_.add_socket(family, state);
    socket_ = backend_.attach(
        {fd_, role, family == AF_INET ? segment::IpVersion::V4 : segment::IpVersion::V6});
    return *socket_;
  }
  FakeSocket& fake() { return kernel_.socket(fd_); }
  const RecordedCall& last_call() const { return kernel_.calls().back(); }
  std::size_t call_count() const { return kernel_.calls().size(); }

  FakeKernel kernel_;
  KernelBackend backend_{kernel_};
  int fd_ = -1;
  std::unique_ptr<TcpAoSocket> socket_;
};

}  // namespace aotls::backend::testing
