#!/usr/bin/env bash
# Everything the molecule scenarios and the demo stand on, built where missing and reused
# where its recipe has not changed: the Docker engine, the fixture image(s), the wheelhouse.
# Stable names for the scenarios:  image nautobot-ops/fixture:<debianNN>-<version>
#                                  wheelhouse .build/wheelhouse/<debianNN> (a link into the cache)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
fixture_version=${NAUTOBOT_OPS_FIXTURE_VERSION:-3.1.0}
target_version=${NAUTOBOT_OPS_TARGET_VERSION:-3.2.7}
suites=${NAUTOBOT_OPS_SUITES:-bookworm}

"$here/engine.sh"
mapfile -t site_requirements < <(grep -vE '^[[:space:]]*(#|$)' "$here/fixture/files/local_requirements.txt")
mkdir -p "$top/.build/wheelhouse"
for suite in $suites; do
  fixture=$("$here/fixture-image.sh" "$suite" "$fixture_version")
  base=$("$here/base-image.sh" "$suite")
  name=${base#nautobot-ops/systemd:}
  name=${name%-*}
  # The target release plus what an install from source needs (poetry-core builds the sdist).
  wheelhouse=$("$here/wheelhouse.sh" "$base" "nautobot==$target_version" "${site_requirements[@]}" poetry-core)
  ln -sfn "$wheelhouse" "$top/.build/wheelhouse/$name"
  echo "testbed: $name fixture $fixture, wheelhouse for $target_version at .build/wheelhouse/$name"
done
