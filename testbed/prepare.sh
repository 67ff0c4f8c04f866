#!/usr/bin/env bash
# Everything the molecule scenarios and the demo stand on, built where missing and reused
# where its recipe has not changed: the Docker engine, the fixture image(s), the wheelhouse.
# Stable names for the scenarios:  image nautobot-ops/fixture:<debianNN>-<version>
#   .build/wheelhouse/<debianNN>          the target release (links into the cache)
#   .build/wheelhouse/<debianNN>-fixture  the fixture's release
#   .build/sdist/nautobot-<target>.tar.gz and .sha256   the target's release archive from PyPI
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
fixture_version=${NAUTOBOT_OPS_FIXTURE_VERSION:-3.1.0}
target_version=${NAUTOBOT_OPS_TARGET_VERSION:-3.2.7}
suites=${NAUTOBOT_OPS_SUITES:-bookworm}

"$here/engine.sh"
mapfile -t site_requirements < <(grep -vE '^[[:space:]]*(#|$)' "$here/fixture/files/local_requirements.txt")
mkdir -p "$top/.build/wheelhouse" "$top/.build/sdist"
sdist_line=$(python3 "$here/sdist.py" nautobot "$target_version")
read -r sdist checksum <<< "$sdist_line"
ln -sfn "$sdist" "$top/.build/sdist/nautobot-$target_version.tar.gz"
echo "$checksum" > "$top/.build/sdist/nautobot-$target_version.tar.gz.checksum"
for suite in $suites; do
  fixture=$("$here/fixture-image.sh" "$suite" "$fixture_version")
  base=$("$here/base-image.sh" "$suite")
  name=${base#nautobot-ops/systemd:}
  name=${name%-*}
  # The target release plus what an install from source needs (poetry-core builds the sdist).
  wheelhouse=$("$here/wheelhouse.sh" "$base" "nautobot==$target_version" "${site_requirements[@]}" poetry-core)
  ln -sfn "$wheelhouse" "$top/.build/wheelhouse/$name"
  ln -sfn "$("$here/wheelhouse.sh" "$base" "nautobot==$fixture_version" "${site_requirements[@]}")" "$top/.build/wheelhouse/$name-fixture"
  echo "testbed: $name fixture $fixture, wheelhouse for $target_version at .build/wheelhouse/$name"
done
