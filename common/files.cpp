#include "common/files.h"

#include <cstdio>
#include <fstream>
#include <iterator>

#include "common/error.h"

namespace einflow {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream os(tmp, std::ios::binary | std::ios::trunc);
    os << text;
    if (!os.flush()) throw UserError(SourceLoc{path, 0, 0}, "cannot write " + path);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw UserError(SourceLoc{path, 0, 0}, "cannot write " + path);
}

}  // namespace einflow
