#!/usr/bin/env bash
# Function sizes of the library and tool sources (issue 16: no function in
# sim/, mappers/, workloads/, arch/ or tools/ longer than about 100 lines, data
# tables aside). Lists every function over LIMIT lines (default 80) with its
# span as Universal Ctags reports it, longest first, then the count over 80,
# over 100 and over 150 and the median. Installs universal-ctags when missing.
#   usage: tools/bench/function_sizes.sh [LIMIT]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
limit="${1:-80}"
if ! command -v ctags >/dev/null || ! ctags --version 2>/dev/null | grep -q Universal; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq universal-ctags >/dev/null
fi
cd "$root"
spans="$(git ls-files 'sim/*.cpp' 'sim/*.h' 'mappers/*.cpp' 'mappers/*.h' 'workloads/*.cpp' 'workloads/*.h' \
  'arch/*.cpp' 'arch/*.h' 'tools/*.cpp' 'tools/*.h' 'common/*.cpp' 'common/*.h' |
  ctags --languages=C++ --kinds-C++=f --fields=+ne -x --_xformat='%{end} %{line} %N %F' -L - 2>/dev/null |
  awk '$1 > 0 { print $1 - $2 + 1, $3, $4 ":" $2 }' | sort -rn)"
echo "functions over $limit lines (lines, name, where):"
awk -v l="$limit" '$1 > l' <<<"$spans"
# (the spans are sorted, so the median is the middle line)
awk '{ n++; a[n] = $1; if ($1 > 80) o80++; if ($1 > 100) o100++; if ($1 > 150) o150++ }
     END { printf "%d functions; over 80 lines: %d, over 100: %d, over 150: %d; median %d lines\n",
           n, o80, o100, o150, a[int((n + 1) / 2)] }' <<<"$spans"
