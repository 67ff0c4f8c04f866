#!/usr/bin/env bash
# Build (once) the fixture image: a Debian host with PostgreSQL, Redis and a migrated,
# seeded Nautobot serving under systemd. A fresh migrate costs minutes, so the image is
# committed and tagged by the hash of everything that goes into it; every scenario starts
# from it.   testbed/fixture-image.sh bookworm|trixie NAUTOBOT_VERSION  -> prints the tag
set -euo pipefail

suite=${1:?usage: fixture-image.sh bookworm|trixie NAUTOBOT_VERSION}
version=${2:?usage: fixture-image.sh bookworm|trixie NAUTOBOT_VERSION}
here=$(cd "$(dirname "$0")" && pwd)

base=$("$here/base-image.sh" "$suite")
mapfile -t site_requirements < <(grep -vE '^[[:space:]]*(#|$)' "$here/fixture/files/local_requirements.txt")
wheelhouse=$("$here/wheelhouse.sh" "$base" "nautobot==$version" "${site_requirements[@]}")
name=${base#nautobot-ops/systemd:}
name=${name%-*}
key=$( { cat "$0"; (cd "$here/fixture" && find . -type f | sort | xargs sha256sum); echo "$base $version $wheelhouse"; } | sha256sum | cut -c1-12)
tag="nautobot-ops/fixture:${name}-${version}-${key}"
alias="nautobot-ops/fixture:${name}-${version}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  docker tag "$tag" "$alias"
  echo "$tag"
  exit 0
fi

echo "fixture-image: building $tag (Nautobot $version on $name; the migrate takes minutes)" >&2
builder="nautobot-ops-fixture-build-$$"
trap 'docker rm -f "$builder" >/dev/null 2>&1 || true' EXIT
# shellcheck source=testbed/systemd-flags.sh
. "$here/systemd-flags.sh"
docker run -d --name "$builder" "${SYSTEMD_FLAGS[@]}" "$base" >/dev/null
# Not /tmp: systemd may mount a tmpfs there, which docker cp cannot see.
docker exec "$builder" mkdir -p /srv/fixture-build
docker cp "$here/fixture" "$builder:/srv/fixture-build/fixture"
docker cp "$wheelhouse" "$builder:/srv/fixture-build/wheelhouse"
docker exec "$builder" timeout 120 bash -c 'until systemctl is-system-running --wait >/dev/null 2>&1 || [ "$(systemctl is-system-running)" = degraded ]; do sleep 1; done' \
  || { echo "fixture-image: systemd in $builder did not finish booting within 120 s" >&2; exit 1; }
docker exec -e NAUTOBOT_VERSION="$version" "$builder" bash /srv/fixture-build/fixture/install.sh >&2
# Services stopped so the committed database files are consistent.
docker exec "$builder" bash -c 'systemctl stop nautobot nautobot-worker nautobot-scheduler postgresql redis-server && rm -rf /srv/fixture-build /tmp/ar-1000.png'
docker commit -c 'CMD ["/lib/systemd/systemd"]' -c 'ENV container=docker' "$builder" "$tag" >/dev/null
docker tag "$tag" "$alias"
echo "$tag"
