#!/usr/bin/env bash
# `make test`: every stage in order, each timed; ends with one line counting every test run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
scenarios=${SCENARIOS:-default}
rm -rf .build/junit
mkdir -p .build/junit

declare -a report=()
stage() {
  local name=$1 start=$SECONDS rc=0
  shift
  printf '\n===== stage %s: started %(%H:%M:%S)T =====\n' "$name" -1
  "$@" || rc=$?
  report+=("$(printf '%-28s %5ss  %s' "$name" $((SECONDS - start)) "$([ $rc = 0 ] && echo ok || echo FAILED)")")
  printf '===== stage %s: %ss (exit %s) =====\n' "$name" $((SECONDS - start)) "$rc"
  if [ $rc != 0 ]; then
    summary
    exit $rc
  fi
}
summary() {
  printf '\n===== stage times =====\n'
  printf '%s\n' "${report[@]}"
  printf '%-28s %5ss\n' total $SECONDS
  $bin/python tests/junit_summary.py .build/junit
}

stage lint bash -c "$bin/yamllint -s . && $bin/ansible-lint -q"
stage unit $bin/python -m pytest tests/unit -q -p no:cacheprovider --junitxml=.build/junit/unit.xml
stage sanity bash tests/sanity.sh
stage collection-build bash -c "$bin/ansible-galaxy collection build --force --output-path .build/dist >/dev/null && $bin/ansible-galaxy collection install --force -p .build/installed .build/dist/nautobot_ops-lifecycle-*.tar.gz >/dev/null && ls .build/installed/ansible_collections/nautobot_ops/lifecycle/plugins/modules"
stage testbed bash testbed/prepare.sh
for scenario in $scenarios; do
  stage "molecule-$scenario" $bin/molecule test -s "$scenario"
done
summary
