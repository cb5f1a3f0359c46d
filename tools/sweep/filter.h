// A sweep filter: a comparison of two arithmetic expressions, e.g.
// "area_um2 <= 4.5e11" or "arch.GlobalBuffer.size_bytes >= 2 * arch.PE2D.size_words".
// Operands are numbers (with K/M/G suffixes, powers of 1024), names looked up
// per point, + - * / and parentheses; the operators are < <= > >= == !=.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace einflow::sweep {

class Filter {
 public:
  // Parses the text; a syntax error is a UserError at `loc`, column included.
  Filter(const std::string& text, const SourceLoc& loc, const std::string& key_path);

  // A name's value at a point; nullopt when it has none.
  using Lookup = std::function<std::optional<double>(const std::string& name)>;
  // Whether the point passes; a name without a value is a UserError at the filter.
  bool holds(const Lookup& lookup) const;

  const std::string& text() const { return m_text; }
  const std::vector<std::string>& names() const { return m_names; }

 private:
  struct Token {
    enum Kind { kNumber, kName, kOp, kEnd } kind = kEnd;
    std::string text;
    double value = 0;
    int col = 0;
  };
  class Parser;

  std::string m_text;
  SourceLoc m_loc;
  std::string m_path;
  std::vector<Token> m_tokens;
  std::vector<std::string> m_names;
};

}  // namespace einflow::sweep
