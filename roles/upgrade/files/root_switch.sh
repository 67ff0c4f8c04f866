#!/bin/sh
# Put another release in NAUTOBOT_ROOT's place by renames on one file system, so the switch takes
# milliseconds and nothing ever sees the root missing. The rollback is the same call backwards.
#   root_switch.sh venv ROOT NEW PARK ENTRY...  venv layout: ROOT's venv entries are parked in PARK,
#                                               NEW's move in; the site's files stay where they are
#   root_switch.sh release ROOT RELEASE_DIR     release layout: the root symlink, replaced in one rename
# With NAUTOBOT_OPS_RELOAD_UNIT set, that unit's main process (the uWSGI master) gets SIGHUP right
# after: its old workers would answer 500 from the swapped files meanwhile.
set -eu
layout=$1
root=$2
shift 2
case "$layout" in
venv)
  new=$1
  park=$2
  shift 2
  [ -x "$new/bin/python" ] || { echo "root_switch: no venv at $new" >&2; exit 2; }
  # A leftover of an earlier failure would make mv nest directories.
  rm -rf "$park"
  mkdir -p "$park"
  # A venv names the directory it was built in (script shebangs, activate, pyvenv.cfg).
  grep -rlI -F "$new" "$new/bin" "$new/pyvenv.cfg" | while IFS= read -r file; do
    sed -i "s#$new#$root#g" "$file"
  done
  for entry in "$@"; do
    if [ -e "$root/$entry" ] || [ -L "$root/$entry" ]; then mv "$root/$entry" "$park/$entry"; fi
  done
  for entry in "$@"; do
    if [ -e "$new/$entry" ] || [ -L "$new/$entry" ]; then mv "$new/$entry" "$root/$entry"; fi
  done
  rm -rf "$new"
  echo "switched $root to the venv built in $new; previous venv parked in $park"
  ;;
release)
  release=$1
  [ -d "$release" ] || { echo "root_switch: no release directory $release" >&2; exit 2; }
  if [ "$(readlink "$root")" = "$release" ]; then
    echo "unchanged: $root already points at $release"
  else
    ln -sfn "$release" "$root.nautobot-ops-next"
    mv -T "$root.nautobot-ops-next" "$root"
    echo "switched $root to $release"
  fi
  ;;
*)
  echo "root_switch: unknown layout $layout" >&2
  exit 2
  ;;
esac
if [ -n "${NAUTOBOT_OPS_RELOAD_UNIT:-}" ]; then
  # A unit with no main process (stopped, or failed) is started instead, as a reload would.
  if systemctl kill --signal=HUP --kill-whom=main "$NAUTOBOT_OPS_RELOAD_UNIT"; then
    echo "sent SIGHUP to the main process of $NAUTOBOT_OPS_RELOAD_UNIT"
  else
    systemctl start "$NAUTOBOT_OPS_RELOAD_UNIT"
    echo "started $NAUTOBOT_OPS_RELOAD_UNIT (it had no main process to signal)"
  fi
fi
