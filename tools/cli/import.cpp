// einflow import timeloop ARCH PROBLEM [MAPPING] [--ert ERT] [--constraints C] --out DIR:
// writes einflow YAML (NAME.arch.yaml, NAME.workload.yaml, NAME.mapping.yaml,
// NAME.mapper.yaml with the architecture's constraints) and the
// importer's notes, then loads them back to check they are valid.
// einflow import hf CONFIG.json --out DIR: a Hugging Face model's config as a
// model workload (NAME.yaml) and the notes, loaded back and sized.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/search/mapper_config.h"
#include "tools/cli/commands.h"
#include "tools/import/hf.h"
#include "tools/import/timeloop.h"
#include "workloads/model_stats.h"
#include "workloads/workload.h"

namespace einflow::cli {

namespace {

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  if (!f) throw UserError(SourceLoc{p.string(), 0, 0}, "cannot write this file");
}

std::filesystem::path out_folder(const std::string& out) {
  std::filesystem::path dir(out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(SourceLoc{out, 0, 0}, "cannot create the output folder: " + ec.message());
  return dir;
}

// Writes NAME.yaml and import-notes.txt, loads the workload back and prints
// what describe would say about its size.
int import_hf(const std::string& config, const std::string& out, int64_t seq_len) {
  import::HfImport r = import::import_hf(config, seq_len);
  const auto dir = out_folder(out);
  const auto path = dir / (r.file_stem + ".yaml");
  write_file(path, r.workload_yaml);
  std::string notes;
  for (const auto& n : r.notes) notes += "- " + n + "\n";
  write_file(dir / "import-notes.txt", notes);
  workloads::Workload w = workloads::load_workload(path.string());
  const auto p = workloads::model_params(*w.model);
  const auto t = workloads::token_costs(*w.model, *w.instance);
  std::cout << "wrote " << path.string() << "\n"
            << r.name << ": " << p.total << " parameters; per decode token at " << t.context << " keys: "
            << t.macs << " MACs, " << t.kv_bytes << " KV-cache bytes\n";
  for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
  return 0;
}

}  // namespace

Runner add_import(CLI::App& app) {
  auto* sub = app.add_subcommand("import", "Convert another tool's input files to einflow YAML");
  sub->require_subcommand(1);
  auto* hf = sub->add_subcommand("hf", "A Hugging Face model's config.json (GPT-2, GPT-NeoX, Llama, Mistral, Qwen2, "
                                      "Phi-3, Gemma, Mixtral, DeepSeek-V2/V3)");
  auto hf_config = std::make_shared<std::string>();
  auto hf_out = std::make_shared<std::string>();
  auto hf_seq = std::make_shared<int64_t>(512);
  hf->add_option("CONFIG", *hf_config, "The model's config.json")->required();
  hf->add_option("--out", *hf_out, "Output folder")->required();
  hf->add_option("--seq-len", *hf_seq, "The instance's sequence length (default 512)");
  auto* tl = sub->add_subcommand("timeloop", "Timeloop architecture (v0.2-v0.4), problem, mapping and ERT");
  auto files = std::make_shared<import::TimeloopFiles>();
  auto out = std::make_shared<std::string>();
  tl->add_option("ARCH", files->arch, "Timeloop architecture YAML")->required();
  tl->add_option("PROBLEM", files->problem, "Timeloop problem YAML")->required();
  tl->add_option("MAPPING", files->mapping, "Timeloop mapping YAML");
  tl->add_option("--ert", files->ert, "Accelergy energy reference table (ERT) YAML");
  tl->add_option("--constraints", files->constraints,
                 "Timeloop v0.3 constraints YAML (architecture_constraints / mapspace_constraints)");
  tl->add_option("--out", *out, "Output folder")->required();
  return [files, out, hf, hf_config, hf_out, hf_seq]() {
    if (hf->parsed()) return import_hf(*hf_config, *hf_out, *hf_seq);
    import::ImportResult r = import::import_timeloop(*files);
    const std::filesystem::path dir = out_folder(*out);
    const auto arch_path = dir / (r.name + ".arch.yaml"), work_path = dir / (r.name + ".workload.yaml"),
               map_path = dir / (r.name + ".mapping.yaml");
    write_file(arch_path, r.arch_yaml);
    write_file(work_path, r.workload_yaml);
    if (!r.mapping_yaml.empty()) write_file(map_path, r.mapping_yaml);
    const auto mapper_path = dir / (r.name + ".mapper.yaml");
    if (!r.mapper_yaml.empty()) write_file(mapper_path, r.mapper_yaml);
    std::string notes;
    for (const auto& n : r.notes) notes += "- " + n + "\n";
    write_file(dir / "import-notes.txt", notes);
    // Read back what was written: an import that einflow cannot load is a bug.
    arch::Architecture a = arch::load_arch(arch_path.string());
    workloads::Workload w = workloads::load_workload(work_path.string());
    std::cout << "wrote " << arch_path.string() << "\nwrote " << work_path.string() << "\n";
    if (!r.mapping_yaml.empty()) {
      mapping::Mapping m = mapping::load_mapping(map_path.string(), w.variants.front().cascade, a);
      mapping::MappingStatus st = mapping::validate_mapping(m, w.variants.front().cascade, a);
      std::cout << "wrote " << map_path.string() << (st.ok ? "" : " (not valid in einflow: " + st.reason + ")") << "\n";
    }
    if (!r.mapper_yaml.empty()) {
      search::load_mapper_config(mapper_path.string());
      std::cout << "wrote " << mapper_path.string() << " (the architecture's constraints, for einflow map --mapper)\n";
    }
    for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
    return 0;
  };
}

}  // namespace einflow::cli
