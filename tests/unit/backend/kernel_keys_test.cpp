// tests/unit/backend/kernel_keys_test.cpp - the kernel backend's key calls
// (TCP_AO_ADD_KEY, TCP_AO_DEL_KEY, TCP_AO_INFO writes) as the bytes Linux
// reads, and Linux's answers, through the fake kernel.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/backend/test_support.hpp"

namespace aotls::backend::testing {
namespace {

using crypto::MacAlgorithm;

bool all_zero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

// ---- TCP_AO_ADD_KEY encoding ----

TEST_F(KernelSocketTest, AddDefaultMktEncodesEveryFieldAtLinuxOffsets) {
  auto& socket = attach(AF_INET, TcpState::Close);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));

  const RecordedCall& call = last_call();
  EXPECT_TRUE(call.is_set);
  EXPECT_EQ(call.fd, fd_);
  EXPECT_EQ(call.level, IPPROTO_TCP);
  EXPECT_EQ(call.name, 38);
  ASSERT_EQ(call.bytes.size(), 288U);
  const std::span<const std::uint8_t> b(call.bytes);
  EXPECT_EQ(read_u16(b, 0), AF_INET);
  EXPECT_EQ(read_u16(b, 2), 0);  // port: Linux matches no ports
  EXPECT_EQ(std::vector<std::uint8_t>(b.begin() + 4, b.begin() + 8),
            (std::vector<std::uint8_t>{192, 0, 2, 1}));
  EXPECT_TRUE(all_zero(b.subspan(8, 120)));
  EXPECT_EQ(read_cstring(b, 128, 64), "hmac(sha1)");
  EXPECT_TRUE(all_zero(b.subspan(128 + 10, 64 - 10)));
  EXPECT_EQ(read_s32(b, 192), 0);   // ifindex: default VRF
  EXPECT_EQ(read_u32(b, 196), 0U);  // neither set_current nor set_rnext
  EXPECT_EQ(read_u16(b, 200), 0);
  EXPECT_EQ(read_u8(b, 202), 32);  // prefix
  EXPECT_EQ(read_u8(b, 203), 0);   // SendID
  EXPECT_EQ(read_u8(b, 204), 0);   // RecvID
  EXPECT_EQ(read_u8(b, 205), 12);  // 96-bit MAC
  EXPECT_EQ(read_u8(b, 206), 2);   // TCP_AO_KEYF_EXCLUDE_OPT: options excluded
  EXPECT_EQ(read_u8(b, 207), 4);   // keylen
  EXPECT_EQ(std::vector<std::uint8_t>(b.begin() + 208, b.begin() + 212),
            (std::vector<std::uint8_t>{0x1c, 0xeb, 0xb1, 0xff}));
  EXPECT_TRUE(all_zero(b.subspan(212)));

  ASSERT_TRUE(fake().ao);
  ASSERT_EQ(fake().ao->keys.size(), 1U);
  EXPECT_EQ(fake().ao->keys.front().alg, "hmac(sha1)");
}

TEST_F(KernelSocketTest, AddAesCmacKeyWithOptionsIncluded) {
  auto& socket = attach(AF_INET, TcpState::Close);
  std::vector<std::uint8_t> secret(32);
  for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<std::uint8_t>(i + 1);
  ASSERT_FALSE(
      socket.add_key(host("192.0.2.1"), make_mkt(3, 4, MacAlgorithm::AesCmac128_96, true, secret)));
  const std::span<const std::uint8_t> b(last_call().bytes);
  EXPECT_EQ(read_cstring(b, 128, 64), "cmac(aes128)");
  EXPECT_EQ(read_u8(b, 203), 3);
  EXPECT_EQ(read_u8(b, 204), 4);
  EXPECT_EQ(read_u8(b, 205), 12);
  EXPECT_EQ(read_u8(b, 206), 0);  // options included: no flag
  EXPECT_EQ(read_u8(b, 207), 32);
  EXPECT_EQ(std::vector<std::uint8_t>(b.begin() + 208, b.begin() + 240), secret);
  EXPECT_EQ(fake().ao->keys.front().key, secret);
}

TEST_F(KernelSocketTest, Ipv4PeerOfAnIpv6SocketIsSentIpv4Mapped) {
  auto& socket = attach(AF_INET6, TcpState::Close);
  ASSERT_FALSE(socket.add_key(host("192.0.2.7"), make_mkt(0, 0)));
  const std::span<const std::uint8_t> b(last_call().bytes);
  EXPECT_EQ(read_u16(b, 0), AF_INET6);
  EXPECT_EQ(std::vector<std::uint8_t>(b.begin() + 8, b.begin() + 24),
            (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7}));
  EXPECT_EQ(read_u8(b, 202), 32);  // the prefix counts IPv4 bits
  EXPECT_EQ(fake().ao->keys.front().family, AF_INET);
}

