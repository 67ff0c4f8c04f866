#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: nautobot_backups
short_description: List one Nautobot root's upgrade backups, and remove those beyond a count
version_added: 0.1.0
description:
  - Reads the backup directory the upgrade role writes (one C(nautobot-FROM-to-TARGET-TIME) directory per upgrade, its
    C(manifest.json) written once the dump proved whole) and returns the complete backups of one O(root), oldest first.
  - Only directories named as the role names backups (C(nautobot-FROM-to-TARGET-YYYYMMDDTHHMMSSZ)) are backups;
    anything else in the directory (an operator's own dump, a release) is never looked at. They are ordered by the
    time in their name, which no file date moves.
  - Several roots of one host, or hosts sharing a network file system, may share the backup directory. A backup is
    O(root)'s on this host when its owner file (written by O(claim) as the backup starts) names O(root) and this
    host's machine id, or, without one, when its manifest names O(root). The backups of other roots and hosts, and
    those whose owner file or manifest cannot be read, are never chosen and never removed.
  - With O(prune=true), the newest O(keep) complete backups of O(root) stay and the older ones are removed, and so
    is an unfinished backup of O(root) (no manifest, a run killed while it dumped) once nothing in it has been
    written for O(stale_after) seconds. Only real directories are removed (a link put in the directory is left
    alone, never followed), the manifest first, and never a path in O(protect) nor the newest backup taken before
    the upgrade to O(protect_to). A backup that cannot be removed is reported in RV(failed_removals) and a warning,
    never a failure (a healthy upgrade is not rolled back over its housekeeping).
author:
  - nautobot_ops maintainers (!UNKNOWN)
extends_documentation_fragment:
  - nautobot_ops.lifecycle.attributes
attributes:
  check_mode:
    support: full
    details: In check mode RV(removed) names what would be removed, and nothing is.
  diff_mode:
    support: none
options:
  path:
    description:
      - The backup directory (the role's C(upgrade_backup_dir)). A missing directory has no backups.
    type: path
    required: true
  root:
    description:
      - NAUTOBOT_ROOT whose backups are listed (the manifest's C(root)).
    type: path
    required: true
  prune:
    description:
      - Also remove what O(keep) and O(stale_after) leave out (without it the module only reads).
    type: bool
    default: false
  from_version:
    description:
      - Only backups taken before an upgrade from this release (the manifest's C(from)), in RV(backups).
    type: str
  to_version:
    description:
      - Only backups taken before an upgrade to this release (the manifest's C(to)), in RV(backups).
    type: str
  keep:
    description:
      - With O(prune=true), how many of O(root)'s complete backups stay, the newest first.
    type: int
    default: 3
  stale_after:
    description:
      - With O(prune=true), seconds without a write after which an unfinished backup is removed (another root's
        upgrade may be dumping into one right now).
    type: int
    default: 1800
  protect:
    description:
      - Paths never removed (the backup of the upgrade in progress).
    type: list
    elements: path
    default: []
  protect_to:
    description:
      - With O(prune=true), the newest backup of O(root) taken before an upgrade to this release stays whatever
        O(keep) says (the release serving now, whose rollback needs it however many attempts failed since).
    type: str
  claim:
    description:
      - A backup directory (in O(path)) this run is starting; its owner file is written (root and machine id), so
        that it is known as O(root)'s before its manifest exists. Done before the rest (not in check mode).
    type: path
"""

EXAMPLES = r"""
- name: Find the backup taken before the upgrade 3.1.0 -> 3.2.7 of /opt/nautobot
  nautobot_ops.lifecycle.nautobot_backups:
    path: /var/backups/nautobot
    root: /opt/nautobot
    from_version: 3.1.0
    to_version: 3.2.7
  become: true
  register: found

- name: Keep the newest three of its backups
  nautobot_ops.lifecycle.nautobot_backups:
    path: /var/backups/nautobot
    root: /opt/nautobot
    prune: true
    keep: 3
    protect: ["{{ found.backups[-1].path }}"]
  become: true
"""

RETURN = r"""
backups:
  description:
    - The complete backups of O(root) (of O(from_version) and O(to_version) when given), oldest first, as they are
      after pruning. Each has C(path), C(from), C(to) and C(stamp) (the UTC time in its name, C(YYYYMMDDTHHMMSSZ)).
  returned: always
  type: list
  elements: dict
removed:
  description: The directories removed (in check mode, that would be).
  returned: always
  type: list
  elements: str
failed_removals:
  description: Directories that could not be removed, with why.
  returned: always
  type: list
  elements: str
others:
  description: Backups left alone because they are not O(root)'s on this host (another root's or host's, or unreadable).
  returned: always
  type: list
  elements: str
"""

import json
import os
import re
import shutil
import stat
import time

from ansible.module_utils.basic import AnsibleModule

NAME = re.compile(r"^nautobot-.+-to-.+-(\d{8}T\d{6}Z)$")
OWNER = ".nautobot-ops-owner"
MANIFEST = "manifest.json"
# A manifest or owner file is a few hundred bytes: anything far larger is not ours to parse.
MAX_READ = 1 << 20


def machine_id():
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            with open(path) as handle:
                value = handle.read().strip()
        except (IOError, OSError):
            continue
        if value:
            return value
    return ""


def read_small_json(path):
    """A small JSON file, never following a link nor blocking on a FIFO; None when absent. Raises
    ValueError when it is not a small regular file holding a JSON object."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if not os.path.lexists(path):
            return None
        raise ValueError(str(error))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_READ:
            raise ValueError("not a small regular file")
        data = os.read(fd, MAX_READ + 1)
    finally:
        os.close(fd)
    value = json.loads(data.decode("utf-8", "replace"))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _newest_write(path):
    """The latest mtime of a directory and what is directly in it (a dump being written moves its file's)."""
    newest = os.lstat(path).st_mtime
    for name in os.listdir(path):
        try:
            newest = max(newest, os.lstat(os.path.join(path, name)).st_mtime)
        except OSError:
            continue
    return newest


def _root(value):
    return str(value or "").rstrip("/")


def survey(directory, root, machine):
    """(ours, unfinished, others) in ``directory``: ours are the complete backups of ``root`` on this
    machine as dicts, oldest first; unfinished are (path, newest write) of its backups with no
    manifest yet; others are the paths of backups it cannot claim."""
    ours, unfinished, others = [], [], []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return ours, unfinished, others
    for name in names:
        match = NAME.match(name)
        path = os.path.join(directory, name)
        try:
            if not match or not stat.S_ISDIR(os.lstat(path).st_mode):
                continue
            owner = read_small_json(os.path.join(path, OWNER))
            manifest = read_small_json(os.path.join(path, MANIFEST))
        except (IOError, OSError, ValueError):
            others.append(path)
            continue
        if owner is not None:
            mine = _root(owner.get("root")) == root and owner.get("machine_id") == machine
        else:
            # Backups taken before owner files: the manifest names the root (a host is not known).
            mine = manifest is not None and _root(manifest.get("root")) == root
        if not mine:
            others.append(path)
        elif manifest is None:
            try:
                unfinished.append((path, _newest_write(path)))
            except OSError:
                continue
        else:
            ours.append({"path": path, "from": str(manifest.get("from", "")), "to": str(manifest.get("to", "")),
                         "stamp": match.group(1)})
    ours.sort(key=lambda backup: (backup["stamp"], backup["path"]))
    return ours, unfinished, others


def plan_removal(ours, unfinished, keep, stale_after, protect, now, protect_to=None):
    """The paths to remove: ``root``'s complete backups beyond the newest ``keep``, and unfinished ones
    nothing has written in for ``stale_after`` seconds; never one in ``protect``, nor the newest
    backup of the upgrade to ``protect_to``."""
    keep = max(keep, 0)
    beyond = ours[:-keep] if keep else list(ours)
    stale = [path for path, written in unfinished if written < now - stale_after]
    protect = set(protect)
    serving = [backup["path"] for backup in ours if protect_to and backup["to"] == protect_to]
    if serving:
        protect.add(serving[-1])
    return [path for path in stale + [backup["path"] for backup in beyond] if path not in protect]


def remove(path):
    """Remove one backup: its manifest first (a removal cut short never leaves a manifest over a
    partial backup), then the tree; rmtree never follows a link inside it."""
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise OSError("no longer a directory")
    manifest = os.path.join(path, MANIFEST)
    if os.path.lexists(manifest):
        os.unlink(manifest)
    shutil.rmtree(path)


def claim(path, directory, root, machine):
    """Write the owner file of a backup this run starts, atomically."""
    if os.path.dirname(path) != directory or not NAME.match(os.path.basename(path)):
        raise ValueError("%s is not a backup directory in %s" % (path, directory))
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise ValueError("%s is not a directory" % path)
    temporary = os.path.join(path, OWNER + ".tmp")
    if os.path.lexists(temporary):
        os.unlink(temporary)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"root": root, "machine_id": machine}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.rename(temporary, os.path.join(path, OWNER))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            root=dict(type="path", required=True),
            prune=dict(type="bool", default=False),
            from_version=dict(type="str"),
            to_version=dict(type="str"),
            keep=dict(type="int", default=3),
            stale_after=dict(type="int", default=1800),
            protect=dict(type="list", elements="path", default=[]),
            protect_to=dict(type="str"),
            claim=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    directory = os.path.normpath(params["path"])
    root = _root(os.path.normpath(params["root"]))
    machine = machine_id()
    changed = False
    if params["claim"] and not module.check_mode:
        try:
            claim(os.path.normpath(params["claim"]), directory, root, machine)
        except (IOError, OSError, ValueError) as error:
            module.fail_json(msg="could not claim the backup %s: %s" % (params["claim"], error))
        changed = True
    ours, unfinished, others = survey(directory, root, machine)
    removed, failures = [], []
    if params["prune"]:
        protect = [os.path.normpath(path) for path in params["protect"]]
        planned = plan_removal(ours, unfinished, params["keep"], params["stale_after"], protect, time.time(),
                               params["protect_to"])
        for path in planned:
            try:
                if not module.check_mode:
                    remove(path)
            except Exception as error:  # pylint: disable=broad-except
                # Never a failure: a deep tree (RecursionError), a file another process holds.
                failures.append("%s: %s" % (path, error))
                module.warn("could not remove the backup %s: %s" % (path, error))
            else:
                removed.append(path)
        ours = [backup for backup in ours if backup["path"] not in removed]
    wanted = [
        backup for backup in ours
        if params["from_version"] in (None, backup["from"]) and params["to_version"] in (None, backup["to"])
    ]
    module.exit_json(changed=changed or bool(removed), backups=wanted, removed=removed, failed_removals=failures,
                     others=others)


if __name__ == "__main__":
    main()
