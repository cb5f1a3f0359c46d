# Shared by tools/quickstart and tools/test: install missing Debian packages,
# then configure and build. Idempotent; quiet when everything is present.

EINFLOW_PACKAGES=(
  g++ make cmake pkg-config ccache git
  libsystemc-dev libyaml-cpp-dev libboost-graph-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev gnuplot-nox coinor-libcbc-dev
)

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