TEST_F(KernelSocketTest, Ipv6PeerAndIpv6Prefix) {
  auto& socket = attach(AF_INET6, TcpState::Close);
  ASSERT_FALSE(socket.add_key(PeerPrefix{ip("2001:db8:1::"), 48}, make_mkt(0, 0)));
  const std::span<const std::uint8_t> b(last_call().bytes);
  EXPECT_EQ(read_u16(b, 0), AF_INET6);
  EXPECT_EQ(b[8], 0x20);
  EXPECT_EQ(b[9], 0x01);
  EXPECT_EQ(b[13], 0x01);
  EXPECT_EQ(read_u8(b, 202), 48);
  EXPECT_EQ(fake().ao->keys.front().family, AF_INET6);
}

TEST_F(KernelSocketTest, WildcardKeyOfAnIpv6SocketIsTheUnspecifiedAddress) {
  auto& socket = attach(AF_INET6, TcpState::Listen, SocketRole::Listener);
  ASSERT_FALSE(socket.add_key(PeerPrefix{ip("0.0.0.0"), 0}, make_mkt(0, 0)));
  const std::span<const std::uint8_t> b(last_call().bytes);
  EXPECT_EQ(read_u16(b, 0), AF_INET6);
  EXPECT_TRUE(all_zero(b.subspan(8, 16)));
  EXPECT_EQ(read_u8(b, 202), 0);
}

// ---- refused before any system call ----

TEST_F(KernelSocketTest, Ipv6PeerOnIpv4SocketIsRefusedBeforeTheCall) {
  auto& socket = attach(AF_INET, TcpState::Close);
  EXPECT_EQ(socket.add_key(host("2001:db8::1"), make_mkt(0, 0)),
            make_error_code(BackendErrc::AddressFamilyMismatch));
  EXPECT_EQ(call_count(), 0U);
}

TEST_F(KernelSocketTest, BadPrefixesAreRefusedBeforeTheCall) {
  auto& socket = attach(AF_INET, TcpState::Close);
  for (const PeerPrefix& bad : {PeerPrefix{ip("192.0.2.1"), 24}, PeerPrefix{ip("192.0.2.0"), 33},
                                PeerPrefix{ip("192.0.2.0"), 0}, PeerPrefix{ip("0.0.0.0"), 8}}) {
    EXPECT_EQ(socket.add_key(bad, make_mkt(0, 0)), make_error_code(BackendErrc::BadPrefix))
        << int{bad.prefix_len};
  }
  EXPECT_EQ(call_count(), 0U);
}

TEST_F(KernelSocketTest, MixedAlgorithmsAndBadKeyLengthsAreRefusedBeforeTheCall) {
  auto& socket = attach(AF_INET, TcpState::Close);
  keys::Mkt mixed = make_mkt(1, 1);
  mixed.params.kdf = crypto::KdfAlgorithm::AesCmac128;
  EXPECT_EQ(socket.add_key(host("192.0.2.1"), mixed),
            make_error_code(BackendErrc::UnsupportedAlgorithm));
  EXPECT_EQ(socket.add_key(host("192.0.2.1"), make_mkt(1, 1, MacAlgorithm::HmacSha1_96, false, {})),
            make_error_code(BackendErrc::BadKeyLength));
  EXPECT_EQ(socket.add_key(host("192.0.2.1"), make_mkt(1, 1, MacAlgorithm::HmacSha1_96, false,
                                                       std::vector<std::uint8_t>(81, 7))),
            make_error_code(BackendErrc::BadKeyLength));
  EXPECT_EQ(call_count(), 0U);
  EXPECT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 1, MacAlgorithm::HmacSha1_96, false,
                                                          std::vector<std::uint8_t>(80, 7))));
}

// ---- Linux's key rules ----

TEST_F(KernelSocketTest, DuplicateSendIdOrRecvIdForTheSamePeerIsEexist) {
  auto& socket = attach(AF_INET, TcpState::Close);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 2)));
  EXPECT_EQ(socket.add_key(host("192.0.2.1"), make_mkt(1, 3)), std::errc::file_exists);
  EXPECT_EQ(socket.add_key(host("192.0.2.1"), make_mkt(3, 2)), std::errc::file_exists);
  // An overlapping prefix is the same connection identifier (RFC 5925 3.1).
  EXPECT_EQ(socket.add_key(PeerPrefix{ip("192.0.2.0"), 24}, make_mkt(1, 9)),
            std::errc::file_exists);
  // Another peer may reuse the IDs.
  EXPECT_FALSE(socket.add_key(host("192.0.2.2"), make_mkt(1, 2)));
  EXPECT_EQ(fake().ao->keys.size(), 2U);
}

