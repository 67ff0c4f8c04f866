#!/usr/bin/env bash
# A tool venv, built once per content and linked where the Makefile and tests look for it.
#   tests/venv.sh LINK PYTHON REQUIREMENTS   (LINK: .venv, .venv-low, .venv-high)
# The venv lives in the cache (as the wheelhouses do), keyed by the requirements file, the exact
# Python and this script; a clean clone links the one a previous run built instead of spending a
# minute of pip per venv. A venv is built where it stays (its scripts name their own path) and
# counts only once .complete is written, so an interrupted build is thrown away, never linked.
set -euo pipefail
link=${1:?usage: venv.sh LINK PYTHON REQUIREMENTS}
python=${2:?usage: venv.sh LINK PYTHON REQUIREMENTS}
requirements=${3:?usage: venv.sh LINK PYTHON REQUIREMENTS}
# The interpreter itself, not a venv's (make puts .venv/bin first on PATH once it exists).
python=$("$python" -c 'import sys; print(getattr(sys, "_base_executable", None) or sys.executable)')
cache=${NAUTOBOT_OPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nautobot-ops}/venvs
key=$( { cat "$requirements" "$0"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)
dir=$cache/$(basename "$link" | sed "s/^\.//")-$key
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 900 9 || { echo "venv.sh: another run has been building a venv in $cache for 15 minutes" >&2; exit 1; }
if [ ! -e "$dir/.complete" ]; then
  echo "venv.sh: building $dir from $requirements with $python" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check --upgrade pip
  "$dir/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  touch "$dir/.complete"
fi
# A directory left by a checkout from before the cache is replaced by the link.
[ -L "$link" ] || rm -rf "$link"
ln -sfn "$dir" "$link"
