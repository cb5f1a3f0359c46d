#include "workloads/parser.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/text.h"

namespace einflow::workloads {

namespace {

enum class Tok : uint8_t {
  kIdent, kNumber, kLBracket, kRBracket, kLParen, kRParen, kComma,
  kPlus, kMinus, kStar, kSlash, kAssign, kLe, kLt, kGe, kGt, kEq, kNe, kAnd, kEnd,
};

struct Token {
  Tok kind;
  std::string text;
  double number = 0;
  int col = 0;  // 0-based offset in the line
};

class Parser {
 public:
  Parser(const std::string& text, const SourceLoc& start) : m_text(text), m_start(start) {
    lex();
  }

  RawEinsum parse() {
    RawEinsum e;
    e.text = m_text;
    e.loc = loc_at(peek().col);
    e.output = parse_access();
    expect(Tok::kAssign, "'=' after the output tensor");
    parse_reduce_prefix(e);
    int root = parse_expr(e);
    (void)root;
    if (peek().kind == Tok::kIdent && peek().text == "where") {
      next();
      do {
        RawComparison c;
        c.loc = loc_at(peek().col);
        c.lhs = parse_index();
        c.cmp = parse_cmp();
        c.rhs = parse_index();
        e.mask.push_back(std::move(c));
      } while (accept(Tok::kAnd));
      if (peek().kind == Tok::kIdent && peek().text == "else") {
        next();
        e.fill = parse_signed_number();
      }
    }
    if (peek().kind != Tok::kEnd) fail(peek(), "expected an operator or the end of the line");
    return e;
  }

 private:
  SourceLoc loc_at(int col) const { return m_start.shifted(col); }

  [[noreturn]] void fail(const Token& t, const std::string& what) const {
    std::string got = t.kind == Tok::kEnd ? "the end of the line" : "'" + t.text + "'";
    throw UserError(loc_at(t.col), what + ", got " + got);
  }

  void lex() {
    size_t i = 0;
    const std::string& s = m_text;
    while (i < s.size()) {
      char c = s[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      if (c == '#') break;  // comment to the end of the line
      Token t;
      t.col = static_cast<int>(i);
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
        t.text = s.substr(i, j - i);
        t.kind = t.text == "and" ? Tok::kAnd : Tok::kIdent;
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() &&
                                                                  std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
        const char* begin = s.c_str() + i;
        char* end = nullptr;
        t.number = std::strtod(begin, &end);
        size_t len = static_cast<size_t>(end - begin);
        t.text = s.substr(i, len);
        t.kind = Tok::kNumber;
        i += len;
      } else {
        auto two = s.substr(i, 2);
        struct Sym {
          const char* text;
          Tok kind;
        };
        static const Sym syms[] = {{"<=", Tok::kLe}, {">=", Tok::kGe}, {"==", Tok::kEq},
                                   {"!=", Tok::kNe}, {"&&", Tok::kAnd}, {"[", Tok::kLBracket},
                                   {"]", Tok::kRBracket}, {"(", Tok::kLParen}, {")", Tok::kRParen},
                                   {",", Tok::kComma}, {"+", Tok::kPlus}, {"-", Tok::kMinus},
                                   {"*", Tok::kStar}, {"/", Tok::kSlash}, {"=", Tok::kAssign},
                                   {"<", Tok::kLt}, {">", Tok::kGt}, {"×", Tok::kStar}};
        bool found = false;
        for (const auto& sym : syms) {
          std::string st = sym.text;
          if (s.compare(i, st.size(), st) == 0) {
            t.kind = sym.kind;
            t.text = st;
            i += st.size();
            found = true;
            break;
          }
        }
        if (!found)
          throw UserError(loc_at(static_cast<int>(i)),
                          std::string("unexpected character '") + c + "'");
      }
      m_tokens.push_back(t);
    }
    Token end;
    end.kind = Tok::kEnd;
    end.col = static_cast<int>(s.size());
    m_tokens.push_back(end);
  }

  const Token& peek(size_t ahead = 0) const {
    size_t i = std::min(m_pos + ahead, m_tokens.size() - 1);
    return m_tokens[i];
  }
  const Token& next() {
    const Token& t = m_tokens[m_pos];
    if (m_pos + 1 < m_tokens.size()) ++m_pos;
    return t;
  }
  bool accept(Tok k) {
    if (peek().kind != k) return false;
    next();
    return true;
  }
  const Token& expect(Tok k, const std::string& what) {
    if (peek().kind != k) fail(peek(), std::string("expected ") + what);
    return next();
  }