TEST_F(KernelSocketTest, KernelWithoutTcpAoAnswersEnoprotoopt) {
  FakeKernel old_kernel(false);
  KernelBackend backend(old_kernel);
  const int fd = old_kernel.add_socket(AF_INET, TcpState::Close);
  auto socket = backend.attach({fd, SocketRole::Connection, segment::IpVersion::V4});
  EXPECT_EQ(socket->add_key(host("192.0.2.1"), make_mkt(0, 0)), std::errc::no_protocol_option);
  EXPECT_EQ(socket->status().error(), std::errc::no_protocol_option);
}

// ---- TCP_AO_DEL_KEY ----

TEST_F(KernelSocketTest, DeleteEncodesTheKeyAndUnknownKeysAreEnoent) {
  auto& socket = attach(AF_INET, TcpState::Close);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 2)));
  EXPECT_EQ(socket.delete_key(host("192.0.2.1"), 1, 3, {}), std::errc::no_such_file_or_directory);
  EXPECT_EQ(socket.delete_key(host("192.0.2.9"), 1, 2, {}), std::errc::no_such_file_or_directory);

  ASSERT_FALSE(socket.delete_key(host("192.0.2.1"), 1, 2, {}));
  const RecordedCall& call = last_call();
  EXPECT_EQ(call.name, 39);
  ASSERT_EQ(call.bytes.size(), 144U);
  const std::span<const std::uint8_t> b(call.bytes);
  EXPECT_EQ(read_u16(b, 0), AF_INET);
  EXPECT_EQ(read_s32(b, 128), 0);
  EXPECT_EQ(read_u32(b, 132), 0U);
  EXPECT_EQ(read_u8(b, 138), 32);
  EXPECT_EQ(read_u8(b, 139), 1);
  EXPECT_EQ(read_u8(b, 140), 2);
  EXPECT_EQ(read_u8(b, 143), 0);  // keyflags: the exclude-options flag is not part of a delete
  EXPECT_TRUE(fake().ao->keys.empty());
}

TEST_F(KernelSocketTest, DeletingCurrentKeyIsEbusyUnlessReplacedInTheSameCall) {
  auto& socket = attach(AF_INET, TcpState::Established);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));  // first: current and rnext
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 1)));
  EXPECT_EQ(socket.delete_key(host("192.0.2.1"), 0, 0, {}), std::errc::device_or_resource_busy);
  EXPECT_EQ(socket.delete_key(host("192.0.2.1"), 0, 0, KeyReplacement{1, std::nullopt}),
            std::errc::device_or_resource_busy);  // still RNext_key

  ASSERT_FALSE(socket.delete_key(host("192.0.2.1"), 0, 0, KeyReplacement{1, 1}));
  const std::span<const std::uint8_t> b(last_call().bytes);
  EXPECT_EQ(read_u32(b, 132), 3U);  // set_current | set_rnext
  EXPECT_EQ(read_u8(b, 141), 1);    // current_key: SendID
  EXPECT_EQ(read_u8(b, 142), 1);    // rnext: RecvID
  ASSERT_EQ(fake().ao->keys.size(), 1U);
  EXPECT_EQ(fake().ao->current->sndid, 1);
  EXPECT_EQ(fake().ao->rnext->rcvid, 1);
}

TEST_F(KernelSocketTest, ListenerDeletesPlainlyButNeverMovesKeys) {
  auto& socket = attach(AF_INET, TcpState::Listen, SocketRole::Listener);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 1)));
  const std::size_t before = call_count();
  EXPECT_EQ(socket.delete_key(host("192.0.2.1"), 0, 0, KeyReplacement{1, std::nullopt}),
            make_error_code(BackendErrc::ListeningSocket));
  EXPECT_EQ(call_count(), before);
  EXPECT_FALSE(socket.delete_key(host("192.0.2.1"), 0, 0, {}));
  EXPECT_EQ(fake().ao->keys.size(), 1U);
}

