"""examples/python: the script runs, and the notebook executes where
`jupyter nbconvert` is installed (skipped, saying so, where it is not)."""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.environ.get("EINFLOW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(ROOT, "examples", "python")


def test_the_script_reproduces_the_quickstart_study(tmp_path):
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, "fusemax_quick.py"), str(tmp_path)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "sweep fusemax-quick: 50 points" in p.stdout
    assert "evaluate() in a loop gives the sweep's cycles at all 25 attention points" in p.stdout
    try:
        import matplotlib  # noqa: F401
        assert (tmp_path / "speedup.png").stat().st_size > 0
    except ImportError:
        pass


def test_the_notebook_executes(tmp_path):
    jupyter = shutil.which("jupyter")
    if not jupyter or subprocess.run([jupyter, "nbconvert", "--version"], capture_output=True).returncode != 0:
        pytest.skip("jupyter nbconvert is not installed (Debian: jupyter-nbconvert python3-ipykernel)")
    # The kernel runs in examples/python: the module's path must not be relative.
    path = os.pathsep.join(os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    env = dict(os.environ, EINFLOW_SOURCE_DIR=os.path.abspath(ROOT), EINFLOW_EXAMPLE_OUT=str(tmp_path),
               PYDEVD_DISABLE_FILE_VALIDATION="1", PYTHONPATH=path)
    p = subprocess.run([jupyter, "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
                        os.path.join(EXAMPLES, "fusemax_quick.ipynb"), "--output", str(tmp_path / "executed.ipynb")],
                       capture_output=True, text=True, env=env, cwd=EXAMPLES)
    assert p.returncode == 0, p.stderr[-3000:]
    assert (tmp_path / "fusemax-quick" / "results.pb").exists()
