#!/usr/bin/env bash
# Build a wheelhouse for the test hosts: every distribution Nautobot needs, as wheels for
# the Python of the given base image, so hosts install with --no-index (as air-gapped sites do).
# pip runs in a throwaway container of that image, so the wheels fit its Python exactly;
# sdist-only distributions are built into wheels once, here.
#   testbed/wheelhouse.sh IMAGE REQUIREMENT...   -> prints the wheelhouse directory
set -euo pipefail

image=${1:?usage: wheelhouse.sh IMAGE REQUIREMENT...}
shift
cache=${NAUTOBOT_OPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nautobot-ops}
key=$( { cat "$0"; docker image inspect -f '{{.Id}}' "$image"; printf '%s\n' "$@"; } | sha256sum | cut -c1-12)
dest="$cache/wheelhouse/$key"

if [ -f "$dest/.complete" ]; then
  echo "$dest"
  exit 0
fi

echo "wheelhouse: building $dest for $image: $*" >&2
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
ca=/etc/ssl/certs/ca-certificates.crt
ca_args=()
[ -f "$ca" ] && ca_args=(-v "$ca:/controller-ca.crt:ro" -e PIP_CERT=/controller-ca.crt)

# Each argument resolves on its own: two Nautobot releases cannot share one resolution. An
# argument may hold several words, resolved together ("nautobot==3.2.7 some-app==3.2.0") or
# with pip's options ("--no-deps some-app==2.4.1"); they are split on spaces, never globbed.
script='set -ef; python3 -m venv /tmp/pip; /tmp/pip/bin/pip install -q --upgrade pip
for req in "$@"; do /tmp/pip/bin/pip wheel -q --wheel-dir /wheelhouse $req; done
chown -R '"$(id -u):$(id -g)"' /wheelhouse'
docker run --rm "${ca_args[@]}" -e PIP_DISABLE_PIP_VERSION_CHECK=1 \
  -v "$dest.tmp:/wheelhouse" --entrypoint /bin/bash "$image" -c "$script" wheelhouse "$@"

touch "$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "$dest"
