# Sourced by the benchmark scripts: makes the scratch folder $work (removed at
# exit); `timed COMMAND...` runs a command with its output in $work/out and
# sets `ms` (wall milliseconds) and `rss` (peak resident KiB, "?" without
# /usr/bin/time); a failing command prints its output and ends the script.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
timed() {
  local t0 t1
  rss="?"
  t0=$(date +%s%N)
  if [ -x /usr/bin/time ]; then  # Debian package `time`, for the peak memory
    /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/out" 2>&1 || { cat "$work/out"; exit 1; }
    rss="$(tail -1 "$work/rss")"
  else
    "$@" > "$work/out" 2>&1 || { cat "$work/out"; exit 1; }
  fi
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
}
