#!/bin/sh
# Swap the venv inside a venv-layout NAUTOBOT_ROOT, leaving the site's files where they are:
# ROOT's venv entries are parked in PARK, NEW's entries move in. Renames on one file system,
# so the switch takes milliseconds; rollback is the same call with the parked venv as NEW.
#   venv_switch.sh ROOT NEW PARK ENTRY...
# With NAUTOBOT_OPS_RELOAD_UNIT set, that unit's main process (the uWSGI master) gets SIGHUP
# right after the renames: its old workers would answer 500 from the swapped files meanwhile.
set -eu
root=$1
new=$2
park=$3
shift 3
[ -x "$new/bin/python" ] || { echo "venv_switch: no venv at $new" >&2; exit 2; }
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
if [ -n "${NAUTOBOT_OPS_RELOAD_UNIT:-}" ]; then
  # A unit with no main process (stopped, or failed) is started instead, as a reload would.
  if systemctl kill --signal=HUP --kill-whom=main "$NAUTOBOT_OPS_RELOAD_UNIT"; then
    echo "sent SIGHUP to the main process of $NAUTOBOT_OPS_RELOAD_UNIT"
  else
    systemctl start "$NAUTOBOT_OPS_RELOAD_UNIT"
    echo "started $NAUTOBOT_OPS_RELOAD_UNIT (it had no main process to signal)"
  fi
fi
echo "switched $root to the venv built in $new; previous venv parked in $park"
