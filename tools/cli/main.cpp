// einflow: the command line. Exit codes (DESIGN §4): 0 success, 1 a check
// failed, 2 bad input (file:line:col: message), 3 internal error.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "common/error.h"
#include "common/version.h"
#include "tools/cli/commands.h"
#include "tools/cli/simulate_pim.h"

int main(int argc, char** argv) {
  CLI::App app{"einflow: dataflow-accelerator simulator and co-design framework"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("einflow ") + einflow::kVersion + " (" + einflow::kGitHash + ")");
  einflow::cli::register_pim_timer();  // the cycle model's PIM Einsums, command by command
  std::map<std::string, einflow::cli::Runner> runners;
  runners["describe"] = einflow::cli::add_describe(app);
  runners["check"] = einflow::cli::add_check(app);
  runners["evaluate"] = einflow::cli::add_evaluate(app);
  runners["import"] = einflow::cli::add_import(app);
  runners["map"] = einflow::cli::add_map(app);
  runners["dram"] = einflow::cli::add_dram(app);
  runners["pim"] = einflow::cli::add_pim(app);
  runners["simulate"] = einflow::cli::add_simulate(app);
  runners["sweep"] = einflow::cli::add_sweep(app);
  runners["report"] = einflow::cli::add_report(app);
  runners["bound"] = einflow::cli::add_bound(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  try {
    for (auto* sub : app.get_subcommands()) return runners.at(sub->get_name())();
  } catch (const einflow::UserError& e) {
    for (const auto& d : e.diagnostics()) std::cerr << d.str() << "\n";
    return 2;
  } catch (const einflow::InternalError& e) {
    std::cerr << e.what() << "\n";
    return 3;
  } catch (const std::bad_alloc&) {
    std::cerr << "einflow: out of memory (reduce the problem size or use a smaller instance)\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 3;
  }
  return 3;
}
