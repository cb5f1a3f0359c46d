// The fused-op pattern grammar (arch.h, parse_op_pattern): a small expression
// language of its own, so that the architecture does not depend on the
// workload's parser. Its function names are the Einsum notation's
// (tests/arch/op_pattern_test.cpp checks that the lists agree).
#include <cctype>
#include <set>

#include "arch/arch.h"

namespace einflow::arch {
namespace {

const std::set<std::string>& unary_functions() {
  static const std::set<std::string> names = {"exp",  "sqrt", "rsqrt", "recip",   "gelu", "silu",
                                              "relu", "tanh", "sigmoid", "log", "abs"};
  return names;
}

class PatternParser {
 public:
  PatternParser(const std::string& text, std::vector<PatternNode>& out) : m_text(text), m_out(out) {}

  // Parses the whole text; returns "" or the first error.
  std::string parse() {
    const int root = expr();
    skip();
    if (m_error.empty() && m_pos < m_text.size()) fail("unexpected '" + std::string(1, m_text[m_pos]) + "'");
    if (m_error.empty() && root >= 0 && m_out[static_cast<size_t>(root)].op.empty())
      fail("a pattern needs at least one operator");
    return m_error;
  }

 private:
  void skip() {
    while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos]))) ++m_pos;
  }
  bool eat(char c) {
    skip();
    if (m_pos < m_text.size() && m_text[m_pos] == c) {
      ++m_pos;
      return true;
    }
    return false;
  }
  int fail(const std::string& why) {
    if (m_error.empty()) m_error = why + " at column " + std::to_string(m_pos + 1);
    return -1;
  }
  int node(const std::string& op, int lhs, int rhs) {
    if (lhs < 0 || (rhs < 0 && (op != "neg" && !unary_functions().count(op)))) return -1;
    PatternNode n;
    n.op = op;
    n.lhs = lhs;
    n.rhs = rhs;
    m_out.push_back(n);
    return static_cast<int>(m_out.size()) - 1;
  }
  int expr() {
    int l = term();
    for (;;) {
      if (eat('+')) l = node("+", l, term());
      else if (eat('-')) l = node("-", l, term());
      else return l;
    }
  }
  int term() {
    int l = unary();
    for (;;) {
      if (eat('*')) l = node("*", l, unary());
      else if (eat('/')) l = node("/", l, unary());
      else return l;
    }
  }
  int unary() {
    if (eat('-')) return node("neg", unary(), -1);
    return primary();
  }
  int primary() {
    if (eat('(')) {
      const int e = expr();
      if (!eat(')')) return fail("expected ')'");
      return e;
    }
    skip();
    const size_t start = m_pos;
    while (m_pos < m_text.size() &&
           (std::isalnum(static_cast<unsigned char>(m_text[m_pos])) || m_text[m_pos] == '_'))
      ++m_pos;
    const std::string name = m_text.substr(start, m_pos - start);
    if (name.empty()) return fail(m_pos < m_text.size() ? "unexpected '" + std::string(1, m_text[m_pos]) + "'"
                                                        : "unexpected end");
    if (!eat('(')) {
      if (std::isdigit(static_cast<unsigned char>(name[0])))
        return fail("a pattern has no constants ('" + name + "'); its operands are placeholders");
      if (!m_names.insert(name).second) return fail("placeholder '" + name + "' appears twice");
      PatternNode n;
      n.name = name;
      m_out.push_back(n);
      return static_cast<int>(m_out.size()) - 1;
    }
    const bool binary = name == "max" || name == "min";
    if (!binary && !unary_functions().count(name)) return fail("unknown function '" + name + "'");
    const int a = expr();
    int b = -1;
    if (binary && !eat(',')) return fail(name + " takes two operands");
    if (binary) b = expr();
    if (!eat(')')) return fail("expected ')'");
    return node(name, a, b);
  }

  const std::string& m_text;
  std::vector<PatternNode>& m_out;
  size_t m_pos = 0;
  std::string m_error;
  std::set<std::string> m_names;
};

}  // namespace

std::vector<PatternNode> parse_op_pattern(const std::string& text, std::string& error) {
  std::vector<PatternNode> out;
  error = PatternParser(text, out).parse();
  if (!error.empty()) out.clear();
  return out;
}

std::vector<std::string> pattern_functions() {
  std::vector<std::string> names(unary_functions().begin(), unary_functions().end());
  names.push_back("max");
  names.push_back("min");
  return names;
}

}  // namespace einflow::arch
