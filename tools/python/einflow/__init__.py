"""einflow from Python.

Each function runs the einflow command of the same name in this process, with
the same C++ code as the command line (``einflow._einflow``), and returns what
that command's ``--json`` prints, as plain dicts: one schema for both. No model
logic lives here: this file only turns arguments into a command line.

Files may be given as paths or as dicts holding the same YAML content. Overrides
are ``set={"instance.seq_len": 1024}`` (the CLI's ``--set KEY=VALUE``).

Errors:
  InputError     bad input; the message is the CLI's ``file:line:col: ...`` text,
                 and ``file``, ``line``, ``column``, ``key_path`` and
                 ``diagnostics`` carry where (a dict input's file is ``<arch dict>``).
  InternalError  a fault in einflow itself (the CLI's exit code 3).
  CheckFailed    the command ran and reports a failure (exit code 1: an invalid
                 mapping, a failed check, failed sweep points); ``result`` holds
                 its JSON object when it printed one, ``code`` the exit code.

Every call releases the GIL and runs on a worker thread. Long ones take
``progress=callable(what, done, total)``, called on the calling thread with the
newest tick: a sweep's points, a search's evaluations, the optimal search's
runs, the cycle model's tile executions (or every 4096 steps of one Einsum),
check's variants; ``what`` names the loop, ``total`` is 0 when not known.
Ctrl-C (on the main thread), or an exception raised by the callback, stops the
command at its next tick and is raised here; a sweep keeps the points it
finished. A command between ticks finishes first.
"""

from __future__ import annotations

import contextlib
import json as _json
import os
import tempfile
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from . import _einflow

__all__ = [
    "Error", "InputError", "InternalError", "CheckFailed", "Results",
    "evaluate", "map", "simulate", "bound", "check", "describe", "dram", "sweep", "load_results", "run",
    "__version__",
]

__version__ = _einflow.version
git_hash = _einflow.git_hash

Source = Union[str, os.PathLike, Mapping[str, Any]]
Progress = Optional[Callable[[str, float, float], Any]]


class Error(Exception):
    """Base of einflow's exceptions."""


class InputError(Error):
    """Bad input: the message is the CLI's ``file:line:col: key: message`` text."""

    def __init__(self, diagnostics: List[Dict[str, Any]]):
        self.diagnostics = diagnostics
        first = diagnostics[0] if diagnostics else {}
        self.file: str = first.get("file", "")
        self.line: int = first.get("line", 0)
        self.column: int = first.get("column", 0)
        self.key_path: str = first.get("key_path", "")
        super().__init__("\n".join(d["text"] for d in diagnostics))


class InternalError(Error):
    """A fault in einflow itself (the CLI's exit code 3)."""


class CheckFailed(Error):
    """The command ran and reported a failure (the CLI's exit code 1)."""

    def __init__(self, message: str, result: Optional[Dict[str, Any]], code: int):
        super().__init__(message)
        self.result = result
        self.code = code


