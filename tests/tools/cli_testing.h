// Helpers of the command-line tests: running the einflow binary and writing
// temporary input files.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace einflow::cli_testing {

struct Result {
  int code = -1;
  std::string out;
};

inline Result run_shell(const std::string& cmd_line) {
  std::string cmd = cmd_line + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline Result run(const std::string& args) {
  return run_shell(std::string(EINFLOW_BINARY) + " " + args);
}

inline std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

inline const std::string kAtt = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/";

}  // namespace einflow::cli_testing
