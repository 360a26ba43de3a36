// tests/unit/backend/probe_selection_test.cpp - the kernel probe (fake and
// real), the `auto` choice, and the module's small vocabulary.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <iostream>

#include "aotls/backend/linux_tcp_ao_uapi.hpp"
#include "aotls/backend/wiped.hpp"
#include "tests/unit/backend/test_support.hpp"

namespace aotls::backend::testing {
namespace {

// ---- probe against the fake ----

TEST(KernelProbe, EnoprotooptMeansUnsupportedAndTheSocketIsClosed) {
  FakeKernel kernel(false);
  const ProbeResult result = probe_kernel_tcp_ao(kernel);
  EXPECT_FALSE(result.supported);
  EXPECT_NE(result.reason.find("ENOPROTOOPT"), std::string::npos) << result.reason;
  EXPECT_NE(result.reason.find("CONFIG_TCP_AO"), std::string::npos) << result.reason;
  ASSERT_EQ(kernel.calls().size(), 1U);
  const RecordedCall& call = kernel.calls().front();
  EXPECT_FALSE(call.is_set);
  EXPECT_EQ(call.level, IPPROTO_TCP);
  EXPECT_EQ(call.name, 40);
  EXPECT_EQ(call.optlen, 48U);
  ASSERT_EQ(kernel.closed().size(), 1U);
  EXPECT_EQ(kernel.closed().front(), call.fd);
}

TEST(KernelProbe, EnoentOnAFreshSocketMeansSupported) {
  FakeKernel kernel(true);
  const ProbeResult result = probe_kernel_tcp_ao(kernel);
  EXPECT_TRUE(result.supported) << result.reason;
  EXPECT_EQ(kernel.closed().size(), 1U);
}

TEST(KernelProbe, OtherFailuresAreUnsupportedWithTheirMessage) {
  FakeKernel kernel(true);
  kernel.fail_getsockopt(std::make_error_code(std::errc::operation_not_permitted));
  const ProbeResult result = probe_kernel_tcp_ao(kernel);
  EXPECT_FALSE(result.supported);
  EXPECT_NE(result.reason.find(std::make_error_code(std::errc::operation_not_permitted).message()),
            std::string::npos)
      << result.reason;
  EXPECT_EQ(kernel.closed().size(), 1U);
}

TEST(KernelProbe, NoSocketMeansUnsupported) {
  FakeKernel kernel(true);
  kernel.fail_open(std::make_error_code(std::errc::too_many_files_open));
  const ProbeResult result = probe_kernel_tcp_ao(kernel);
  EXPECT_FALSE(result.supported);
  EXPECT_NE(result.reason.find("cannot open"), std::string::npos) << result.reason;
  EXPECT_TRUE(kernel.calls().empty());
  EXPECT_TRUE(kernel.closed().empty());
}

TEST(KernelProbe, BackendProbesThroughItsSocketOptions) {
  FakeKernel kernel(false);
  KernelBackend backend(kernel);
  EXPECT_EQ(backend.kind(), BackendKind::Kernel);
  EXPECT_FALSE(backend.probe().supported);
  EXPECT_EQ(kernel.calls().size(), 1U);
}

// ---- the real kernel of this machine ----

// design/environment.md and specs digest 5.1: this machine's kernel is
// built without CONFIG_TCP_AO.
TEST(KernelProbeOnThisMachine, ReportsUnsupportedWithTheReason) {
  SystemSocketOptions system;
  const ProbeResult result = probe_kernel_tcp_ao(system);
  std::cout << "kernel TCP-AO probe: " << (result.supported ? "supported" : "unsupported") << ": "
            << result.reason << '\n';
  EXPECT_FALSE(result.supported);
  EXPECT_NE(result.reason.find("ENOPROTOOPT"), std::string::npos);
}

TEST(KernelProbeOnThisMachine, RealSocketOptionsReachTheKernel) {
  SystemSocketOptions system;
  auto fd = system.open_tcp_socket(segment::IpVersion::V6);
  ASSERT_TRUE(fd) << fd.error().message();
  KernelBackend backend(system);
  auto socket = backend.attach({*fd, SocketRole::Connection, segment::IpVersion::V6});
  EXPECT_EQ(socket->add_key(host("192.0.2.1"), make_mkt(0, 0)), std::errc::no_protocol_option);
  EXPECT_EQ(socket->status().error(), std::errc::no_protocol_option);
  EXPECT_EQ(socket->key_counters().error(), std::errc::no_protocol_option);
  system.close_socket(*fd);
}

// ---- selection ----

TEST(BackendSelection, AutoTakesTheKernelOnlyWhenItsProbeSucceeded) {
  EXPECT_EQ(*select_backend(BackendChoice::Auto, {true, "ok"}), BackendKind::Kernel);
  EXPECT_EQ(*select_backend(BackendChoice::Auto, {false, "no"}), BackendKind::Userspace);
}

TEST(BackendSelection, ExplicitChoices) {
  EXPECT_EQ(*select_backend(BackendChoice::Kernel, {true, "ok"}), BackendKind::Kernel);
  const auto refused = select_backend(BackendChoice::Kernel, {false, "no"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), make_error_code(BackendErrc::KernelUnsupported));
  EXPECT_EQ(*select_backend(BackendChoice::Userspace, {true, "ok"}), BackendKind::Userspace);
  EXPECT_EQ(*select_backend(BackendChoice::Userspace, {false, "no"}), BackendKind::Userspace);
}

TEST(BackendSelection, ChoiceNamesRoundTrip) {
  for (const auto choice : {BackendChoice::Auto, BackendChoice::Kernel, BackendChoice::Userspace}) {
    EXPECT_EQ(backend_choice_from_string(to_string(choice)), choice);
  }
  EXPECT_EQ(to_string(BackendChoice::Auto), "auto");
  EXPECT_EQ(to_string(BackendKind::Userspace), "userspace");
  EXPECT_FALSE(backend_choice_from_string("none"));
  EXPECT_FALSE(backend_choice_from_string("Kernel"));
}

TEST(BackendErrors, HaveTheirOwnCategoryAndMessages) {
  const std::error_code ec = BackendErrc::ListeningSocket;
  EXPECT_EQ(ec.category().name(), std::string("aotls.backend"));
  EXPECT_NE(ec.message().find("listening"), std::string::npos);
  EXPECT_NE(ec, std::errc::invalid_argument);
}

// ---- peer prefixes ----

TEST(PeerPrefixValidation, FollowsLinuxPrefixRules) {
  EXPECT_FALSE(validate(host("192.0.2.1")));
  EXPECT_FALSE(validate(host("2001:db8::1")));
  EXPECT_FALSE(validate(PeerPrefix{ip("10.0.0.0"), 8}));
  EXPECT_FALSE(validate(PeerPrefix{ip("::"), 0}));
  EXPECT_FALSE(validate(PeerPrefix{ip("2001:db8:8000::"), 33}));
  EXPECT_EQ(validate(PeerPrefix{ip("2001:db8:8000::"), 32}), BackendErrc::BadPrefix);
  EXPECT_EQ(validate(PeerPrefix{ip("10.0.0.1"), 8}), BackendErrc::BadPrefix);
  EXPECT_EQ(validate(PeerPrefix{ip("10.0.0.0"), 33}), BackendErrc::BadPrefix);
  EXPECT_EQ(validate(PeerPrefix{ip("::"), 129}), BackendErrc::BadPrefix);
  EXPECT_EQ(validate(PeerPrefix{ip("0.0.0.0"), 1}), BackendErrc::BadPrefix);
  EXPECT_EQ(validate(PeerPrefix{ip("10.0.0.0"), 0}), BackendErrc::BadPrefix);
  EXPECT_EQ(host("192.0.2.1").prefix_len, 32);
  EXPECT_EQ(host("2001:db8::1").prefix_len, 128);
}

// ---- uAPI ----

TEST(LinuxUapi, SocketOptionNumbersAndConstants) {
  EXPECT_EQ(uapi::kTcpAoAddKey, 38);
  EXPECT_EQ(uapi::kTcpAoDelKey, 39);
  EXPECT_EQ(uapi::kTcpAoInfo, 40);
  EXPECT_EQ(uapi::kTcpAoGetKeys, 41);
  EXPECT_EQ(uapi::kTcpAoRepair, 42);
  EXPECT_EQ(uapi::kTcpAoMaxKeyLen, 80U);
  EXPECT_EQ(uapi::kKeyfIfindex, 1);
  EXPECT_EQ(uapi::kKeyfExcludeOpt, 2);
}

// The fake kernel reads the flag words with x86-64 (little-endian) bit
// numbers; this pins what bitfield_bit gives on such a target.
TEST(LinuxUapi, BitFieldBitsOnLittleEndian) {
  if constexpr (std::endian::native == std::endian::little) {
    EXPECT_EQ(uapi::kAddSetCurrent, 1U);
    EXPECT_EQ(uapi::kAddSetRnext, 2U);
    EXPECT_EQ(uapi::kDelAsync, 4U);
    EXPECT_EQ(uapi::kInfoAoRequired, 4U);
    EXPECT_EQ(uapi::kInfoSetCounters, 8U);
    EXPECT_EQ(uapi::kInfoAcceptIcmps, 16U);
    EXPECT_EQ(uapi::kGetAll, 4U);
  } else {
    EXPECT_EQ(uapi::kAddSetCurrent, 1U << 31);
    EXPECT_EQ(uapi::kGetAll, 1U << 13);
  }
}

TEST(Wiped, WipeZeroesTheKeyMaterial) {
  Wiped<uapi::TcpAoAdd> command;
  command->keylen = 4;
  std::memset(command->key.data(), 0x5a, command->key.size());
  command.wipe();
  EXPECT_EQ(command->keylen, 0);
  for (const auto byte : command->key) EXPECT_EQ(byte, 0);
}

}  // namespace
}  // namespace aotls::backend::testing