class Results(list):
    """A sweep's records (dicts, as ``einflow report DIR --json`` lists them).

    ``sweep``, ``provenance``, ``baseline`` and ``axes`` are the report's own
    keys; ``summary`` is the sweep run's ``--json`` object when this came from
    ``sweep()``.
    """

    def __init__(self, report: Dict[str, Any], summary: Optional[Dict[str, Any]] = None):
        super().__init__(report.get("records", []))
        self.report = report
        self.sweep = report.get("sweep")
        self.provenance = report.get("provenance")
        self.baseline = report.get("baseline")
        self.axes = report.get("axes", [])
        self.summary = summary

    def to_pandas(self):
        """One row per record: the scalar keys, the axes as columns, and the
        nested dicts flattened (``utilization.UNIT``, ``energy_by_component_pj.C``)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the machine
            raise ImportError("to_pandas() needs pandas (Debian: python3-pandas)") from e
        return pd.json_normalize(list(self), sep=".")


class _Inputs:
    """Dict inputs written as YAML files for the command, and removed after it."""

    def __init__(self) -> None:
        self.labels: Dict[str, str] = {}  # temporary path -> "<name dict>"
        self._stack = contextlib.ExitStack()

    def path(self, value: Source, name: str) -> str:
        if isinstance(value, Mapping):
            # JSON is YAML. The file sits in the working directory (hidden,
            # removed after the call) so that the relative paths inside it (a
            # sweep's files, a DRAM standard) mean what they mean to the
            # caller; where that directory is not writable it goes to the
            # temporary directory, and relative paths inside need to be absolute.
            text = _json.dumps(value, indent=2) + "\n"
            directory = os.getcwd() if os.access(os.getcwd(), os.W_OK) else None
            f = tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix=".einflow-" + name + "-",
                                            dir=directory, delete=False)
            with f:
                f.write(text)
            self._stack.callback(os.unlink, f.name)
            self.labels[f.name] = "<" + name + " dict>"
            return f.name
        return os.fspath(value)

    def relabel(self, text: str) -> str:
        for path, label in self.labels.items():
            text = text.replace(path, label)
        return text

    def __enter__(self) -> "_Inputs":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.close()


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _sets(flag: str, values: Optional[Mapping[str, Any]]) -> List[str]:
    out: List[str] = []
    for k, v in (values or {}).items():
        out += [flag, f"{k}={_value(v)}"]
    return out


def _opt(flag: str, value: Any) -> List[str]:
    return [] if value is None else [flag, _value(value)]


def _raise(outcome: Dict[str, Any], inputs: _Inputs) -> None:
    err = outcome["error"]
    if err["kind"] == "input":
        ds = []
        for d in err["diagnostics"]:
            d = dict(d)
            d["file"] = inputs.labels.get(d["file"], d["file"])
            d["text"] = inputs.relabel(d["text"])
            ds.append(d)
        raise InputError(ds)
    if err["kind"] == "interrupted":
        raise KeyboardInterrupt
    raise InternalError(inputs.relabel(err["message"]))


def _call(args: List[str], inputs: _Inputs, progress: Progress = None, json: bool = True) -> Any:
    outcome = _einflow.run(args, progress)
    if outcome["error"] is not None:
        _raise(outcome, inputs)
    text = outcome["stdout"]
    result = _json.loads(text) if json and text.strip() else (None if json else text)
    if outcome["code"] != 0:
        message = inputs.relabel(outcome["stderr"].strip()) or f"einflow {args[0]} exited with {outcome['code']}"
        raise CheckFailed(message, result if json else None, outcome["code"])
    return result


def run(*args: str, progress: Progress = None) -> Dict[str, Any]:
    """Any einflow command line, e.g. ``run("describe", "w.yaml")``: a dict
    with ``code``, ``stdout`` and ``stderr``; input errors raise InputError."""
    with _Inputs() as inputs:
        outcome = _einflow.run([os.fspath(a) for a in args], progress)
        if outcome["error"] is not None:
            _raise(outcome, inputs)
        return {k: outcome[k] for k in ("code", "stdout", "stderr")}


def _workload_args(inputs: _Inputs, workload: Source, variant: Optional[str], set: Optional[Mapping[str, Any]],
                   named: bool = True) -> List[str]:
    path = inputs.path(workload, "workload")
    return (["--workload", path] if named else [path]) + _opt("--variant", variant) + _sets("--set", set)


def evaluate(arch: Source, workload: Source, mapping: Optional[Source] = None, design: Optional[str] = None, *,
             variant: Optional[str] = None, set: Optional[Mapping[str, Any]] = None,
             design_set: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """``einflow evaluate --json``: the analytical model of a mapping, a cascade
    mapping or a named design."""
    with _Inputs() as inputs:
        args = ["evaluate", "--json", "--arch", inputs.path(arch, "arch")] + _workload_args(inputs, workload, variant, set)
        if mapping is not None:
            args += ["--mapping", inputs.path(mapping, "mapping")]
        args += _opt("--design", design) + _sets("--design-set", design_set)
        return _call(args, inputs)


def map(arch: Source, workload: Source, out: Union[str, os.PathLike], mapper: Optional[Source] = None, *,
        einsum: Optional[str] = None, fuse: bool = False, designs: bool = False, design: Optional[str] = None,
        rerank: Optional[int] = None, variant: Optional[str] = None, set: Optional[Mapping[str, Any]] = None,
        progress: Progress = None) -> Dict[str, Any]:
    """``einflow map --json``: the mapping search; writes its files under ``out``
    and returns its summary (OUT/summary.json; with ``fuse`` or cosma, OUT/stats.json)."""
    with _Inputs() as inputs:
        args = ["map", "--json", "--arch", inputs.path(arch, "arch")] + _workload_args(inputs, workload, variant, set)
        args += ["--out", os.fspath(out)]
        if mapper is not None:
            args += ["--mapper", inputs.path(mapper, "mapper")]
        args += _opt("--einsum", einsum) + _opt("--design", design) + _opt("--rerank", rerank)
        args += (["--fuse"] if fuse else []) + (["--designs"] if designs else [])
        return _call(args, inputs, progress)


def simulate(arch: Source, workload: Source, mapping: Optional[Source] = None, design: Optional[str] = None, *,
             verify: bool = False, data: bool = True, variant: Optional[str] = None,
             set: Optional[Mapping[str, Any]] = None, design_set: Optional[Mapping[str, Any]] = None,
             seed: Optional[int] = None, tolerance: Optional[float] = None, golden: Optional[str] = None,
             dram_timing: bool = False, fast_forward: bool = True, trace: Optional[str] = None,
             progress: Progress = None) -> Dict[str, Any]:
    """``einflow simulate --json``: the cycle model, carrying values unless
    ``data=False``; ``verify=True`` compares them with the golden interpreter
    (a mismatch raises CheckFailed with the result)."""
    with _Inputs() as inputs:
        args = ["simulate", "--json", "--arch", inputs.path(arch, "arch")] + _workload_args(inputs, workload, variant, set)
        if mapping is not None:
            args += ["--mapping", inputs.path(mapping, "mapping")]
        args += _opt("--design", design) + _sets("--design-set", design_set)
        args += (["--verify"] if verify else []) + ([] if data else ["--no-data"])
        args += ([] if fast_forward else ["--no-fast-forward"]) + (["--dram-timing"] if dram_timing else [])
        args += _opt("--seed", seed) + _opt("--tolerance", tolerance) + _opt("--golden", golden) + _opt("--trace", trace)
        return _call(args, inputs, progress)


def bound(arch: Source, workload: Source, *, devices: Optional[int] = None, variant: Optional[str] = None,
          set: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """``einflow bound --json``: peak bounds, and a model's deployment."""
    with _Inputs() as inputs:
        args = ["bound", "--json", "--arch", inputs.path(arch, "arch")] + _workload_args(inputs, workload, variant, set)
        return _call(args + _opt("--devices", devices), inputs)


