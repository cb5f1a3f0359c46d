// einflow import timeloop ARCH PROBLEM [MAPPING] [--ert ERT] [--constraints C] --out DIR:
// writes einflow YAML (NAME.arch.yaml, NAME.workload.yaml, NAME.mapping.yaml,
// NAME.mapper.yaml with the architecture's constraints) and the
// importer's notes, then loads them back to check they are valid.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "arch/arch.h"
#include "mappers/mapping/mapping.h"
#include "mappers/search/mapper_config.h"
#include "tools/cli/commands.h"
#include "tools/import/timeloop.h"
#include "workloads/workload.h"

namespace einflow::cli {

namespace {

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  if (!f) throw UserError(SourceLoc{p.string(), 0, 0}, "cannot write this file");
}

}  // namespace

Runner add_import(CLI::App& app) {
  auto* sub = app.add_subcommand("import", "Convert another tool's input files to einflow YAML");
  sub->require_subcommand(1);
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
  return [files, out]() {
    import::ImportResult r = import::import_timeloop(*files);
    std::filesystem::path dir(*out);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw UserError(SourceLoc{*out, 0, 0}, "cannot create the output folder: " + ec.message());
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
