#include "tools/cli/app.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <map>

#include "common/error.h"
#include "common/version.h"
#include "tools/cli/commands.h"
#include "tools/cli/options.h"
#include "tools/cli/simulate_pim.h"

namespace einflow::cli {

namespace {

// The app with every subcommand registered; `runners` by subcommand name.
void build_app(CLI::App& app, std::map<std::string, Runner>& runners) {
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("einflow ") + einflow::kVersion + " (" + einflow::kGitHash + ")");
  register_pim_timer();  // the cycle model's PIM Einsums, command by command
  runners["describe"] = add_describe(app);
  runners["check"] = add_check(app);
  runners["evaluate"] = add_evaluate(app);
  runners["import"] = add_import(app);
  runners["map"] = add_map(app);
  runners["dram"] = add_dram(app);
  runners["pim"] = add_pim(app);
  runners["simulate"] = add_simulate(app);
  runners["sweep"] = add_sweep(app);
  runners["report"] = add_report(app);
  runners["bound"] = add_bound(app);
}

// Runs `parse`: --help and --version print and give their exit code, other
// parse errors go to `bad`; -1 when the arguments parsed.
int parse_args(CLI::App& app, const std::function<void()>& parse,
               const std::function<int(const CLI::ParseError&)>& bad) {
  try {
    parse();
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return bad(e);
  }
  return -1;
}

int run_parsed(CLI::App& app, std::map<std::string, Runner>& runners) {
  for (auto* sub : app.get_subcommands()) return runners.at(sub->get_name())();
  return 3;
}

}  // namespace

int main_with(int argc, char** argv) {
  CLI::App app{"einflow: dataflow-accelerator simulator and co-design framework"};
  std::map<std::string, Runner> runners;
  build_app(app, runners);
  const int parsed = parse_args(
      app, [&]() { app.parse(argc, argv); },
      [&](const CLI::ParseError& e) {
        app.exit(e);
        return 2;
      });
  if (parsed >= 0) return parsed;
  try {
    return run_parsed(app, runners);
  } catch (const UserError& e) {
    for (const auto& d : e.diagnostics()) std::cerr << d.str() << "\n";
    return 2;
  } catch (const InternalError& e) {
    std::cerr << e.what() << "\n";
    return 3;
  } catch (const std::bad_alloc&) {
    std::cerr << "einflow: out of memory (reduce the problem size or use a smaller instance)\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 3;
  }
}

int run_embedded(const std::vector<std::string>& args) {
  set_embedded();
  CLI::App app{"einflow: dataflow-accelerator simulator and co-design framework", "einflow"};
  std::map<std::string, Runner> runners;
  build_app(app, runners);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  const int parsed = parse_args(
      app, [&]() { app.parse(reversed); },
      [](const CLI::ParseError& e) -> int { throw UserError(SourceLoc{"<arguments>", 0, 0}, e.what()); });
  if (parsed >= 0) return parsed;
  return run_parsed(app, runners);
}

}  // namespace einflow::cli
