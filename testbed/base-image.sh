#!/usr/bin/env bash
# Build an offline systemd image of a Debian release from Debian's own packages
# (no container registry is reachable), tagged by the hash of this recipe.
#   testbed/base-image.sh bookworm|trixie   -> prints the image tag
set -euo pipefail

suite=${1:?usage: base-image.sh bookworm|trixie}
here=$(cd "$(dirname "$0")" && pwd)
case "$suite" in
  bookworm) name=debian12 ;;
  trixie) name=debian13 ;;
  *) echo "base-image: unknown suite '$suite' (bookworm or trixie)" >&2; exit 2 ;;
esac

# What a Nautobot host needs before Nautobot itself; ansible needs python3 and sudo.
packages=systemd,systemd-sysv,dbus,python3,python3-venv,python3-dev,sudo,ca-certificates,curl,git,procps,iproute2,less,locales,tzdata
key=$( { cat "$0"; echo "$suite $packages"; } | sha256sum | cut -c1-12)
tag="nautobot-ops/systemd:${name}-${key}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

command -v mmdebstrap >/dev/null 2>&1 || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq mmdebstrap >/dev/null
}

echo "base-image: building $tag with mmdebstrap" >&2
rootfs=$(mktemp --suffix=.tar)
trap 'rm -f "$rootfs"' EXIT
# Units that make no sense in a container are masked; the rest is a plain Debian host.
mmdebstrap --variant=minbase --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --customize-hook='chroot "$1" systemctl mask getty.target console-getty.service systemd-firstboot.service systemd-udevd.service systemd-modules-load.service sys-kernel-config.mount >/dev/null 2>&1 || true' \
  --customize-hook='echo "en_US.UTF-8 UTF-8" > "$1/etc/locale.gen" && chroot "$1" locale-gen >/dev/null' \
  --customize-hook='rm -f "$1/etc/machine-id" && touch "$1/etc/machine-id"' \
  "$suite" "$rootfs" http://deb.debian.org/debian
docker import -c 'CMD ["/lib/systemd/systemd"]' -c 'ENV container=docker' "$rootfs" "$tag" >/dev/null
docker tag "$tag" "nautobot-ops/systemd:${name}"
echo "$tag"
