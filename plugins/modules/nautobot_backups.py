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
  - Several roots of one host may share the backup directory. A backup counts as O(root)'s only when its manifest
    says so; the backups of other roots, and those whose manifest cannot be read, are never chosen and never removed.
  - With O(prune=true), the newest O(keep) complete backups of O(root) stay and the older ones are removed, and so
    is an unfinished backup (no manifest, a run killed while it dumped) once nothing in it has been written for
    O(stale_after) seconds. Only real directories are removed (a link put in the directory is left alone, never
    followed), and never a path in O(protect).
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
      after pruning. Each has C(path), C(from), C(to) and C(time) (when its manifest was written, seconds since the epoch).
  returned: always
  type: list
  elements: dict
removed:
  description: The directories removed (in check mode, that would be).
  returned: always
  type: list
  elements: str
others:
  description: Backup directories left alone because they are not O(root)'s (another root's, or an unreadable manifest).
  returned: always
  type: list
  elements: str
"""

import json
import os
import shutil
import stat
import time

from ansible.module_utils.basic import AnsibleModule

PREFIX = "nautobot-"


def _newest_write(path):
    """The latest mtime of a directory and what is directly in it (a dump being written moves its file's)."""
    newest = os.lstat(path).st_mtime
    for name in os.listdir(path):
        try:
            newest = max(newest, os.lstat(os.path.join(path, name)).st_mtime)
        except OSError:
            continue
    return newest


def survey(directory, root):
    """(ours, unfinished, others) in ``directory``: ours are the complete backups of ``root`` as dicts,
    oldest first; unfinished are (path, newest write) of directories with no manifest; others are paths."""
    ours, unfinished, others = [], [], []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return ours, unfinished, others
    for name in names:
        path = os.path.join(directory, name)
        try:
            if not name.startswith(PREFIX) or not stat.S_ISDIR(os.lstat(path).st_mode):
                continue
        except OSError:
            continue
        manifest = os.path.join(path, "manifest.json")
        try:
            info = os.lstat(manifest)
        except OSError:
            try:
                unfinished.append((path, _newest_write(path)))
            except OSError:
                pass
            continue
        try:
            if not stat.S_ISREG(info.st_mode):
                raise ValueError("not a file")
            with open(manifest) as handle:
                data = json.load(handle)
        except (IOError, OSError, ValueError):
            others.append(path)
            continue
        if not isinstance(data, dict) or str(data.get("root", "")).rstrip("/") != root:
            others.append(path)
            continue
        ours.append({"path": path, "from": str(data.get("from", "")), "to": str(data.get("to", "")), "time": info.st_mtime})
    ours.sort(key=lambda backup: (backup["time"], backup["path"]))
    return ours, unfinished, others


def plan_removal(ours, unfinished, keep, stale_after, protect, now):
    """The paths to remove: ``root``'s complete backups beyond the newest ``keep``, and unfinished ones
    nothing has written in for ``stale_after`` seconds; never one in ``protect``."""
    keep = max(keep, 0)
    beyond = ours[:-keep] if keep else list(ours)
    stale = [path for path, written in unfinished if written < now - stale_after]
    return [path for path in stale + [backup["path"] for backup in beyond] if path not in protect]


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
        ),
        supports_check_mode=True,
    )
    params = module.params
    root = params["root"].rstrip("/")
    ours, unfinished, others = survey(params["path"], root)
    removed = []
    if params["prune"]:
        protect = [os.path.normpath(path) for path in params["protect"]]
        removed = plan_removal(ours, unfinished, params["keep"], params["stale_after"], protect, time.time())
        if not module.check_mode:
            for done, path in enumerate(removed):
                try:
                    # rmtree never follows a link inside the tree; the top was checked a real directory.
                    shutil.rmtree(path)
                except OSError as error:
                    module.fail_json(msg="could not remove the backup %s: %s" % (path, error), removed=removed[:done])
        ours = [backup for backup in ours if backup["path"] not in removed]
    wanted = [
        backup for backup in ours
        if params["from_version"] in (None, backup["from"]) and params["to_version"] in (None, backup["to"])
    ]
    module.exit_json(changed=bool(removed), backups=wanted, removed=removed, others=others)


if __name__ == "__main__":
    main()
