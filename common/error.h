// Errors. A user fault (bad input) is a UserError carrying one or more located
// diagnostics; a simulator bug is an InternalError raised by EINFLOW_ASSERT.
// The CLI maps them to exit codes 2 and 3. Nothing in the library calls exit().
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace einflow {

// A position in an input file; line and col are 1-based, 0 means unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;

  // "file:line:col", "file", or "<input>" when nothing is known.
  std::string str() const;
  // The same file, `delta` columns further right (for positions inside a scalar).
  SourceLoc shifted(int delta) const;
};

// One complaint about the input: where, which key, what is wrong.
struct Diagnostic {
  SourceLoc loc;
  std::string key_path;  // e.g. "cascade.ranks.M"; empty when not from a YAML key
  std::string message;

  // "file:line:col: key.path: message"
  std::string str() const;
};

// The one exception type for user faults.
class UserError : public std::runtime_error {
 public:
  explicit UserError(std::vector<Diagnostic> diagnostics);
  UserError(const SourceLoc& loc, const std::string& message);
  UserError(const SourceLoc& loc, const std::string& key_path, const std::string& message);

  const std::vector<Diagnostic>& diagnostics() const { return m_diagnostics; }

 private:
  std::vector<Diagnostic> m_diagnostics;
};

// A bug in einflow itself.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Collects diagnostics so that a validation pass reports every problem at once.
class Diagnostics {
 public:
  void error(const SourceLoc& loc, const std::string& key_path, const std::string& message);
  void error(const SourceLoc& loc, const std::string& message) { error(loc, "", message); }
  void merge(const Diagnostics& other);
  bool empty() const { return m_items.empty(); }
  size_t size() const { return m_items.size(); }
  const std::vector<Diagnostic>& items() const { return m_items; }
  // Throws a UserError holding every collected diagnostic, if there is any.
  void throw_if_any() const;

 private:
  std::vector<Diagnostic> m_items;
};

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line,
                                   const std::string& message);

}  // namespace einflow

// Checks an invariant of einflow's own code; a failure is a bug (exit code 3).
#define EINFLOW_ASSERT(cond, msg)                                            \
  do {                                                                       \
    if (!(cond)) ::einflow::assertion_failed(#cond, __FILE__, __LINE__, msg); \
  } while (0)
