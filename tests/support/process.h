// Running the built tools as a user would, for end-to-end tests.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ticket::testing {

struct ToolRun {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// Path of a built tool ("tl-admin" -> <build>/cmd/tl-admin).
std::string tool_path(const std::string& name);

// Runs `argv` with a clean environment (PATH, HOME=/nonexistent, LANG=C,
// plus `env`) in `cwd` (default: a fresh empty directory), feeding `input`
// on stdin, and waits for it.
ToolRun run(const std::vector<std::string>& argv,
            const std::map<std::string, std::string>& env = {}, const std::string& input = "",
            const std::string& cwd = "");

// run() of a built tool with TL_CONFIG=config_file.
ToolRun run_tool(const std::string& config_file, const std::string& tool,
                 const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {});

// A process running in the background (a daemon), its output going to a
// log file. Killed with SIGKILL by the destructor if still running.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::string& log_path);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  int pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for it to end; its exit code, or 128 + signal.
  int wait();
  // Waits up to `ms`; nullopt while it still runs.
  std::optional<int> wait_for(int ms);
  // The log so far.
  std::string log() const;

 private:
  int pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

// Whether `done` becomes true within `timeout_ms`, asking every 50 ms and
// once more at the end.
bool eventually(const std::function<bool()>& done, int timeout_ms);

// A TCP port on 127.0.0.1 below the ephemeral range that was free a moment
// ago (20000-31999).
int free_port();

// A TCP connection to 127.0.0.1:port, its descriptor for the caller to
// close; -1 when nothing accepts it.
int connect_loopback(int port);

// GET http://127.0.0.1:port/path; the status code and body ({0, ""} when
// nothing answers).
std::pair<int, std::string> http_get(int port, const std::string& path);

// Sends `request` (a whole HTTP request as bytes) to 127.0.0.1:port and
// reads the answer to the end: its status code and body ({0, ""} when
// nothing answers).
std::pair<int, std::string> http_exchange(int port, const std::string& request);
// What a PNG shows (tests/scripts/png_ink.py): the share of its pixels
// that are not white, and how many are coloured (not grey); nullopt, with
// the reason in `why`, when it cannot be read.
struct PngInk {
  double share = 0;
  long colored = 0;
};
std::optional<PngInk> png_ink(const std::string& png, std::string* why = nullptr);

// The whole response to `request` (head and body); "" when nothing answers.
std::string http_raw(int port, const std::string& request);

// The value of the Prometheus sample `name` (with its labels, if any, as the
// daemon writes them: `x{quantile="0.5"}`) that http://127.0.0.1:port/metrics
// shows, as text; "" when it is not shown.
std::string metric_value(int port, const std::string& name);

// Number of lines in `s` (a last line without '\n' counts).
int line_count(const std::string& s);

// How often `what` occurs in `text`.
int count_of(const std::string& text, const std::string& what);

}  // namespace ticket::testing
