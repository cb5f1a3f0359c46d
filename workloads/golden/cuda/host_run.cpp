// run_on_host: the generated kernels built for the host and run in the
// interpreter's order.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <memory>
#include <vector>

#include "common/error.h"
#include "workloads/golden/cuda/codegen.h"
#include "workloads/golden/cuda/run.h"

namespace einflow::golden::cuda {

namespace {

namespace fs = std::filesystem;

using Entry = void (*)(void* const*, long long, long long);  // the kernels' ef_t* const*: double or float
using InitEntry = void (*)(void* const*, long long);

// A fresh private temporary directory (mkdtemp), removed with its contents when it goes.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "einflow-kernels-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw UserError(SourceLoc{}, "cannot create a temporary directory under " +
                                                                fs::temp_directory_path().string());
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct Library {
  void* handle = nullptr;
  ~Library() {
    if (handle) dlclose(handle);
  }
};

}  // namespace

TensorSet<double> run_on_host(const workloads::Cascade& c, const TensorSet<double>& inputs, bool single) {
  const Source src = generate(c, Target::kHost, single ? "float" : "double");
  TempDir dir;
  const fs::path cpp = dir.path / "kernels.cpp", so = dir.path / "kernels.so", log = dir.path / "log.txt";
  std::ofstream(cpp) << src.text;
  const char* env = std::getenv("EINFLOW_CXX");
  const std::string cxx = env && *env ? env : "c++";
  auto quoted = [](const std::string& x) {  // one shell word
    std::string q = "'";
    for (char ch : x) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return q + "'";
  };
  const std::string cmd = cxx + " -std=c++17 -O1 -shared -fPIC -o " + quoted(so.string()) + " " +
                          quoted(cpp.string()) + " > " + quoted(log.string()) + " 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream in(log);
    const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    throw UserError(SourceLoc{}, "the host build of the generated kernels failed (" + cxx + "): " + out.substr(0, 2000));
  }
  Library lib;
  lib.handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib.handle) throw UserError(SourceLoc{}, std::string("cannot load the generated kernels: ") + dlerror());
  TensorSet<double> tensors;
  std::vector<std::vector<float>> narrow(c.tensors.size());  // single: every tensor's float copy
  std::vector<void*> ptr(c.tensors.size(), nullptr);
  for (size_t t = 0; t < c.tensors.size(); ++t) {
    const workloads::Tensor& x = c.tensors[t];
    if (x.kind == workloads::TensorKind::kInput) {
      auto it = inputs.find(x.name);
      if (it == inputs.end()) throw UserError(x.loc, "no data for input '" + x.name + "'");
      if (it->second.extents != x.extents) throw UserError(x.loc, "input '" + x.name + "' has the wrong shape");
      if (single) {
        narrow[t].assign(it->second.data.begin(), it->second.data.end());
        ptr[t] = narrow[t].data();
      } else {
        ptr[t] = const_cast<double*>(it->second.data.data());  // the kernels only read inputs
      }
    } else {
      DenseTensor<double>& out = tensors[x.name] = DenseTensor<double>(x.extents);
      if (single) narrow[t].assign(out.data.size(), 0.0f);
      ptr[t] = single ? static_cast<void*>(narrow[t].data()) : static_cast<void*>(out.data.data());
    }
  }
  auto sym = [&](const std::string& name) {
    void* p = dlsym(lib.handle, name.c_str());
    if (!p) throw InternalError("generated kernel " + name + " missing");
    return p;
  };
  auto init = [&](int e) {
    const Source::Kernel& k = src.kernels[static_cast<size_t>(e)];
    reinterpret_cast<InitEntry>(sym(k.init))(ptr.data(), k.init_threads);
  };
  auto run = [&](int e, long long fixed) {
    const Source::Kernel& k = src.kernels[static_cast<size_t>(e)];
    reinterpret_cast<Entry>(sym(k.run))(ptr.data(), k.run_threads, fixed);
  };
  for (const auto& g : c.exec_groups) {
    if (g.loop_rank < 0) {
      for (int e : g.einsums) {
        init(e);
        run(e, -1);
      }
      continue;
    }
    for (int e : g.einsums) init(e);
    for (int64_t v = 0; v < c.ranks[static_cast<size_t>(g.loop_rank)].size; ++v)
      for (int e : g.einsums) run(e, v);
  }
  if (single)
    for (size_t t = 0; t < c.tensors.size(); ++t)
      if (c.tensors[t].kind != workloads::TensorKind::kInput)
        std::copy(narrow[t].begin(), narrow[t].end(), tensors[c.tensors[t].name].data.begin());
  return tensors;
}

}  // namespace einflow::golden::cuda
