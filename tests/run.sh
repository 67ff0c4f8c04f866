#!/usr/bin/env bash
# `make test`: every stage, each timed; ends with the stage table, the slowest stages and one
# line counting every test run. Two lanes run side by side on the 2-core machine (they keep both
# cores busy: vmstat showed 0-6 % idle with two scenarios running; a third lane would only share
# the same CPU): lane 1 lints, tests and then runs scenarios; lane
# 2 builds the test bed meanwhile and runs the others. Each lane builds the test-bed part a
# scenario needs just before it (testbed/prepare.sh: built once, shared under a lock).
# Scenarios share no container, network or port. A failure in one lane stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
scenarios=${SCENARIOS:-default}
rm -rf .build/junit .build/stages .build/logs
mkdir -p .build/junit .build/stages .build/logs

# The test-bed part each scenario starts from; lane 2 takes the scenarios listed in LANE2
# (about half the time each, warm: faults and cluster are the long ones, in different lanes;
# lane 2 builds the Debian images, so lane 1 takes major and builds its 2.4 image late).
declare -A needs=([debian13]=trixie [major]=major [major_v1]=major_v1)
# The tool venv a scenario runs with: default runs with the lowest ansible-core the collection
# claims (tests/matrix.sh low builds it), the others with the main one.
declare -A tools=([default]=.venv-low/bin)
LANE2=${LANE2:-"debian13 release_git release_archive interrupted cluster ee"}

# No stage may hang the run: each gets at most STAGE_LIMIT seconds and the whole run ends by
# RUN_LIMIT (CI kills at 90 minutes and prints nothing of a stage still running; this prints its
# log so far and says which stage hung). Both leave room for a slow hour: faults took 2031 s and
# the whole run 66 minutes on this kind of machine (2026-11-29, twice); RUN_LIMIT stops 4 minutes
# before CI would, time for a stopped stage's kill (60 s), its containers' removal and the summary.
STAGE_LIMIT=${STAGE_LIMIT:-3600}
RUN_LIMIT=${RUN_LIMIT:-5160}

stage() {
  local lane=$1 name=$2 start=$SECONDS rc=0 log=.build/logs/lane$1-$2.log limit pid
  shift 2
  [ ! -e .build/stages/FAILED ] || return 1
  limit=$((RUN_LIMIT - SECONDS))
  [ $limit -lt "$STAGE_LIMIT" ] || limit=$STAGE_LIMIT
  [ "$limit" -gt 0 ] || { echo "lane $lane: no time left for $name (RUN_LIMIT ${RUN_LIMIT}s)"; touch .build/stages/FAILED; return 1; }
  printf '%(%H:%M:%S)T lane %s: %s started\n' -1 "$lane" "$name"
  # A stage's output is printed whole when it ends (under a lock), so the lanes do not interleave.
  timeout --kill-after=60 "$limit" "$@" >"$log" 2>&1 &
  pid=$!
  echo "$pid" >".build/stages/running.lane$lane"
  wait "$pid" || rc=$?
  rm -f ".build/stages/running.lane$lane"
  printf '%s %s %s\n' "$name" $((SECONDS - start)) "$([ $rc = 0 ] && echo ok || echo FAILED)" >>".build/stages/lane$lane"
  (
    flock 8
    printf '\n===== stage %s (lane %s) =====\n' "$name" "$lane"
    cat "$log"
    case $rc in
      124 | 137) printf '===== stage %s: STOPPED after %ss (its limit: %ss) =====\n' "$name" $((SECONDS - start)) "$limit" ;;
      143) printf '===== stage %s: stopped after %ss (the other lane failed) =====\n' "$name" $((SECONDS - start)) ;;
      *) printf '===== stage %s: %ss (exit %s) =====\n' "$name" $((SECONDS - start)) "$rc" ;;
    esac
  ) 8>>.build/stages/print.lock
  if [ $rc != 0 ]; then
    touch .build/stages/FAILED
    # The other lane's stage is stopped too: its result no longer matters and CI time does.
    for other in .build/stages/running.lane*; do
      if [ -e "$other" ]; then kill -TERM "$(cat "$other")" 2>/dev/null || true; fi
    done
    return $rc
  fi
}

# A scenario, after the test-bed part it needs (each lane asks for a part once).
declare -A ready=()
scenario() {
  local lane=$1 name=$2 part=${needs[$2]:-bookworm}
  if [ -z "${ready[$part]:-}" ]; then
    stage "$lane" "testbed-$part" bash testbed/prepare.sh "$part" || return 1
    ready[$part]=1
  fi
  stage "$lane" "molecule-$name" "${tools[$name]:-$bin}/molecule" test -s "$name" || return 1
}

in_lane2() { [[ " $LANE2 " == *" $1 "* ]]; }

lane1() {
  stage 1 yamllint $bin/yamllint -s . || return 1
  stage 1 unit $bin/python -m pytest tests/unit -q -p no:cacheprovider --junitxml=.build/junit/unit.xml || return 1
  # ansible-lint and sanity run at both ends of the support matrix, the lowest and the highest
  # ansible-core meta/runtime.yml claims (the main venv's, in between, adds nothing but CPU time).
  stage 1 matrix-low bash tests/matrix.sh low || return 1
  stage 1 matrix-high bash tests/matrix.sh high || return 1
  stage 1 collection-build bash -c "$bin/ansible-galaxy collection build --force --output-path .build/dist >/dev/null && $bin/ansible-galaxy collection install --force -p .build/installed .build/dist/nautobot_ops-lifecycle-*.tar.gz >/dev/null && ls .build/installed/ansible_collections/nautobot_ops/lifecycle/plugins/modules" || return 1
  for s in $scenarios; do
    if ! in_lane2 "$s"; then scenario 1 "$s" || return 1; fi
  done
}

# Lane 2 first builds the part every lane needs, while lane 1 lints.
lane2() {
  if [ -n "$scenarios" ]; then
    stage 2 testbed-bookworm bash testbed/prepare.sh bookworm || return 1
    ready[bookworm]=1
  fi
  for s in $scenarios; do
    if in_lane2 "$s"; then scenario 2 "$s" || return 1; fi
  done
}

summary() {
  printf '\n===== stage times =====\n'
  cat .build/stages/lane* 2>/dev/null | awk '{printf "%-28s %5ss  %s\n", $1, $2, $3}'
  printf '%-28s %5ss  (wall, two lanes)\n' total $SECONDS
  printf 'slowest:'
  cat .build/stages/lane* 2>/dev/null | sort -k2,2nr | head -n 3 | awk '{printf "  %s %ss", $1, $2}'
  printf '\n'
  # A stage that failed before its tests wrote JUnit (a scenario's prepare) still counts as failed.
  $bin/python tests/junit_summary.py .build/junit "$(cat .build/stages/lane* 2>/dev/null | grep -c ' FAILED$' || true)"
}

rc=0
lane1 &
pid1=$!
lane2 &
pid2=$!
wait $pid1 || rc=1
wait $pid2 || rc=1
summary
exit $rc
