// Running the built tools as a user would, for end-to-end tests.
#pragma once

#include <map>
#include <string>
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
ToolRun run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
            const std::string& input = "", const std::string& cwd = "");

// run() of a built tool with TL_CONFIG=config_file.
ToolRun run_tool(const std::string& config_file, const std::string& tool, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {});

// Number of lines in `s` (a last line without '\n' counts).
int line_count(const std::string& s);

}  // namespace ticket::testing