  RawAccess parse_access() {
    const Token& name = expect(Tok::kIdent, "a tensor name");
    RawAccess a;
    a.tensor = Name{name.text, loc_at(name.col)};
    a.loc = loc_at(name.col);
    expect(Tok::kLBracket, "'[' after the tensor name");
    if (!accept(Tok::kRBracket)) {
      do a.index.push_back(parse_index());
      while (accept(Tok::kComma));
      expect(Tok::kRBracket, "',' or ']'");
    }
    return a;
  }

  // index := term (('+'|'-') term)* ; term := factor ('*' factor)* ; factor := NUMBER | NAME
  RawIndex parse_index() {
    RawIndex idx;
    idx.loc = loc_at(peek().col);
    int64_t sign = 1;
    if (accept(Tok::kMinus)) sign = -1;
    for (;;) {
      RawIndexTerm term;
      term.coef = sign;
      do {
        const Token& t = peek();
        if (t.kind == Tok::kNumber) {
          double v = t.number;
          if (v != std::floor(v) || std::fabs(v) > 1e15) fail(t, "expected an integer in an index");
          term.coef *= static_cast<int64_t>(v);
          next();
        } else if (t.kind == Tok::kIdent) {
          term.names.push_back(Name{t.text, loc_at(t.col)});
          next();
        } else {
          fail(t, "expected an index variable, a rank size or an integer");
        }
      } while (accept(Tok::kStar));
      idx.terms.push_back(std::move(term));
      if (accept(Tok::kPlus)) sign = 1;
      else if (accept(Tok::kMinus)) sign = -1;
      else break;
    }
    return idx;
  }

  Cmp parse_cmp() {
    const Token& t = next();
    switch (t.kind) {
      case Tok::kLe: return Cmp::kLe;
      case Tok::kLt: return Cmp::kLt;
      case Tok::kGe: return Cmp::kGe;
      case Tok::kGt: return Cmp::kGt;
      case Tok::kEq: return Cmp::kEq;
      case Tok::kNe: return Cmp::kNe;
      default: fail(t, "expected a comparison (<=, <, >=, >, ==, !=)");
    }
  }

  double parse_signed_number() {
    double sign = 1;
    if (accept(Tok::kMinus)) sign = -1;
    const Token& t = peek();
    if (t.kind == Tok::kNumber) {
      next();
      return sign * t.number;
    }
    if (t.kind == Tok::kIdent && t.text == "inf") {
      next();
      return sign * std::numeric_limits<double>::infinity();
    }
    fail(t, "expected a number");
  }

  static bool is_reduce_name(const std::string& s) {
    return s == "max" || s == "min" || s == "sum" || s == "prod";
  }

  // max(m0) EXPR: a reduction names only index variables and is followed by an operand.
  void parse_reduce_prefix(RawEinsum& e) {
    const Token& t = peek();
    if (t.kind != Tok::kIdent || !is_reduce_name(t.text) || peek(1).kind != Tok::kLParen) return;
    size_t k = 2;
    for (;;) {
      const Token& v = peek(k);
      if (v.kind != Tok::kIdent || v.text.empty() || !std::islower(static_cast<unsigned char>(v.text[0])))
        return;
      if (peek(k + 1).kind == Tok::kLBracket || peek(k + 1).kind == Tok::kLParen) return;
      if (peek(k + 1).kind == Tok::kComma) {
        k += 2;
        continue;
      }
      if (peek(k + 1).kind != Tok::kRParen) return;
      Tok after = peek(k + 2).kind;
      if (after != Tok::kIdent && after != Tok::kNumber && after != Tok::kLParen &&
          after != Tok::kMinus)
        return;
      break;
    }
    e.reduce_loc = loc_at(t.col);
    e.reduce = t.text == "max" ? Reduce::kMax : t.text == "min" ? Reduce::kMin
             : t.text == "sum" ? Reduce::kSum : Reduce::kProd;
    next();
    next();
    do {
      const Token& v = next();
      e.reduce_vars.push_back(Name{v.text, loc_at(v.col)});
    } while (accept(Tok::kComma));
    expect(Tok::kRParen, "')'");
  }

  int add(RawEinsum& e, RawNode n) {
    e.nodes.push_back(std::move(n));
    return static_cast<int>(e.nodes.size()) - 1;
  }

  int binary(RawEinsum& e, Op op, int lhs, int rhs, SourceLoc loc) {
    // Children are already in post-order before this node, as the caller parsed them.
    RawNode n;
    n.kind = RawNode::Kind::kBinary;
    n.op = op;
    n.lhs = lhs;
    n.rhs = rhs;
    n.loc = loc;
    return add(e, n);
  }

