// Helpers shared by the sweep, store, report and re-rank tests: running the
// einflow binary, temporary sweep directories and comparing stores.
#pragma once

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "tools/sweep/runner.h"
#include "tools/sweep/spec.h"
#include "tools/sweep/store.h"

namespace einflow::sweep::testing {

namespace fs = std::filesystem;

inline const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/";
inline const std::string kBin = EINFLOW_BINARY;

struct Shell {
  int code = -1;
  std::string out;
};

inline Shell sh(const std::string& cmd) {
  Shell r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string temp_dir(const std::string& name) {
  const std::string d = ::testing::TempDir() + "sweep-" + name;
  fs::remove_all(d);
  return d;
}

// A sweep file in the temporary folder; "@/" stands for the attention test data.
inline std::string write_sweep(const std::string& name, std::string body) {
  for (size_t at = body.find("@/"); at != std::string::npos; at = body.find("@/"))
    body.replace(at, 2, kData + "attention/");
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << body;
  return path;
}

inline std::string axis(const Point& p, const std::string& key) {
  for (const auto& [k, v] : p.axes)
    if (k == key) return v;
  return "?";
}

// Everything a record says about its result, without when and where it ran,
// serialized deterministically (protobuf maps have no order otherwise).
inline std::map<std::string, std::string> results_of(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (Record r : read_store(store_path(dir)).records) {
    r.clear_provenance();
    std::string bytes;
    {
      google::protobuf::io::StringOutputStream raw(&bytes);
      google::protobuf::io::CodedOutputStream coded(&raw);
      coded.SetSerializationDeterministic(true);
      r.SerializeToCodedStream(&coded);
    }
    EXPECT_TRUE(out.emplace(r.config_hash(), bytes).second) << "duplicate " << r.config_hash();
  }
  return out;
}

// Compares without printing megabytes of records on a failure.
inline void expect_same_results(const std::map<std::string, std::string>& got,
                                const std::map<std::string, std::string>& want,
                                const std::string& what) {
  EXPECT_EQ(got.size(), want.size()) << what;
  int differ = 0;
  for (const auto& [hash, bytes] : want) {
    auto it = got.find(hash);
    if (it == got.end() || it->second != bytes) ++differ;
  }
  EXPECT_EQ(differ, 0) << what << ": records missing or different";
}

}  // namespace einflow::sweep::testing
