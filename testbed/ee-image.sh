#!/usr/bin/env bash
# The execution environment execution-environment.yml defines, built here with ansible-builder
# as AWX users build it, on a base this machine can make (testbed/ee/Dockerfile over the test
# bed's Debian 12 image) instead of the awx-ee default. Each image is tagged by the hash of what
# goes into it and reused while that is unchanged.   testbed/ee-image.sh -> prints the EE's tag
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bin=${TOOLS:-$top/.venv}/bin
"$here/engine.sh"
mkdir -p "$top/.build"
exec 9>"$top/.build/ee.lock"
flock 9

system=$("$here/base-image.sh" bookworm)
work="$top/.build/ee-base"
rm -rf "$work" && mkdir -p "$work"
cp "$here/ee/Dockerfile" "$work/"
ca=/etc/ssl/certs/ca-certificates.crt
if [ -f "$ca" ]; then cp "$ca" "$work/controller-ca.crt"; else : >"$work/controller-ca.crt"; fi
key=$( { cat "$0" "$work/Dockerfile" "$work/controller-ca.crt"; docker image inspect -f '{{.Id}}' "$system"; } | sha256sum | cut -c1-12)
base="nautobot-ops/ee-base:debian12-$key"
if ! docker image inspect "$base" >/dev/null 2>&1; then
  echo "ee-image: building $base" >&2
  docker build -q --build-arg BASE="$system" -t "$base" "$work" >&2
fi

# The collection as ansible-galaxy packs it (execution-environment.yml installs that tarball); its
# FILES.json holds the checksum of every file in it, so it names the content, not the build's time.
version=$(sed -n 's/^version: *//p' "$top/galaxy.yml")
rm -f "$top/.build/nautobot_ops-lifecycle-"*.tar.gz
"$bin/ansible-galaxy" collection build --force --output-path "$top/.build" "$top" >/dev/null
tarball="$top/.build/nautobot_ops-lifecycle-$version.tar.gz"
key=$( { cat "$0" "$top/execution-environment.yml"; tar -xzOf "$tarball" FILES.json; echo "$base"; "$bin/ansible-builder" --version; } | sha256sum | cut -c1-12)
tag="nautobot-ops/ee:$version-$key"
if ! docker image inspect "$tag" >/dev/null 2>&1; then
  echo "ee-image: building $tag from execution-environment.yml" >&2
  (cd "$top" && "$bin/ansible-builder" build --file execution-environment.yml --context .build/ee --container-runtime docker \
    --tag "$tag" --build-arg EE_BASE_IMAGE="$base" --build-arg PYCMD=/opt/ee-python/bin/python3 \
    --build-arg PKGMGR=/usr/bin/apt-get --build-arg PKGMGR_PRESERVE_CACHE=always >&2)
fi
echo "$tag"