  int parse_expr(RawEinsum& e) {
    int lhs = parse_term(e);
    for (;;) {
      const Token& t = peek();
      if (t.kind != Tok::kPlus && t.kind != Tok::kMinus) return lhs;
      next();
      int rhs = parse_term(e);
      lhs = binary(e, t.kind == Tok::kPlus ? Op::kAdd : Op::kSub, lhs, rhs, loc_at(t.col));
    }
  }

  int parse_term(RawEinsum& e) {
    int lhs = parse_unary(e);
    for (;;) {
      const Token& t = peek();
      if (t.kind != Tok::kStar && t.kind != Tok::kSlash) return lhs;
      next();
      int rhs = parse_unary(e);
      lhs = binary(e, t.kind == Tok::kStar ? Op::kMul : Op::kDiv, lhs, rhs, loc_at(t.col));
    }
  }

  int parse_unary(RawEinsum& e) {
    const Token& t = peek();
    if (t.kind == Tok::kMinus) {
      next();
      int child = parse_unary(e);
      if (e.nodes[child].kind == RawNode::Kind::kConst) {
        e.nodes[child].value = -e.nodes[child].value;
        return child;
      }
      RawNode n;
      n.kind = RawNode::Kind::kUnary;
      n.op = Op::kNeg;
      n.lhs = child;
      n.loc = loc_at(t.col);
      return add(e, n);
    }
    return parse_primary(e);
  }

  int parse_primary(RawEinsum& e) {
    const Token& t = peek();
    SourceLoc loc = loc_at(t.col);
    if (t.kind == Tok::kNumber) {
      next();
      RawNode n;
      n.kind = RawNode::Kind::kConst;
      n.value = t.number;
      n.loc = loc;
      return add(e, n);
    }
    if (t.kind == Tok::kLParen) {
      next();
      int inner = parse_expr(e);
      expect(Tok::kRParen, "')'");
      return inner;
    }
    if (t.kind != Tok::kIdent) fail(t, "expected a tensor, a number, a function or '('");
    if (t.text == "inf") {
      next();
      RawNode n;
      n.kind = RawNode::Kind::kConst;
      n.value = std::numeric_limits<double>::infinity();
      n.loc = loc;
      return add(e, n);
    }
    if (peek(1).kind == Tok::kLBracket) {
      e.inputs.push_back(parse_access());
      RawNode n;
      n.kind = RawNode::Kind::kAccess;
      n.access = static_cast<int>(e.inputs.size()) - 1;
      n.loc = loc;
      return add(e, n);
    }
    if (peek(1).kind == Tok::kLParen) {
      std::string fn = t.text;
      next();
      next();
      if (fn == "max" || fn == "min") {
        int a = parse_expr(e);
        expect(Tok::kComma, "',' between the two operands of " + fn);
        int b = parse_expr(e);
        expect(Tok::kRParen, "')'");
        return binary(e, fn == "max" ? Op::kMax : Op::kMin, a, b, loc);
      }
      auto op = unary_by_name(fn);
      if (!op) {
        std::vector<std::string> known = unary_names();
        known.push_back("max");
        known.push_back("min");
        throw UserError(loc, "unknown function '" + fn + "'" + did_you_mean(fn, known));
      }
      int a = parse_expr(e);
      expect(Tok::kRParen, "')' after the argument of " + fn);
      RawNode n;
      n.kind = RawNode::Kind::kUnary;
      n.op = *op;
      n.lhs = a;
      n.loc = loc;
      return add(e, n);
    }
    if (std::isupper(static_cast<unsigned char>(t.text[0]))) {
      next();
      RawNode n;
      n.kind = RawNode::Kind::kRankSize;
      n.name = t.text;
      n.loc = loc;
      return add(e, n);
    }
    fail(t, "expected a tensor access like " + t.text + "[...], a function call or a rank size");
  }

  std::string m_text;
  SourceLoc m_start;
  std::vector<Token> m_tokens;
  size_t m_pos = 0;
};

}  // namespace

RawEinsum parse_einsum(const std::string& text, const SourceLoc& start) {
  Parser p(text, start);
  return p.parse();
}

std::vector<RawEinsum> parse_einsum_lines(const std::string& text, const std::string& file,
                                          int first_line) {
  std::vector<RawEinsum> out;
  Diagnostics diags;
  size_t pos = 0;
  int line = first_line;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string l = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    size_t first = l.find_first_not_of(" \t\r");
    if (first != std::string::npos && l[first] != '#') {
      try {
        out.push_back(parse_einsum(l, SourceLoc{file, line, 1}));
      } catch (const UserError& e) {
        for (const auto& d : e.diagnostics()) diags.error(d.loc, d.key_path, d.message);
      }
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
    ++line;
  }
  diags.throw_if_any();
  return out;
}

}  // namespace einflow::workloads
