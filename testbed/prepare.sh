#!/usr/bin/env bash
# Everything the molecule scenarios and the demo stand on, built where missing and reused
# where its recipe has not changed: the Docker engine, the fixture image(s), the wheelhouse.
#   testbed/prepare.sh [PART...]   PART: bookworm, trixie (a Debian release's fixture and
#   wheelhouses), major, major_v1; none: the suites of NAUTOBOT_OPS_SUITES and the major
#   fixtures whose versions are set. tests/run.sh builds each part just before the first
#   scenario that needs it; a lock lets two callers share one build.
# Stable names for the scenarios:  image nautobot-ops/fixture:<debianNN>-<version>
#   .build/wheelhouse/<debianNN>          the target release (links into the cache)
#   .build/wheelhouse/<debianNN>-fixture  the fixture's release
#   .build/sdist/nautobot-<target>.tar.gz and .sha256   the target's release archive from PyPI
#   image nautobot-ops/fixture:debian12-<major fixture>   a host a major version behind (molecule/major)
#   .build/wheelhouse/debian12-major      every release of the major scenario's path
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
fixture_version=${NAUTOBOT_OPS_FIXTURE_VERSION:-3.1.0}
target_version=${NAUTOBOT_OPS_TARGET_VERSION:-3.2.7}
# The major scenario: a 2.4 host upgraded through each release of the path (empty: not built).
major_fixture=${NAUTOBOT_OPS_MAJOR_FIXTURE_VERSION-}
major_path=${NAUTOBOT_OPS_MAJOR_PATH-}
# molecule/major_v1 (run by name): a 1.x host and the 2.x release it goes to (empty: not built).
major_v1_fixture=${NAUTOBOT_OPS_MAJOR_V1_FIXTURE_VERSION-}
major_v1_target=${NAUTOBOT_OPS_MAJOR_V1_TARGET_VERSION-}
if [ $# -gt 0 ]; then
  parts=("$@")
else
  read -r -a parts <<< "${NAUTOBOT_OPS_SUITES:-bookworm}"
  [ -n "$major_fixture" ] && parts+=(major)
  [ -n "$major_v1_fixture" ] && parts+=(major_v1)
fi

mkdir -p "$top/.build/wheelhouse" "$top/.build/sdist"
"$here/engine.sh"
# Two callers (tests/run.sh's lanes) may ask for the same image: one builds, the other waits.
exec 9>"$top/.build/testbed.lock"
flock 9

# Scenarios of the other lane may be reading these links: replace them atomically.
link() { ln -sfn "$1" "$2.new.$$" && mv -T "$2.new.$$" "$2"; }

mapfile -t site_requirements < <(grep -vE '^[[:space:]]*(#|$)' "$here/fixture/files/local_requirements.txt")
sdist_line=$(python3 "$here/sdist.py" nautobot "$target_version")
read -r sdist checksum <<< "$sdist_line"
link "$sdist" "$top/.build/sdist/nautobot-$target_version.tar.gz"
echo "$checksum" > "$top/.build/sdist/nautobot-$target_version.tar.gz.checksum.$$"
mv -T "$top/.build/sdist/nautobot-$target_version.tar.gz.checksum.$$" "$top/.build/sdist/nautobot-$target_version.tar.gz.checksum"
for part in "${parts[@]}"; do
  case "$part" in
    bookworm | trixie) ;;
    major) [ -n "$major_fixture" ] || { echo "testbed: part major needs NAUTOBOT_OPS_MAJOR_FIXTURE_VERSION" >&2; exit 2; } ;;
    major_v1) [ -n "$major_v1_fixture" ] || { echo "testbed: part major_v1 needs NAUTOBOT_OPS_MAJOR_V1_FIXTURE_VERSION" >&2; exit 2; } ;;
    *) echo "testbed: unknown part '$part' (bookworm, trixie, major, major_v1)" >&2; exit 2 ;;
  esac
done
for suite in "${parts[@]}"; do
  case "$suite" in bookworm | trixie) ;; *) continue ;; esac
  fixture=$("$here/fixture-image.sh" "$suite" "$fixture_version")
  base=$("$here/base-image.sh" "$suite")
  name=${base#nautobot-ops/systemd:}
  name=${name%-*}
  # The target release plus what an install from source needs (poetry-core builds the sdist).
  wheelhouse=$("$here/wheelhouse.sh" "$base" "nautobot==$target_version" "${site_requirements[@]}" poetry-core)
  link "$wheelhouse" "$top/.build/wheelhouse/$name"
  link "$("$here/wheelhouse.sh" "$base" "nautobot==$fixture_version" "${site_requirements[@]}")" "$top/.build/wheelhouse/$name-fixture"
  echo "testbed: $name fixture $fixture, wheelhouse for $target_version at .build/wheelhouse/$name"
done
if [[ " ${parts[*]} " == *" major "* ]]; then
  fixture=$("$here/fixture-image.sh" bookworm "$major_fixture")
  base=$("$here/base-image.sh" bookworm)
  mapfile -t releases < <(tr ',' '\n' <<< "$major_path" | grep . | sed 's/^/nautobot==/')
  # The site's app (molecule/major): the version the 2.4 host runs and one per 3.x minor of the
  # path; their one dependency Nautobot lacks is toml. --no-deps: Nautobot's own come from above.
  apps=("--no-deps nautobot-bgp-models==2.4.1" "--no-deps nautobot-bgp-models==3.1.1"
        "--no-deps nautobot-bgp-models==3.2.0" "--no-deps toml==0.10.2")
  link "$("$here/wheelhouse.sh" "$base" "${releases[@]}" "${site_requirements[@]}" "${apps[@]}")" "$top/.build/wheelhouse/debian12-major"
  echo "testbed: major fixture $fixture, wheelhouse for $major_path at .build/wheelhouse/debian12-major"
fi
if [[ " ${parts[*]} " == *" major_v1 "* ]]; then
  fixture=$("$here/fixture-image.sh" bookworm "$major_v1_fixture")
  base=$("$here/base-image.sh" bookworm)
  link "$("$here/wheelhouse.sh" "$base" "nautobot==$major_v1_target" "${site_requirements[@]}")" "$top/.build/wheelhouse/debian12-major-v1"
  echo "testbed: 1.x fixture $fixture, wheelhouse for $major_v1_target at .build/wheelhouse/debian12-major-v1"
fi
