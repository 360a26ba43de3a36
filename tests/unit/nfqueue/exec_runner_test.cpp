// ExecRunner: argv straight to posix_spawnp (no shell), exit status and
// output captured.
#include <gtest/gtest.h>

#include "aotls/backend/nfqueue/firewall.hpp"

namespace aotls::backend::nfqueue {
namespace {

TEST(ExecRunner, ReportsExitStatus) {
  ExecRunner runner;
  EXPECT_EQ(runner.run({"true"}).exit_status, 0);
  EXPECT_EQ(runner.run({"false"}).exit_status, 1);
}

TEST(ExecRunner, CapturesStdoutAndStderr) {
  ExecRunner runner;
  EXPECT_EQ(runner.run({"echo", "hello", "world"}).output, "hello world\n");
  const auto result = runner.run({"ls", "/nonexistent-aotls-nfqueue"});
  EXPECT_NE(result.exit_status, 0);
  EXPECT_NE(result.output.find("/nonexistent-aotls-nfqueue"), std::string::npos);
}

TEST(ExecRunner, ArgumentsAreNotInterpretedByAShell) {
  ExecRunner runner;
  EXPECT_EQ(runner.run({"echo", "$HOME;", "`id`", "*"}).output, "$HOME; `id` *\n");
}

TEST(ExecRunner, MissingProgramIs127WithAReason) {
  ExecRunner runner;
  const auto result = runner.run({"aotls-no-such-program"});
  EXPECT_EQ(result.exit_status, 127);
  EXPECT_NE(result.output.find("aotls-no-such-program"), std::string::npos);
  EXPECT_EQ(runner.run({}).exit_status, 127);
}

TEST(ExecRunner, DescribeFailureIsOneLine) {
  const auto text =
      describe_failure({"iptables", "-N", "X"}, {1, "iptables: Chain already exists.\n\n"});
  EXPECT_EQ(text, "\"iptables -N X\" (exit 1): iptables: Chain already exists.");
}

}  // namespace
}  // namespace aotls::backend::nfqueue