def check(workload: Source, *, variant: Optional[str] = None, set: Optional[Mapping[str, Any]] = None,
          float: bool = False, seed: Optional[int] = None, tolerance: Optional[float] = None,
          threads: Optional[int] = None, backend: Optional[str] = None, progress: Progress = None) -> Dict[str, Any]:
    """``einflow check --json``: the golden run of every variant against the
    direct implementation (a disagreement raises CheckFailed with the result)."""
    with _Inputs() as inputs:
        args = ["check", "--json"] + _workload_args(inputs, workload, variant, set, named=False)
        args += (["--float"] if float else []) + _opt("--seed", seed) + _opt("--tolerance", tolerance)
        args += _opt("--threads", threads) + _opt("--backend", backend)
        return _call(args, inputs, progress)


def describe(workload: Optional[Source] = None, *, arch: Optional[Source] = None, variant: Optional[str] = None,
             set: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """``einflow describe --json``: a workload's ranks, Einsums, passes and
    model figures, or (``arch=``) an architecture's tree."""
    with _Inputs() as inputs:
        args = ["describe", "--json"]
        if workload is not None:
            args.append(inputs.path(workload, "workload"))
        if arch is not None:
            args += ["--arch", inputs.path(arch, "arch")]
        return _call(args + _opt("--variant", variant) + _sets("--set", set), inputs)


def dram(standard: Source, *, pattern: Optional[str] = None, requests: Optional[int] = None,
         outstanding: Optional[int] = None, write_fraction: Optional[float] = None, seed: Optional[int] = None,
         page_policy: Optional[str] = None, queue_depth: Optional[int] = None, address_mapping: Optional[str] = None,
         refresh: bool = True) -> Dict[str, Any]:
    """``einflow dram --json``: the command-level DRAM model on synthetic
    traffic; ``standard`` is a preset's name, a standard's file or a dict."""
    with _Inputs() as inputs:
        std = standard if isinstance(standard, str) else inputs.path(standard, "standard")
        args = ["dram", "--json", "--standard", os.fspath(std)] + _opt("--pattern", pattern)
        args += _opt("--requests", requests) + _opt("--outstanding", outstanding)
        args += _opt("--write-fraction", write_fraction) + _opt("--seed", seed) + _opt("--page-policy", page_policy)
        args += _opt("--queue-depth", queue_depth) + _opt("--address-mapping", address_mapping)
        return _call(args + ([] if refresh else ["--no-refresh"]), inputs)


def load_results(dir: Union[str, os.PathLike]) -> Results:
    """A sweep directory's records (``einflow report DIR --json``)."""
    with _Inputs() as inputs:
        return Results(_call(["report", os.fspath(dir), "--json"], inputs))


def sweep(spec: Source, out: Union[str, os.PathLike], *, jobs: Optional[int] = None, resume: bool = False,
          shard: Optional[str] = None, progress: Progress = None) -> Results:
    """``einflow sweep --json`` into ``out``, then its records (as
    ``load_results``), with the run's counts in ``.summary``. Failed points
    are records with ``status == "failed"``; they do not raise."""
    with _Inputs() as inputs:
        args = ["sweep", inputs.path(spec, "sweep"), "--out", os.fspath(out), "--json"]
        args += _opt("--jobs", jobs) + (["--resume"] if resume else []) + _opt("--shard", shard)
        outcome = _einflow.run(args, progress)
        if outcome["error"] is not None:
            _raise(outcome, inputs)
        summary = _json.loads(outcome["stdout"])
        return Results(_call(["report", os.fspath(out), "--json"], inputs), summary)
