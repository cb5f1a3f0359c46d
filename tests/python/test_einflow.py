"""The Python module against the command line: the same commands, the same JSON.

Run by ctest (Python.Module) with PYTHONPATH=BUILD/python, EINFLOW_BIN (the CLI)
and EINFLOW_SOURCE_DIR. Expected figures come from hand calculation (the
Timeloop tutorial's Conv1D: 16 outputs x 3 taps = 48 MACs on one MAC, so 48
cycles; the buffer serves 48 weight reads, 48 input reads and 32 output reads,
the first partial sum of each of the 16 outputs needing no read) and from the
CLI's own --json output, which the module must equal key for key.
"""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

import einflow

ROOT = os.environ.get("EINFLOW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("EINFLOW_BIN", os.path.join(ROOT, "build", "test", "tools", "einflow"))
CONV = os.path.join(ROOT, "tests", "data", "conv1d")
ARCH1 = os.path.join(CONV, "arch-1level.yaml")
WORK = os.path.join(CONV, "conv1d.yaml")
MAP1 = os.path.join(CONV, "map-1level.yaml")
QUICK = os.path.join(ROOT, "configs", "studies", "fusemax-quick.yaml")


def cli_json(*args):
    out = subprocess.run([CLI, *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def cli_fails(*args):
    p = subprocess.run([CLI, *args], capture_output=True, text=True)
    return p.returncode, p.stderr.strip()


def test_conv1d_evaluate_is_48_cycles_and_128_buffer_reads_as_the_cli():
    r = einflow.evaluate(ARCH1, WORK, MAP1)
    assert r["cycles"] == 48
    assert r["per_level"]["Buffer"]["total"]["reads"] == 128
    assert r["per_level"]["Buffer"]["total"]["updates"] == 48
    assert r == cli_json("evaluate", "--arch", ARCH1, "--workload", WORK, "--mapping", MAP1)


def test_the_timeloop_tutorials_files_imported_give_the_same_48_and_128(tmp_path):
    tl = os.path.join(ROOT, "tests", "data", "timeloop")
    r = einflow.run("import", "timeloop", os.path.join(tl, "1level.arch.yaml"), os.path.join(tl, "conv1d.prob.yaml"),
                    os.path.join(tl, "1level.map.yaml"), "--ert", os.path.join(tl, "1level.ERT.yaml"),
                    "--out", str(tmp_path))
    assert r["code"] == 0
    files = [str(tmp_path / f"conv1d.{k}.yaml") for k in ("arch", "workload", "mapping")]
    got = einflow.evaluate(*files)
    assert got["cycles"] == 48 and got["per_level"]["Buffer"]["total"]["reads"] == 128
    assert got == cli_json("evaluate", "--arch", files[0], "--workload", files[1], "--mapping", files[2])


def test_dict_inputs_give_the_files_results():
    yaml = pytest.importorskip("yaml")
    with open(ARCH1) as f:
        arch = yaml.safe_load(f)
    with open(WORK) as f:
        workload = yaml.safe_load(f)
    with open(MAP1) as f:
        mapping = yaml.safe_load(f)
    assert einflow.evaluate(arch, workload, mapping) == einflow.evaluate(ARCH1, WORK, MAP1)


def test_overrides_are_the_clis_set():
    r = einflow.describe(os.path.join(ROOT, "configs", "workloads", "bert-base.yaml"), variant="1pass",
                         set={"instance.seq_len": 2048, "instance.batch": 2})
    assert r == cli_json("describe", os.path.join(ROOT, "configs", "workloads", "bert-base.yaml"), "--variant", "1pass",
                         "--set", "instance.seq_len=2048", "--set", "instance.batch=2")


def test_input_error_carries_the_clis_text_and_location(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cascade:\n  name: x\n  ranks: {P: 4}\n  inputs: {A: [P]}\n  einsums:\n    - Z[p] = A[q]\n")
    code, text = cli_fails("describe", str(bad))
    assert code == 2
    with pytest.raises(einflow.InputError) as e:
        einflow.describe(str(bad))
    assert str(e.value) == text
    assert e.value.file == str(bad)
    assert (e.value.line, e.value.column) == (6, int(text.split(":")[2]))
    assert e.value.line > 0 and e.value.column > 0
    assert not isinstance(e.value, einflow.InternalError)


def test_a_dict_inputs_error_names_the_dict_and_the_key():
    yaml = pytest.importorskip("yaml")
    with open(ARCH1) as f:
        arch = yaml.safe_load(f)
    arch["architecture"]["bogus"] = 1
    with pytest.raises(einflow.InputError) as e:
        einflow.evaluate(arch, WORK, MAP1)
    assert e.value.file == "<arch dict>"
    assert e.value.key_path == "architecture.bogus"
    assert e.value.line > 0 and e.value.column > 0
    assert str(e.value).startswith("<arch dict>:")


def test_bad_arguments_are_input_errors():
    with pytest.raises(einflow.InputError) as e:
        einflow.dram("DDR4-2400", pattern="zigzag")
    assert e.value.file == "<arguments>"


def test_an_invalid_mapping_is_check_failed_with_the_clis_message(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("mapping:\n  einsum: O\n  levels:\n    - target: Buffer\n      temporal: [{P: 8}, {R: 3}]\n")
    code, text = cli_fails("evaluate", "--arch", ARCH1, "--workload", WORK, "--mapping", str(m))
    assert code == 1
    with pytest.raises(einflow.CheckFailed) as e:
        einflow.evaluate(ARCH1, WORK, str(m))
    assert str(e.value) == text
    assert e.value.code == 1


BERT = os.path.join(ROOT, "configs", "workloads", "bert-base.yaml")
H100 = os.path.join(ROOT, "configs", "arch", "h100.yaml")
LLAMA = os.path.join(ROOT, "configs", "workloads", "llama3-8b.yaml")
SMALL = {"instance.scope": "attention", "instance.seq_len": 64}
SMALL_ARGS = ["--set", "instance.scope=attention", "--set", "instance.seq_len=64"]
# What a run measures of itself (its wall-clock time) differs between two runs.
TIMED = {"seconds", "wall_seconds", "simulated_cycles_per_second"}


def untimed(j, timed_here):
    if isinstance(j, dict):
        return {k: untimed(v, timed_here) for k, v in j.items() if k not in timed_here}
    if isinstance(j, list):
        return [untimed(v, timed_here) for v in j]
    return j


@pytest.mark.parametrize("call,args,timed", [
    (lambda: einflow.bound(H100, LLAMA, devices=2, variant="1pass"),
     ["bound", "--arch", H100, "--workload", LLAMA, "--devices", "2", "--variant", "1pass"], set()),
    (lambda: einflow.check(BERT, set=SMALL, seed=3), ["check", BERT, "--seed", "3"] + SMALL_ARGS, {"seconds"}),
    (lambda: einflow.dram("DDR4-2400", pattern="random", requests=2000, seed=5),
     ["dram", "--standard", "DDR4-2400", "--pattern", "random", "--requests", "2000", "--seed", "5"], TIMED),
    (lambda: einflow.describe(arch=ARCH1), ["describe", "--arch", ARCH1], set()),
    (lambda: einflow.simulate(os.path.join(CONV, "arch-2level.yaml"), WORK, os.path.join(CONV, "map-2level-os.yaml"),
                              verify=True),
     ["simulate", "--arch", os.path.join(CONV, "arch-2level.yaml"), "--workload", WORK, "--mapping",
      os.path.join(CONV, "map-2level-os.yaml"), "--verify"], TIMED),
])
def test_each_command_returns_the_clis_json(call, args, timed):
    got = call()
    want = cli_json(*args)
    assert untimed(got, timed) == untimed(want, timed)
    assert set(got) == set(want)


def test_map_returns_the_summary_it_writes_and_the_clis(tmp_path):
    mapper = {"mapper": {"algorithm": "exhaustive", "objective": "latency"}}
    r = einflow.map(os.path.join(CONV, "arch-2level.yaml"), WORK, tmp_path / "py", mapper)
    assert r["cycles"] == 48  # 48 MACs on one MAC
    with open(tmp_path / "py" / "summary.json") as f:
        assert json.load(f) == r
    mfile = tmp_path / "mapper.yaml"
    mfile.write_text(json.dumps(mapper))
    want = cli_json("map", "--arch", os.path.join(CONV, "arch-2level.yaml"), "--workload", WORK, "--out",
                    str(tmp_path / "cli"), "--mapper", str(mfile))
    assert r == want


def test_sweep_returns_its_records_as_the_report_lists_them(tmp_path):
    ticks = []
    res = einflow.sweep(QUICK, tmp_path / "s", jobs=2, progress=lambda what, done, total: ticks.append((what, done, total)))
    assert res.summary["points"] == len(res) == res.summary["evaluated"]
    assert all(r["status"] == "ok" for r in res)
    assert ticks and all(t[0] == "sweep: points" for t in ticks)
    assert ticks[-1][1:] == (len(res), len(res))  # the last tick too: N of N
    assert list(res) == cli_json("report", str(tmp_path / "s"))["records"]
    again = einflow.load_results(tmp_path / "s")
    assert list(again) == list(res)
    assert again.axes == res.axes and again.sweep == res.sweep
    same = lambda p: {k: v for k, v in p.items() if k != "generated"}  # when the report was made
    assert same(again.provenance) == same(res.provenance)


def test_to_pandas_has_a_row_per_record(tmp_path):
    pd = pytest.importorskip("pandas")
    res = einflow.sweep(QUICK, tmp_path / "s", jobs=2)
    df = res.to_pandas()
    assert isinstance(df, pd.DataFrame) and len(df) == len(res)
    assert {"design", "cycles", "energy_pj"} <= set(df.columns)


LONG_MAPPER = {"mapper": {"algorithm": "random", "objective": "edp", "max_evaluations": 100000000, "threads": 1,
                          "patience": 0}}
LONG_ARGS = (os.path.join(ROOT, "configs", "arch", "fusemax-cloud.yaml"),
             os.path.join(ROOT, "configs", "workloads", "bert-base.yaml"))


def test_a_progress_callbacks_exception_stops_the_call_and_propagates(tmp_path):
    class Stop(Exception):
        pass

    def progress(what, done, total):
        if done > 0:
            raise Stop(what)

    t0 = time.time()
    with pytest.raises(Stop):
        einflow.map(*LONG_ARGS, tmp_path / "m", LONG_MAPPER, einsum="QK", variant="1pass", progress=progress)
    assert time.time() - t0 < 60


def test_ctrl_c_interrupts_a_long_call(tmp_path):
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.time()
    with pytest.raises(KeyboardInterrupt):
        einflow.map(*LONG_ARGS, tmp_path / "m", LONG_MAPPER, einsum="QK", variant="1pass")
    timer.join()
    assert time.time() - t0 < 60
    # The module works after an interrupt.
    assert einflow.evaluate(ARCH1, WORK, MAP1)["cycles"] == 48


def test_a_long_call_releases_the_gil(tmp_path):
    done = threading.Event()
    stop = {"after": 0}

    def progress(what, n, total):
        if stop["after"] and time.time() > stop["after"]:
            raise KeyboardInterrupt

    def worker():
        try:
            einflow.map(*LONG_ARGS, tmp_path / "m", LONG_MAPPER, einsum="QK", variant="1pass", progress=progress)
        except KeyboardInterrupt:
            pass
        done.set()

    stop["after"] = time.time() + 1.5
    th = threading.Thread(target=worker)
    th.start()
    spins = 0
    while not done.is_set() and spins < 10**9:
        spins += 1  # Python bytecode on this thread while the search runs
    th.join()
    assert spins > 10000


def test_internal_errors_are_their_own_type():
    assert issubclass(einflow.InternalError, einflow.Error)
    assert not issubclass(einflow.InternalError, einflow.InputError)
    assert einflow.__version__ and einflow.git_hash


def test_run_returns_a_commands_text_as_the_cli_prints_it():
    args = ["dram", "--standard", "DDR4-2400", "--requests", "1000"]
    got = einflow.run(*args)
    want = subprocess.run([CLI, *args], capture_output=True, text=True).stdout
    assert got["code"] == 0
    strip = lambda t: [l for l in t.splitlines() if not l.lstrip().startswith("simulated")]  # its own wall time
    assert strip(got["stdout"]) == strip(want) and "bandwidth" in got["stdout"]


def test_a_call_from_inside_a_progress_callback_is_refused_not_a_deadlock(tmp_path):
    def progress(what, done, total):
        einflow.describe(arch=ARCH1)

    with pytest.raises(RuntimeError, match="one at a time"):
        einflow.sweep(QUICK, tmp_path / "s", jobs=1, progress=progress)
    assert einflow.describe(arch=ARCH1)  # and the module works afterwards


def test_each_call_starts_from_the_streams_default_format(tmp_path):
    # map leaves std::cout in fixed notation; a later command prints as a new process would.
    einflow.map(os.path.join(CONV, "arch-2level.yaml"), WORK, tmp_path / "m",
                {"mapper": {"algorithm": "exhaustive", "objective": "latency"}})
    args = ["describe", "--arch", os.path.join(ROOT, "configs", "arch", "fusemax-cloud.yaml")]
    assert einflow.run(*args)["stdout"] == subprocess.run([CLI, *args], capture_output=True, text=True).stdout
