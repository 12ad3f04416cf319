#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ticket::testing {

namespace {

// PATH, HOME=/nonexistent, LANG=C and `env`, which may replace them:
// nothing of the test's own.
std::vector<std::string> clean_environment(const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> all = {
      {"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"LANG", "C"}};
  for (const auto& [k, v] : env) all[k] = v;
  std::vector<std::string> envs;
  for (const auto& [k, v] : all) envs.push_back(k + "=" + v);
  return envs;
}

// In a forked child: becomes `argv` or exits 127.
[[noreturn]] void exec(const std::vector<std::string>& argv, const std::vector<std::string>& envs) {
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execve(args[0], args.data(), envp.data());
  _exit(127);
}

}  // namespace

std::string tool_path(const std::string& name) {
  if (name == "ticketlemond") return std::string(TL_BUILD_DIR) + "/daemon/" + name;
  if (name == "tl-bench") return std::string(TL_BUILD_DIR) + "/tests/" + name;
  return std::string(TL_BUILD_DIR) + "/cmd/" + name;
}

ToolRun run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& input, const std::string& cwd) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0)
    std::abort();
  std::string dir = cwd;
  std::string made_dir;
  if (dir.empty()) {
    std::string base = std::filesystem::temp_directory_path() / "tlcwd-XXXXXX";
    if (mkdtemp(base.data()) == nullptr) std::abort();
    dir = made_dir = base;
  }
  const std::vector<std::string> envs = clean_environment(env);

  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (chdir(dir.c_str()) != 0) _exit(126);
    exec(argv, envs);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  signal(SIGPIPE, SIG_IGN);
  size_t written = 0;
  if (input.empty()) {
    close(in_pipe[1]);
    in_pipe[1] = -1;
  }
  ToolRun r;
  pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {in_pipe[1], POLLOUT, 0}};
  int open_outputs = 2;
  while (open_outputs > 0) {
    const nfds_t n = in_pipe[1] >= 0 ? 3 : 2;
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP))) {
        char buf[65536];
        const ssize_t got = read(fds[i].fd, buf, sizeof buf);
        if (got <= 0) {
          close(fds[i].fd);
          fds[i].fd = -1;
          --open_outputs;
        } else {
          (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(got));
        }
      }
    }
    if (n == 3 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t put = write(in_pipe[1], input.data() + written, input.size() - written);
      if (put <= 0 || (written += static_cast<size_t>(put)) == input.size()) {
        close(in_pipe[1]);
        in_pipe[1] = -1;
      }
    }
  }
  if (in_pipe[1] >= 0) close(in_pipe[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (!made_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(made_dir, ec);
  }
  return r;
}

ToolRun run_tool(const std::string& config_file, const std::string& tool,
                 const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {tool_path(tool)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto e = env;
  if (!config_file.empty()) e.emplace("TL_CONFIG", config_file);
  return run(argv, e);
}

int line_count(const std::string& s) {
  if (s.empty()) return 0;
  int n = 0;
  for (char c : s) n += c == '\n';
  return s.back() == '\n' ? n : n + 1;
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

Background::Background(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env, const std::string& log_path)
    : log_path_(log_path) {
  const std::vector<std::string> envs = clean_environment(env);
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) std::abort();
  pid_ = fork();
  if (pid_ == 0) {
    const int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(log, 1);
    dup2(log, 2);
    exec(argv, envs);
  }
  close(log);
}

Background::~Background() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
}

void Background::signal(int sig) const { ::kill(pid_, sig); }

namespace {
int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }
}  // namespace

int Background::wait() {
  if (!status_) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    status_ = decode(status);
  }
  return *status_;
}

std::optional<int> Background::wait_for(int ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!status_) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = decode(status);
      break;
    }
    if (std::chrono::steady_clock::now() > until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

std::string Background::log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool eventually(const std::function<bool()>& done, int timeout_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

namespace {
unsigned next_random(std::atomic<unsigned>& seed) {
  unsigned x = seed.fetch_add(0x9E3779B9u) + 0x9E3779B9u;
  x ^= x >> 16;
  x *= 0x85EBCA6Bu;
  x ^= x >> 13;
  return x;
}
}  // namespace

int free_port() {
  // Below the kernel's ephemeral range (32768-60999 by default): a port
  // there can be taken by any outgoing connection between this check and
  // the server's bind, and is therefore not handed out.
  static std::atomic<unsigned> seed{static_cast<unsigned>(getpid()) * 7919u +
                                    static_cast<unsigned>(time(nullptr))};
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = 20000 + static_cast<int>(next_random(seed) % 12000);
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free) return port;
  }
  std::abort();
}

int connect_loopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::pair<int, std::string> http_get(int port, const std::string& path) {
  return http_exchange(port, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
}

std::pair<int, std::string> http_exchange(int port, const std::string& request) {
  const std::string response = http_raw(port, request);
  if (response.size() < 12) return {0, ""};
  const int status = std::atoi(response.substr(9, 3).c_str());
  const auto body = response.find("\r\n\r\n");
  return {status, body == std::string::npos ? "" : response.substr(body + 4)};
}

std::string http_raw(int port, const std::string& request) {
  const int fd = connect_loopback(port);
  if (fd < 0) return "";
  // The server may answer (413) before it has read everything: what it
  // does not take is dropped, without SIGPIPE.
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) response.append(buf, static_cast<size_t>(n));
  close(fd);
  return response;
}

std::string metric_value(int port, const std::string& name) {
  const std::string body = http_get(port, "/metrics").second;
  const auto at = body.find("\n" + name + " ");
  if (at == std::string::npos) return "";
  const auto start = at + name.size() + 2;
  return body.substr(start, body.find('\n', start) - start);
}

std::optional<PngInk> png_ink(const std::string& png, std::string* why) {
  const ToolRun r =
      run({"/usr/bin/python3", std::string(TL_SOURCE_DIR) + "/tests/scripts/png_ink.py", png});
  PngInk ink;
  if (r.exit_code != 0 ||
      std::sscanf(r.out.c_str(), "ink=%lf colored=%ld", &ink.share, &ink.colored) != 2) {
    if (why) *why = r.out + r.err;
    return std::nullopt;
  }
  return ink;
}

}  // namespace ticket::testing
