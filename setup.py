"""Builds einflow's Python module with CMake (pyproject.toml holds the metadata).

The extension einflow._einflow is the CMake target _einflow of a build with
-DEINFLOW_PYTHON=ON, configured for the Python that runs this script. The
build tree is build/pip (EINFLOW_PIP_BUILD overrides it), so a second install
rebuilds only what changed; ccache, when present, is used as for any build.
"""
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build = os.path.abspath(os.environ.get("EINFLOW_PIP_BUILD", os.path.join(ROOT, "build", "pip")))
        jobs = os.environ.get("EINFLOW_JOBS", str(os.cpu_count() or 1))
        subprocess.check_call([
            "cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DEINFLOW_PYTHON=ON",
            "-DEINFLOW_BUILD_TESTS=OFF", "-DEINFLOW_BUILD_BENCH=OFF", f"-DPython_EXECUTABLE={sys.executable}",
        ])
        subprocess.check_call(["cmake", "--build", build, "--target", "_einflow", "-j", jobs])
        package = os.path.join(build, "python", "einflow")
        built = [f for f in os.listdir(package) if f.startswith("_einflow") and f.endswith(".so")]
        if len(built) != 1:
            raise RuntimeError(f"expected one _einflow*.so in {package}, found {built}")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(package, built[0]), target)


setup(
    packages=["einflow"],
    package_dir={"einflow": "tools/python/einflow"},
    ext_modules=[CMakeExtension("einflow._einflow")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
