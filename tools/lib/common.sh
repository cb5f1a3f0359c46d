# Shared by tools/quickstart and tools/test: install missing Debian packages,
# then configure and build. Idempotent; quiet when everything is present.

EINFLOW_PACKAGES=(
  g++ make cmake pkg-config ccache git
  libsystemc-dev libyaml-cpp-dev libboost-graph-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev gnuplot-nox coinor-libcbc-dev
)

# What tools/test adds: the Python module's build and test packages, and
# Chromium for the HTML report's test.
EINFLOW_TEST_PACKAGES=(
  python3 python3-dev pybind11-dev python3-pytest python3-yaml python3-pandas python3-matplotlib
  jupyter-nbconvert python3-ipykernel chromium
)

# The Python the module is built for: Debian's python3 (whose packages tools/test
# installs) when it has its headers and pybind11 is there. Prints it, or why not
# (and fails).
einflow_python() {
  local py=/usr/bin/python3
  [ -x "$py" ] || py="$(command -v python3 || true)"
  if [ -z "$py" ]; then echo "no python3"; return 1; fi
  if [ ! -f /usr/lib/cmake/pybind11/pybind11Config.cmake ] && [ ! -f /usr/share/cmake/pybind11/pybind11Config.cmake ]; then
    echo "pybind11 is not installed (Debian: pybind11-dev)"; return 1
  fi
  if ! "$py" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
    echo "$py has no development headers (Debian: python3-dev)"; return 1
  fi
  if ! "$py" -c 'import pytest' 2>/dev/null; then echo "$py has no pytest (Debian: python3-pytest)"; return 1; fi
  echo "$py"
}

einflow_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# Installs the packages that are not installed yet (einflow's, and any named
# as arguments), as root or through sudo.
einflow_install_deps() {
  local missing=()
  for pkg in "${EINFLOW_PACKAGES[@]}" "$@"; do
    # The status is read into a variable, not piped into `grep -q`: under a
    # caller's pipefail, grep's early exit can kill the writer with SIGPIPE and
    # turn an installed package into a reinstall.
    local status
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" || status=""
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "einflow: installing ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "einflow: need root or sudo to install: ${missing[*]}" >&2
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# einflow_build DIR BUILD_TYPE [extra cmake args...]
einflow_build() {
  local dir="$1" type="$2"
  shift 2
  cmake -S "$(einflow_root)" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
