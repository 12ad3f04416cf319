#!/usr/bin/env bash
# Every long flag in a tool's --help (of every subcommand) is in its man page,
# and every long flag in its man page is in some --help.
set -euo pipefail
tool=$1
man=$2

# Walks the subcommands listed under "Subcommands:" in each --help.
walk() {
  local out sub
  out=$("$tool" "$@" --help)
  printf '%s\n' "$out"
  for sub in $(awk '/^Subcommands:/{on=1; next} on && /^$/{on=0} on && /^  [a-z]/{print $1}' <<<"$out"); do
    walk "$@" "$sub"
  done
}

help=$(walk)
flags_help=$(grep -oE -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
flags_man=$(grep -oE -- '\\-\\-[a-z][a-z\\-]*' "$man" | sed 's/\\-/-/g; s/-$//' | sort -u)
status=0
for f in $flags_help; do
  grep -qx -- "$f" <<<"$flags_man" || { echo "$(basename "$tool"): $f is in --help but not in $(basename "$man")"; status=1; }
done
for f in $flags_man; do
  grep -qx -- "$f" <<<"$flags_help" || { echo "$(basename "$man"): $f is not in $(basename "$tool") --help"; status=1; }
done
[ $status -eq 0 ] && echo "$(basename "$tool"): $(wc -w <<<"$flags_help") flags, all documented"
exit $status
