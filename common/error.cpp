#include "common/error.h"

namespace einflow {

std::string SourceLoc::str() const {
  if (file.empty() && line == 0) return "<input>";
  std::string s = file.empty() ? "<input>" : file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (col > 0) s += ":" + std::to_string(col);
  }
  return s;
}

SourceLoc SourceLoc::shifted(int delta) const {
  SourceLoc out = *this;
  if (out.col > 0) out.col += delta;
  return out;
}

std::string Diagnostic::str() const {
  std::string s = loc.str() + ": ";
  if (!key_path.empty()) s += key_path + ": ";
  return s + message;
}

static std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string s;
  for (const auto& d : diagnostics) {
    if (!s.empty()) s += "\n";
    s += d.str();
  }
  return s;
}

UserError::UserError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_diagnostics(diagnostics)), m_diagnostics(std::move(diagnostics)) {}

UserError::UserError(const SourceLoc& loc, const std::string& message)
    : UserError(std::vector<Diagnostic>{Diagnostic{loc, "", message}}) {}

UserError::UserError(const SourceLoc& loc, const std::string& key_path,
                     const std::string& message)
    : UserError(std::vector<Diagnostic>{Diagnostic{loc, key_path, message}}) {}

void Diagnostics::error(const SourceLoc& loc, const std::string& key_path,
                        const std::string& message) {
  m_items.push_back(Diagnostic{loc, key_path, message});
}

void Diagnostics::merge(const Diagnostics& other) {
  m_items.insert(m_items.end(), other.m_items.begin(), other.m_items.end());
}

void Diagnostics::throw_if_any() const {
  if (!m_items.empty()) throw UserError(m_items);
}

void assertion_failed(const char* expr, const char* file, int line, const std::string& message) {
  throw InternalError(std::string("internal error: ") + file + ":" + std::to_string(line) +
                      ": assertion `" + expr + "` failed: " + message);
}

}  // namespace einflow
