// aotls/backend/nfqueue/firewall.cpp - see firewall.hpp.
#include "aotls/backend/nfqueue/firewall.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

extern char** environ;

namespace aotls::backend::nfqueue {
namespace {

constexpr std::size_t kMaxOutput = 4096;
// A jump is inserted once per start; more than a few copies means something
// else is re-adding it, and looping forever would hide that.
constexpr int kMaxJumpDeletes = 8;

std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto& c : text)
    if (c == '\n') c = ' ';
  return text;
}

class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

}  // namespace

CommandResult ExecRunner::run(const Argv& argv) {
  if (argv.empty()) return {127, "empty command"};
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return {127, std::string("pipe: ") + std::strerror(errno)};

  FileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], 2);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  const int spawn_error = posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(), environ);
  close(pipe_fds[1]);
  if (spawn_error != 0) {
    close(pipe_fds[0]);
    return {127, argv[0] + ": " + std::strerror(spawn_error)};
  }

  CommandResult result;
  char buffer[512];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const auto room = kMaxOutput - std::min(kMaxOutput, result.output.size());
    result.output.append(buffer, std::min(room, static_cast<std::size_t>(n)));
  }
  close(pipe_fds[0]);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return {127, std::string("waitpid: ") + std::strerror(errno)};
  }
  if (WIFEXITED(status)) {
    result.exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_status = 128 + WTERMSIG(status);
  }
  return result;
}

std::string describe_failure(const Argv& argv, const CommandResult& result) {
  std::string text = "\"";
  for (std::size_t i = 0; i < argv.size(); ++i) text += (i == 0 ? "" : " ") + argv[i];
  text += "\" (exit " + std::to_string(result.exit_status) + ")";
  const auto output = one_line(result.output);
  if (!output.empty()) text += ": " + output;
  return text;
}

Firewall::Firewall(RuleConfig config, std::unique_ptr<CommandRunner> runner)
    : config_(std::move(config)), runner_(std::move(runner)) {}

Firewall::~Firewall() {
  stop();
}

common::Expected<std::unique_ptr<Firewall>, FirewallError> Firewall::start(
    RuleConfig config, std::unique_ptr<CommandRunner> runner) {
  if (auto ec = validate(config)) return common::Unexpected(FirewallError{ec.message()});
  std::unique_ptr<Firewall> firewall(new Firewall(std::move(config), std::move(runner)));
  firewall->remove_everything();
  firewall->running_ = true;
  for (auto family : families(firewall->config_)) {
    auto created = firewall->run_all(create_chains(firewall->config_, family));
    if (!created) return common::Unexpected(std::move(created).error());  // destructor cleans
  }
  return firewall;
}

common::Expected<void, FirewallError> Firewall::run_all(const std::vector<Argv>& commands) {
  for (const auto& argv : commands) {
    const auto result = runner_->run(argv);
    if (result.exit_status != 0)
      return common::Unexpected(FirewallError{describe_failure(argv, result)});
  }
  return {};
}

common::Expected<void, FirewallError> Firewall::add_peer(const PeerFlow& flow) {
  if (flow.peer.version() == segment::IpVersion::V6 && !config_.ipv6)
    return common::Unexpected(FirewallError{make_error_code(RulesErrc::FamilyDisabled).message()});
  auto added = run_all(peer_rules(config_, flow, RuleOp::Append));
  if (!added) {
    // A partial set would protect one direction only; take it back.
    for (const auto& argv : peer_rules(config_, flow, RuleOp::Delete)) runner_->run(argv);
  }
  return added;
}

common::Expected<void, FirewallError> Firewall::remove_peer(const PeerFlow& flow) {
  // Every rule is tried, so one already missing does not keep the others;
  // the first failure is reported.
  std::optional<FirewallError> first_failure;
  for (const auto& argv : peer_rules(config_, flow, RuleOp::Delete)) {
    const auto result = runner_->run(argv);
    if (result.exit_status != 0 && !first_failure)
      first_failure = FirewallError{describe_failure(argv, result)};
  }
  if (first_failure) return common::Unexpected(std::move(*first_failure));
  return {};
}

void Firewall::stop() {
  if (!running_) return;
  running_ = false;
  remove_everything();
}

void Firewall::remove_everything() {
  // Failures here mean "already absent" (the normal case at a clean start).
  for (auto family : families(config_)) {
    for (auto direction : {Direction::Outbound, Direction::Inbound}) {
      const auto argv = delete_jump(config_, family, direction);
      int deleted = 0;
      while (deleted < kMaxJumpDeletes && runner_->run(argv).exit_status == 0) ++deleted;
    }
    for (const auto& argv : teardown_chains(config_, family)) runner_->run(argv);
  }
}

}  // namespace aotls::backend::nfqueue
