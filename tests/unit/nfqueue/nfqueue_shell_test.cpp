// The queue runner's lifecycle and startup errors on this machine's kernel
// (binding a queue touches no traffic: no rule points at these queues).
// Traffic through the queues is tested in tests/ao/nfqueue.
#include "aotls/backend/nfqueue/nfqueue_shell.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "aotls/backend/nfqueue/io_shell.hpp"
#include "tests/ao/nfqueue/test_processors.hpp"

namespace aotls::backend::nfqueue {
namespace {

// A base of our own per process, so parallel runs do not collide.
std::uint16_t test_queue_base() {
  return static_cast<std::uint16_t>(40000 + getpid() % 20000 * 2);
}

class NfqueueShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "binding NFQUEUE needs CAP_NET_ADMIN; run as root";
  }
  test::CountProcessor processor_;
};

TEST_F(NfqueueShellTest, StartsAndStopsWithZeroCounters) {
  auto shell = NfqueueShell::start({test_queue_base(), 64}, processor_);
  ASSERT_TRUE(shell) << shell.error().message;
  (*shell)->stop();
  (*shell)->stop();
  EXPECT_EQ((*shell)->counters(Direction::Outbound).packets, 0u);
  EXPECT_EQ((*shell)->counters(Direction::Inbound).packets, 0u);
  EXPECT_EQ((*shell)->receive_overruns(), 0u);
  EXPECT_FALSE((*shell)->failure());
}

TEST_F(NfqueueShellTest, QueueBoundElsewhereIsABusyErrorNamingTheQueue) {
  const auto base = test_queue_base();
  auto first = NfqueueShell::start({base, 64}, processor_);
  ASSERT_TRUE(first) << first.error().message;
  test::CountProcessor other;
  auto second = NfqueueShell::start({base, 64}, other);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, std::errc::device_or_resource_busy);
  EXPECT_NE(second.error().message.find("NFQUEUE " + std::to_string(base) + " (outbound)"),
            std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find("another queue base"), std::string::npos);
}

TEST_F(NfqueueShellTest, TheInboundQueueIsBasePlusOne) {
  const auto base = test_queue_base();
  auto holder = NfqueueShell::start({static_cast<std::uint16_t>(base + 1), 64}, processor_);
  ASSERT_TRUE(holder) << holder.error().message;
  test::CountProcessor other;
  auto shell = NfqueueShell::start({base, 64}, other);
  ASSERT_FALSE(shell);
  EXPECT_NE(shell.error().message.find("NFQUEUE " + std::to_string(base + 1) + " (inbound)"),
            std::string::npos)
      << shell.error().message;
}

TEST_F(NfqueueShellTest, BaseLeavingNoInboundQueueIsRefused) {
  auto shell = NfqueueShell::start({65535, 64}, processor_);
  ASSERT_FALSE(shell);
  EXPECT_EQ(shell.error().code, std::errc::invalid_argument);
}

// The iptables runner of an IoShell: answers success, except for one
// command, and checks at the first command whether the queues are bound.
class ProbingRunner final : public CommandRunner {
 public:
  ProbingRunner(std::uint16_t base, std::string fail_op, bool& queues_bound_at_first_command)
      : base_(base), fail_op_(std::move(fail_op)), bound_(queues_bound_at_first_command) {}
  CommandResult run(const Argv& argv) override {
    if (first_) {
      first_ = false;
      test::CountProcessor probe;
      bound_ = !NfqueueShell::start({base_, 16}, probe);
    }
    if (argv.size() > 4 && argv[4] == fail_op_) return {3, "iptables: refused.\n"};
    return {};
  }

 private:
  std::uint16_t base_;
  std::string fail_op_;
  bool& bound_;
  bool first_ = true;
};

IoShellOptions io_options(std::uint16_t base) {
  IoShellOptions options;
  options.rules.queue_base = base;
  options.max_queue_len = 16;
  return options;
}

TEST_F(NfqueueShellTest, IoShellBindsQueuesBeforeTouchingRules) {
  const auto base = test_queue_base();
  bool bound = false;
  auto shell = IoShell::start(io_options(base), processor_,
                              std::make_unique<ProbingRunner>(base, "", bound));
  ASSERT_TRUE(shell) << shell.error();
  EXPECT_TRUE(bound);
  (*shell)->stop();
  EXPECT_FALSE((*shell)->queues().failure());
}

TEST_F(NfqueueShellTest, IoShellRuleFailureIsReportedAndReleasesTheQueues) {
  const auto base = test_queue_base();
  bool bound = false;
  auto shell = IoShell::start(io_options(base), processor_,
                              std::make_unique<ProbingRunner>(base, "-N", bound));
  ASSERT_FALSE(shell);
  EXPECT_NE(shell.error().find("-N AOTLS-"), std::string::npos) << shell.error();
  EXPECT_NE(shell.error().find("iptables: refused."), std::string::npos) << shell.error();
  auto again = NfqueueShell::start({base, 16}, processor_);
  EXPECT_TRUE(again) << "queues still bound after the failed start";
}

}  // namespace
}  // namespace aotls::backend::nfqueue
