// einflow._einflow: the Python module's native part. It runs one einflow
// command (tools/cli/app.h) with the GIL released, on a worker thread, while
// the calling thread waits: it passes the commands' progress ticks to a Python
// callback and Ctrl-C to the command (common/progress.h). No model logic
// here or in the package (tools/python/einflow): the commands are the CLI's.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/progress.h"
#include "common/version.h"
#include "tools/cli/app.h"

namespace py = pybind11;

namespace {

// One command in flight: its outcome, and the newest tick not yet passed on.
struct Call {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  int code = 0;
  std::exception_ptr error;
  std::atomic<bool> cancel{false};
  bool fresh = false;
  std::string what;
  double done_of = 0, total = 0;
};

// The commands' hook: on any thread; stops the command once cancelled.
void on_tick(const einflow::progress::Tick& t, void* context) {
  auto* call = static_cast<Call*>(context);
  if (!call) return;  // a tick racing the hook's removal
  if (call->cancel.load()) throw einflow::progress::Interrupted{};
  std::lock_guard<std::mutex> lock(call->m);
  call->fresh = true;
  call->what = t.what;
  call->done_of = t.done;
  call->total = t.total;
}

// std::cout and std::cerr into strings for the call's length, each call
// starting from the streams' default formatting (as a new process would: a
// command may leave std::fixed or a precision behind), the caller's restored.
struct Capture {
  std::ostringstream out, err;
  std::ios saved_out_format{nullptr}, saved_err_format{nullptr};
  std::streambuf* saved_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* saved_err = std::cerr.rdbuf(err.rdbuf());
  Capture() {
    saved_out_format.copyfmt(std::cout);
    saved_err_format.copyfmt(std::cerr);
    const std::ios fresh(nullptr);
    std::cout.copyfmt(fresh);
    std::cerr.copyfmt(fresh);
  }
  ~Capture() {
    std::cout.copyfmt(saved_out_format);
    std::cerr.copyfmt(saved_err_format);
    std::cout.rdbuf(saved_out);
    std::cerr.rdbuf(saved_err);
  }
};

std::mutex g_one_call;  // the streams and the hook are the process's: one command at a time

py::dict diagnostic_dict(const einflow::Diagnostic& d) {
  py::dict x;
  x["file"] = d.loc.file;
  x["line"] = d.loc.line;
  x["column"] = d.loc.col;
  x["key_path"] = d.key_path;
  x["message"] = d.message;
  x["text"] = d.str();
  return x;
}

// The outcome as a dict: code, stdout, stderr, and error (None, or kind
// "input" with its diagnostics, or kind "internal" with a message).
py::dict outcome(const Call& call, const Capture& cap) {
  py::dict r;
  r["code"] = call.code;
  r["stdout"] = cap.out.str();
  r["stderr"] = cap.err.str();
  r["error"] = py::none();
  if (!call.error) return r;
  py::dict e;
  try {
    std::rethrow_exception(call.error);
  } catch (const einflow::UserError& x) {
    e["kind"] = "input";
    py::list ds;
    for (const auto& d : x.diagnostics()) ds.append(diagnostic_dict(d));
    e["diagnostics"] = ds;
    r["code"] = 2;
  } catch (const einflow::InternalError& x) {
    e["kind"] = "internal";
    e["message"] = std::string(x.what());
    r["code"] = 3;
  } catch (const std::bad_alloc&) {
    e["kind"] = "internal";
    e["message"] = std::string("einflow: out of memory (reduce the problem size or use a smaller instance)");
    r["code"] = 3;
  } catch (const std::exception& x) {
    e["kind"] = "internal";
    e["message"] = std::string("internal error: ") + x.what();
    r["code"] = 3;
  } catch (const einflow::progress::Interrupted&) {
    e["kind"] = "interrupted";
    r["code"] = 130;
  } catch (...) {
    e["kind"] = "internal";
    e["message"] = std::string("internal error: an unknown exception");
    r["code"] = 3;
  }
  r["error"] = e;
  return r;
}

// The worker thread of one call and the hook it reports through: joined (the
// command told to stop first) and the hook removed on every way out of run().
struct Worker {
  Call& call;
  std::thread thread;
  Worker(Call& c, const std::vector<std::string>& args) : call(c) {
    einflow::progress::set_hook(&on_tick, &call);
    try {
      thread = std::thread([this, &args]() {
        try {
          call.code = einflow::cli::run_embedded(args);
        } catch (...) {
          call.error = std::current_exception();
        }
        {
          std::lock_guard<std::mutex> lock(call.m);
          call.done = true;
        }
        call.cv.notify_all();
      });
    } catch (...) {
      einflow::progress::set_hook(nullptr, nullptr);
      throw;
    }
  }
  void join() {
    if (!thread.joinable()) return;
    py::gil_scoped_release nogil;
    thread.join();
  }
  ~Worker() {
    call.cancel = true;  // a no-op once the command has finished
    join();
    einflow::progress::set_hook(nullptr, nullptr);
  }
};

std::atomic<std::thread::id> g_owner{};  // the thread whose call holds g_one_call

// Runs `args` (a command line without the program name).
py::dict run(const std::vector<std::string>& args, const py::object& progress) {
  if (g_owner.load() == std::this_thread::get_id())
    throw std::runtime_error("einflow: a call from inside a progress callback of another einflow call; "
                             "calls run one at a time");
  std::unique_lock<std::mutex> one(g_one_call, std::defer_lock);
  {
    py::gil_scoped_release nogil;
    one.lock();
  }
  g_owner = std::this_thread::get_id();
  struct Owner {
    ~Owner() { g_owner = std::thread::id(); }
  } owner;
  Call call;
  std::optional<py::error_already_set> pending;  // Ctrl-C, or the callback's own exception
  {
    Capture cap;
    Worker worker(call, args);
    auto report = [&](const std::string& what, double done_of, double total) {
      if (progress.is_none() || pending) return;
      try {
        progress(what, done_of, total);
      } catch (py::error_already_set& e) {
        pending.emplace(std::move(e));
        call.cancel = true;
      }
    };
    while (true) {
      bool finished = false, fresh = false;
      std::string what;
      double done_of = 0, total = 0;
      {
        py::gil_scoped_release nogil;
        std::unique_lock<std::mutex> lock(call.m);
        call.cv.wait_for(lock, std::chrono::milliseconds(50), [&]() { return call.done; });
        finished = call.done;
        fresh = std::exchange(call.fresh, false);
        what = call.what;
        done_of = call.done_of;
        total = call.total;
      }
      if (finished) {
        worker.join();
        if (fresh) report(what, done_of, total);  // the last tick too (a sweep's N of N)
        break;
      }
      if (pending) continue;
      if (PyErr_CheckSignals() != 0) {
        pending.emplace();
        call.cancel = true;
        continue;
      }
      if (fresh) report(what, done_of, total);
    }
    if (!pending) return outcome(call, cap);
  }
  throw *pending;
}

}  // namespace

PYBIND11_MODULE(_einflow, m) {
  m.doc() = "einflow's commands, run in-process (see the einflow package)";
  m.attr("version") = std::string(einflow::kVersion);
  m.attr("git_hash") = std::string(einflow::kGitHash);
  m.def("run", &run, py::arg("args"), py::arg("progress") = py::none(),
        "Runs one einflow command line (without the program name); returns a dict with code, stdout, stderr "
        "and error (None, or kind input/internal/interrupted with the details).");
}
