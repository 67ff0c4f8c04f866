#!/bin/sh
# Point the root symlink at another release directory in one rename, so nothing ever
# sees the root missing.   release_switch.sh ROOT RELEASE_DIR
# With NAUTOBOT_OPS_RELOAD_UNIT set, that unit's main process (the uWSGI master) gets SIGHUP
# right after: its old workers would answer 500 from the new release's files meanwhile.
set -eu
root=$1
release=$2
[ -d "$release" ] || { echo "release_switch: no release directory $release" >&2; exit 2; }
if [ "$(readlink "$root")" = "$release" ]; then
  echo "unchanged: $root already points at $release"
else
  ln -sfn "$release" "$root.nautobot-ops-next"
  mv -T "$root.nautobot-ops-next" "$root"
  echo "switched $root to $release"
fi
if [ -n "${NAUTOBOT_OPS_RELOAD_UNIT:-}" ]; then
  # A unit with no main process (stopped, or failed) is started instead, as a reload would.
  if systemctl kill --signal=HUP --kill-whom=main "$NAUTOBOT_OPS_RELOAD_UNIT"; then
    echo "sent SIGHUP to the main process of $NAUTOBOT_OPS_RELOAD_UNIT"
  else
    systemctl start "$NAUTOBOT_OPS_RELOAD_UNIT"
    echo "started $NAUTOBOT_OPS_RELOAD_UNIT (it had no main process to signal)"
  fi
fi
