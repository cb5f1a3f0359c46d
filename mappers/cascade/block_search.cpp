#include "mappers/cascade/block_search.h"

#include "common/text.h"
#include "workloads/transformer.h"

namespace einflow::cascade {

bool has_blocks(const workloads::Workload& w, const std::string& variant) {
  return w.model && w.instance && (variant == "2pass" || variant == "1pass" || variant == "chunkwise");
}

BlockSearch search_blocks(const arch::Architecture& arch, const workloads::Workload& w, const std::string& variant,
                          const search::MapperConfig& config, const CascadeSearchOptions& options,
                          const search::ProgressFn& progress) {
  BlockSearch out;
  const workloads::Variant& v = w.select_variant(variant, SourceLoc{w.file, 0, 0}, "variant", "name one");
  if (config.blocks.empty() || !has_blocks(w, v.name)) {
    out.result = search_cascade(arch, v.cascade, config, options, progress);
    out.workload = w;
    return out;
  }
  if (!options.seeds.empty() || options.constrain_to)
    throw UserError(config.loc, "mapper.blocks",
                    "blocks searches a cascade per chunk size; seed designs and --design fix one cascade");
  const int64_t keys = workloads::attention_shape(*w.model, *w.instance).m;
  for (int64_t b : config.blocks) {
    if (keys % b != 0) {
      out.tried.emplace_back(b, "does not divide the " + std::to_string(keys) + " keys");
      continue;
    }
    workloads::Workload wb = workloads::with_block(w, b);
    const workloads::Variant* vb = wb.find_variant(v.name);
    CascadeSearchResult r;
    try {
      r = search_cascade(arch, vb->cascade, config, options, progress);
    } catch (const UserError& e) {
      out.tried.emplace_back(b, std::string("no valid mapping: ") + e.what());
      continue;
    }
    out.tried.emplace_back(b, "cost " + format_double(r.cost));
    if (out.block == 0 || r.cost < out.result.cost) {
      out.result = std::move(r);
      out.workload = std::move(wb);
      out.block = b;
    }
  }
  if (out.block == 0) {
    std::vector<std::string> why;
    for (const auto& [b, reason] : out.tried) why.push_back(std::to_string(b) + ": " + reason);
    throw UserError(config.loc, "mapper.blocks", "no chunk size gives a valid mapping (" + join(why, "; ") + ")");
  }
  return out;
}

}  // namespace einflow::cascade
