#include "tools/sweep/filter.h"

#include <cctype>
#include <cmath>

#include "common/yaml_node.h"

namespace einflow::sweep {

// Recursive descent over the tokens; evaluates as it parses when given a lookup
// (without one it only checks the syntax).
class Filter::Parser {
 public:
  Parser(const Filter& f, const Lookup* lookup) : m_f(f), m_lookup(lookup) {}

  bool comparison() {
    const double l = sum();
    const Token& op = peek();
    static const std::vector<std::string> kCmp = {"<", "<=", ">", ">=", "==", "!="};
    if (op.kind != Token::kOp || std::find(kCmp.begin(), kCmp.end(), op.text) == kCmp.end())
      fail(op, "expected a comparison (< <= > >= == !=)");
    ++m_pos;
    const double r = sum();
    if (peek().kind != Token::kEnd) fail(peek(), "unexpected '" + peek().text + "'");
    if (op.text == "<") return l < r;
    if (op.text == "<=") return l <= r;
    if (op.text == ">") return l > r;
    if (op.text == ">=") return l >= r;
    if (op.text == "==") return l == r;
    return l != r;
  }

 private:
  const Token& peek() const { return m_f.m_tokens[m_pos]; }
  bool accept(const char* op) {
    if (peek().kind == Token::kOp && peek().text == op) {
      ++m_pos;
      return true;
    }
    return false;
  }
  [[noreturn]] void fail(const Token& t, const std::string& what) const {
    throw UserError(m_f.m_loc.shifted(t.col), m_f.m_path, "filter '" + m_f.m_text + "': " + what);
  }
  double sum() {
    double v = product();
    for (;;) {
      if (accept("+"))
        v += product();
      else if (accept("-"))
        v -= product();
      else
        return v;
    }
  }
  double product() {
    double v = unary();
    for (;;) {
      if (accept("*"))
        v *= unary();
      else if (accept("/"))
        v /= unary();
      else
        return v;
    }
  }
  double unary() {
    if (accept("-")) return -unary();
    if (accept("(")) {
      const double v = sum();
      if (!accept(")")) fail(peek(), "expected ')'");
      return v;
    }
    const Token& t = peek();
    if (t.kind == Token::kNumber) {
      ++m_pos;
      return t.value;
    }
    if (t.kind == Token::kName) {
      ++m_pos;
      if (!m_lookup) return 0;
      const std::optional<double> v = (*m_lookup)(t.text);
      if (!v) fail(t, "'" + t.text + "' has no numeric value at this point");
      return *v;
    }
    fail(t,
         t.kind == Token::kEnd ? "the expression ends too early" : "unexpected '" + t.text + "'");
  }

  const Filter& m_f;
  const Lookup* m_lookup;
  size_t m_pos = 0;
};

Filter::Filter(const std::string& text, const SourceLoc& loc, const std::string& key_path)
    : m_text(text), m_loc(loc), m_path(key_path) {
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.col = static_cast<int>(i);
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < text.size() && std::isdigit(text[i + 1]))) {
      size_t j = i;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '.' ||
              ((text[j] == '+' || text[j] == '-') && (text[j - 1] == 'e' || text[j - 1] == 'E'))))
        ++j;
      t.text = text.substr(i, j - i);
      t.kind = Token::kNumber;
      if (auto n = parse_int_with_suffix(t.text))
        t.value = static_cast<double>(*n);
      else if (auto d = parse_double(t.text))
        t.value = *d;
      else
        throw UserError(loc.shifted(t.col), key_path,
                        "filter '" + text + "': '" + t.text + "' is not a number");
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' ||
              text[j] == '.' || text[j] == '[' || text[j] == ']'))
        ++j;
      t.text = text.substr(i, j - i);
      t.kind = Token::kName;
      m_names.push_back(t.text);
      i = j;
    } else {
      static const char* kOps[] = {"<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "(", ")"};
      for (const char* op : kOps)
        if (text.compare(i, std::char_traits<char>::length(op), op) == 0) {
          t.text = op;
          break;
        }
      if (t.text.empty())
        throw UserError(loc.shifted(t.col), key_path,
                        "filter '" + text + "': unexpected '" + std::string(1, c) + "'");
      t.kind = Token::kOp;
      i += t.text.size();
    }
    m_tokens.push_back(t);
  }
  Token end;
  end.col = static_cast<int>(text.size());
  m_tokens.push_back(end);
  Parser(*this, nullptr).comparison();  // syntax check now, not at the first point
}

bool Filter::holds(const Lookup& lookup) const {
  return Parser(*this, &lookup).comparison();
}

}  // namespace einflow::sweep
