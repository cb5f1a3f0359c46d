// The results store: DIR/results.pb, a journal of length-delimited Record
// messages (results.proto). Appends are flushed and fsync'ed one by one, so a
// killed sweep loses at most the record being written, which the next reader
// detects and drops.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "tools/sweep/results.pb.h"

namespace einflow::sweep {

using results::Record;

struct StoreContents {
  std::vector<Record> records;  // in file order
  int64_t valid_bytes = 0;      // length of the well-formed prefix
  std::string warning;          // set when a truncated last record was dropped
};

// Reads a store; a missing file is an empty store. A truncated last record is
// dropped with a warning; a damaged record before the end is a UserError.
StoreContents read_store(const std::string& path);

// Appends records; safe to call from several threads.
class StoreWriter {
 public:
  // Opens `path` for appending after its first `valid_bytes` bytes (anything
  // beyond, a truncated record, is cut off). Creates the file when missing.
  StoreWriter(const std::string& path, int64_t valid_bytes);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Returns once the record is on disk (written, fsync'ed).
  void append(const Record& r);

 private:
  std::string m_path;
  int m_fd = -1;
  std::mutex m_mutex;
};

// Writes a whole store at once (a temporary file renamed over `path`).
void write_store(const std::string& path, const std::vector<Record>& records);

// The records of several stores, one per config hash (the first seen), sorted
// by point index then hash: the order every report and comparison uses.
std::vector<Record> merge_records(const std::vector<std::vector<Record>>& stores);

}  // namespace einflow::sweep
