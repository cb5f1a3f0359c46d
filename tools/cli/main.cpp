// einflow: the command line (tools/cli/app.h). Exit codes (DESIGN §4): 0
// success, 1 a check failed, 2 bad input (file:line:col: message), 3 internal error.
#include "tools/cli/app.h"

int main(int argc, char** argv) { return einflow::cli::main_with(argc, argv); }