TEST_F(KernelSocketTest, DeleteOfAnIpv4PeerOnAnIpv6SocketFindsTheUnmappedKey) {
  auto& socket = attach(AF_INET6, TcpState::Close);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 2)));
  ASSERT_FALSE(socket.add_key(host("2001:db8::1"), make_mkt(1, 2)));
  ASSERT_FALSE(socket.delete_key(host("192.0.2.1"), 1, 2, {}));
  ASSERT_EQ(fake().ao->keys.size(), 1U);
  EXPECT_EQ(fake().ao->keys.front().family, AF_INET6);
}

// ---- Current_key / RNext_key ----

TEST_F(KernelSocketTest, SetCurrentAndRnextAreRefusedOnListenersBeforeAnyCall) {
  auto& socket = attach(AF_INET, TcpState::Listen, SocketRole::Listener);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));
  const std::size_t before = call_count();
  EXPECT_EQ(socket.set_current(0), make_error_code(BackendErrc::ListeningSocket));
  EXPECT_EQ(socket.set_rnext(0), make_error_code(BackendErrc::ListeningSocket));
  EXPECT_EQ(call_count(), before);
}

TEST_F(KernelSocketTest, SetCurrentKeepsAoRequiredAndAcceptIcmps) {
  auto& socket = attach(AF_INET, TcpState::Established);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(5, 6)));
  fake().ao->ao_required = true;
  fake().ao->accept_icmps = true;
  fake().ao->pkt_good = 77;

  ASSERT_FALSE(socket.set_current(5));
  const RecordedCall& call = last_call();
  EXPECT_EQ(call.name, 40);
  ASSERT_EQ(call.bytes.size(), 48U);
  const std::span<const std::uint8_t> b(call.bytes);
  EXPECT_EQ(read_u32(b, 0), 1U | 4U | 16U);  // set_current, ao_required, accept_icmps
  EXPECT_EQ(read_u8(b, 6), 5);
  EXPECT_TRUE(all_zero(b.subspan(8)));  // no set_counters, no counter values
  EXPECT_EQ(fake().ao->current->sndid, 5);
  EXPECT_EQ(fake().ao->rnext->rcvid, 0);  // untouched
  EXPECT_TRUE(fake().ao->ao_required);
  EXPECT_TRUE(fake().ao->accept_icmps);
  EXPECT_EQ(fake().ao->pkt_good, 77U);

  ASSERT_FALSE(socket.set_rnext(6));
  const std::span<const std::uint8_t> r(last_call().bytes);
  EXPECT_EQ(read_u32(r, 0), 2U | 4U | 16U);  // set_rnext only
  EXPECT_EQ(read_u8(r, 7), 6);
  EXPECT_EQ(fake().ao->rnext->rcvid, 6);
  EXPECT_EQ(fake().ao->current->sndid, 5);
}

TEST_F(KernelSocketTest, SetCurrentOnUnknownKeyIsEnoentAndWithoutAoStateToo) {
  auto& socket = attach(AF_INET, TcpState::Close);
  EXPECT_EQ(socket.set_current(1), std::errc::no_such_file_or_directory);  // no AO state
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 2)));
  EXPECT_EQ(socket.set_current(2), std::errc::no_such_file_or_directory);  // 2 is a RecvID
  EXPECT_EQ(socket.set_rnext(1), std::errc::no_such_file_or_directory);    // 1 is a SendID
  // A closed socket may choose its keys before connect() (specs digest 5.6).
  EXPECT_FALSE(socket.set_current(1));
  EXPECT_FALSE(socket.set_rnext(2));
}

// ---- aotls/keys actions ----

TEST_F(KernelSocketTest, KeyActionsFromTheKeyMachineAreCarriedOut) {
  auto& socket = attach(AF_INET, TcpState::Established);
  const PeerPrefix peer = host("192.0.2.1");
  ASSERT_FALSE(apply(socket, peer, keys::InstallKey{keys::make_default_mkt()}));
  auto derived = keys::make_derived_mkt(keys::Direction::ClientToServer, 1, keys::MktParams{},
                                        crypto::Secret(std::vector<std::uint8_t>(32, 9)));
  ASSERT_TRUE(derived);
  ASSERT_FALSE(apply(socket, peer, keys::InstallKey{std::move(*derived)}));
  ASSERT_FALSE(apply(socket, keys::SetCurrent{1}));
  ASSERT_FALSE(apply(socket, keys::SetRNext{1}));
  EXPECT_FALSE(apply(socket, peer, keys::DeleteKey{0, 0}));
  ASSERT_EQ(fake().ao->keys.size(), 1U);
  EXPECT_EQ(fake().ao->keys.front().sndid, 1);
  EXPECT_EQ(fake().ao->keys.front().key, std::vector<std::uint8_t>(32, 9));
}

}  // namespace
}  // namespace aotls::backend::testing
