#!/usr/bin/env bash
# ansible-test sanity wants the collection at ansible_collections/<namespace>/<name>:
# copy the tracked and new files there and run it with the local Python (no images to pull).
set -euo pipefail
cd "$(dirname "$0")/.."
# TOOLS: the tool venv whose ansible-test runs (the lowest supported ansible-core has one of its own).
tools=$(cd "${TOOLS:-.venv}" && pwd)
dest=.build/sanity/ansible_collections/nautobot_ops/lifecycle
python=$("$tools"/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# ansible-test bootstraps pip in its venvs with a get-pip.py from a host that is not reachable here;
# it takes a script saved at its cache path instead, so give it ours.
pip_version=$("$tools"/bin/python -c 'import types; from ansible_test._internal.python_requirements import get_venv_packages as p; print(p(types.SimpleNamespace(version="'"$python"'"))["pip"])')
get_pip=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$get_pip")"
cmp -s tests/get_pip_standin.py "$get_pip" || cp tests/get_pip_standin.py "$get_pip"
# The shellcheck sanity test is skipped, not failed, without the program.
command -v shellcheck >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }
rm -rf "$dest"
mkdir -p "$dest"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dest"
cd "$dest"
git init -q && git add -A >/dev/null
"$tools/bin/ansible-test" sanity --venv --python "$python" --color no \
  --exclude molecule/ --exclude testbed/ --exclude tests/integration/ "$@"
