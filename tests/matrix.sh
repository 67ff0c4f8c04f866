#!/usr/bin/env bash
# The support matrix: unit tests, ansible-test sanity and ansible-lint with the lowest (`low`) or the highest
# (`high`) ansible-core meta/runtime.yml claims, each in a tool venv of its own (.venv-low,
# .venv-high), built once per requirements file and Python (tests/venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
which=$1
venv=.venv-$which
requirements=requirements-$which.txt
case $which in
  low) python=${PYTHON:-python3} ;;
  high)
    # ansible-core 2.20+ needs Python 3.12: the one on PATH, or one pyenv holds (not necessarily active).
    python=${PYTHON_HIGH:-}
    for candidate in python3.12 ~/.pyenv/versions/3.12*/bin/python3.12; do
      [ -n "$python" ] || ! "$candidate" -V >/dev/null 2>&1 || python=$candidate
    done
    python=${python:-python3.12}
    ;;
  *) echo "usage: $0 low|high" >&2; exit 2 ;;
esac
"$python" -V >/dev/null 2>&1 || { echo "$python does not run: the $which end of the matrix needs it" >&2; exit 1; }
bash tests/venv.sh "$venv" "$python" "$requirements"
"$venv/bin/python" -c "from ansible.release import __version__; print(\"ansible-core\", __version__)"
# The execution-environment test needs ansible-builder, a tool of the main venv only.
"$venv/bin/python" -m pytest tests/unit -q -p no:cacheprovider --junitxml=".build/junit/unit-$which.xml" \
  --deselect tests/unit/test_execution_environment.py::test_builder_makes_a_context_that_installs_this_collection
TOOLS=$venv bash tests/sanity.sh
# ansible-lint loads the playbooks and roles with this ansible-core (production profile, .ansible-lint).
"$venv/bin/ansible-lint" -q
