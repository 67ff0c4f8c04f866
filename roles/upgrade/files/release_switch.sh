#!/bin/sh
# Point the root symlink at another release directory in one rename, so nothing ever
# sees the root missing.   release_switch.sh ROOT RELEASE_DIR
set -eu
root=$1
release=$2
[ -d "$release" ] || { echo "release_switch: no release directory $release" >&2; exit 2; }
[ "$(readlink "$root")" = "$release" ] && { echo "unchanged: $root already points at $release"; exit 0; }
ln -sfn "$release" "$root.nautobot-ops-next"
mv -T "$root.nautobot-ops-next" "$root"
echo "switched $root to $release"
