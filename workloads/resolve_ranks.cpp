#include <cctype>

#include "common/checked.h"
#include "common/text.h"
#include "workloads/build_context.h"

namespace einflow::workloads::detail {

namespace {

bool valid_rank_name(const std::string& n) {
  if (n.empty() || !std::isupper(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

namespace {

// The declared ranks, each checked (name, uniqueness, size).
void declare_ranks(BuildContext& ctx) {
  Cascade& c = ctx.cascade;
  for (const auto& rs : ctx.spec.ranks) {
    if (!valid_rank_name(rs.name.text)) {
      ctx.diags.error(rs.name.loc, "rank name '" + rs.name.text +
                                       "' must start with an upper-case letter and hold only "
                                       "letters, digits and '_'");
      continue;
    }
    bool clash = false;
    for (const auto& r : c.ranks) clash = clash || r.var == lower(rs.name.text);
    if (clash) {
      ctx.diags.error(rs.name.loc, "rank '" + rs.name.text + "' is declared twice");
      continue;
    }
    if (rs.size && *rs.size < 1) {
      ctx.diags.error(rs.name.loc, "rank '" + rs.name.text + "' must have a size of at least 1, got " +
                                       std::to_string(*rs.size));
    }
    Rank r;
    r.name = rs.name.text;
    r.var = lower(rs.name.text);
    r.size = rs.size.value_or(0);
    r.loc = rs.name.loc;
    c.ranks.push_back(r);
  }
}

// The sizes of a partition's parts: their product is the rank's size, and one
// part without a size gets what is left.
void size_partition(BuildContext& ctx, const PartitionSpec& ps, int top, const std::vector<int>& parts) {
  Cascade& c = ctx.cascade;
  bool ok = true;
  // Sizes: the product of the parts equals the rank; one part may be left to derive.
  int unknown = -1;
  int64_t known = 1;
  for (int p : parts) {
    if (c.ranks[p].size == 0) {
      if (unknown >= 0) {
        ctx.diags.error(ps.rank.loc, "partition of '" + ps.rank.text +
                                         "': give the size of all parts but one");
        ok = false;
        break;
      }
      unknown = p;
    } else {
      auto prod = checked_mul(known, c.ranks[p].size);
      if (!prod) {
        ctx.diags.error(ps.rank.loc, "partition of '" + ps.rank.text + "': sizes overflow");
        ok = false;
        break;
      }
      known = *prod;
    }
  }
  if (!ok) return;
  int64_t total = c.ranks[top].size;
  std::string desc;
  for (int p : parts) desc += (desc.empty() ? "" : " x ") + c.ranks[p].name;
  if (total <= 0) {
    ctx.diags.error(ps.rank.loc, "rank '" + ps.rank.text + "' needs a size to be partitioned");
    return;
  }
  if (unknown >= 0) {
    if (total % known != 0) {
      ctx.diags.error(ps.rank.loc, "partition " + ps.rank.text + " = " + desc +
                                       ": the given part sizes (product " + std::to_string(known) +
                                       ") do not divide " + ps.rank.text + " = " +
                                       std::to_string(total));
      return;
    }
    c.ranks[unknown].size = total / known;
  } else if (known != total) {
    ctx.diags.error(ps.rank.loc, "partition " + ps.rank.text + " = " + desc + ": the parts multiply to " +
                                     std::to_string(known) + ", not " + ps.rank.text + " = " +
                                     std::to_string(total));
    return;
  }
  c.ranks[top].parts = parts;
  for (int p : parts) c.ranks[p].parent = top;
}

// One partition `M: [M1, M0]`: the rank exists and is split once, its parts
// are new ranks (or declared ones not yet a part), then their sizes.
void resolve_partition(BuildContext& ctx, const PartitionSpec& ps, const std::vector<std::string>& names) {
  Cascade& c = ctx.cascade;
  int top = c.find_rank(ps.rank.text);
  if (top < 0) {
    ctx.diags.error(ps.rank.loc, "partition of unknown rank '" + ps.rank.text + "'" +
                                     did_you_mean(ps.rank.text, names));
    return;
  }
  if (!c.ranks[top].parts.empty()) {
    ctx.diags.error(ps.rank.loc, "rank '" + ps.rank.text + "' is partitioned twice");
    return;
  }
  if (ps.parts.size() < 2) {
    ctx.diags.error(ps.rank.loc, "a partition of '" + ps.rank.text + "' needs at least two parts");
    return;
  }
  std::vector<int> parts;
  bool ok = true;
  for (const auto& pn : ps.parts) {
    int p = c.find_rank(pn.text);
    if (p < 0) {
      if (!valid_rank_name(pn.text)) {
        ctx.diags.error(pn.loc, "partition part '" + pn.text + "' is not a valid rank name");
        ok = false;
        continue;
      }
      Rank r;
      r.name = pn.text;
      r.var = lower(pn.text);
      r.loc = pn.loc;
      c.ranks.push_back(r);
      p = static_cast<int>(c.ranks.size()) - 1;
    } else if (c.ranks[p].parent >= 0 || p == top) {
      ctx.diags.error(pn.loc, "rank '" + pn.text + "' is already a part of a partition");
      ok = false;
      continue;
    }
    parts.push_back(p);
  }
  if (!ok) return;
  size_partition(ctx, ps, top, parts);
}

}  // namespace

void resolve_ranks(BuildContext& ctx) {
  Cascade& c = ctx.cascade;
  declare_ranks(ctx);
  std::vector<std::string> names;
  for (const auto& r : c.ranks) names.push_back(r.name);
  for (const auto& ps : ctx.spec.partitions) resolve_partition(ctx, ps, names);
  // A part left without a size belongs to a partition already reported above.
  for (const auto& rs : ctx.spec.ranks) {
    int r = c.find_rank(rs.name.text);
    if (r >= 0 && c.ranks[r].size == 0 && c.ranks[r].parent < 0)
      ctx.diags.error(rs.name.loc, "rank '" + rs.name.text + "' has no size");
  }
}

void resolve_declared_tensors(BuildContext& ctx) {
  Cascade& c = ctx.cascade;
  std::vector<std::string> rank_names;
  for (const auto& r : c.ranks) rank_names.push_back(r.name);
  for (const auto& ts : ctx.spec.tensors) {
    if (c.find_tensor(ts.name.text) >= 0) {
      ctx.diags.error(ts.name.loc, "tensor '" + ts.name.text + "' is declared twice");
      continue;
    }
    Tensor t;
    t.name = ts.name.text;
    t.loc = ts.name.loc;
    t.dtype = ts.dtype.value_or(ctx.spec.dtype);
    t.kind = ts.input ? TensorKind::kInput : TensorKind::kIntermediate;
    t.init_scale = ts.init_scale;
    for (const auto& rn : ts.ranks) {
      int r = c.find_rank(rn.text);
      if (r < 0) {
        ctx.diags.error(rn.loc, "tensor '" + ts.name.text + "': unknown rank '" + rn.text + "'" +
                                    did_you_mean(rn.text, rank_names));
        continue;
      }
      t.ranks.push_back(r);
    }
    c.tensors.push_back(t);
  }
}

}  // namespace einflow::workloads::detail
