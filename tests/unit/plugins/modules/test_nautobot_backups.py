# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time

from ansible_collections.nautobot_ops.lifecycle.plugins.modules import nautobot_backups
from ansible_collections.nautobot_ops.lifecycle.tests.unit.plugins.modules.utils import run_module

ROOT = "/opt/nautobot"
OTHER = "/srv/nautobot-lab"


def backup(directory, name, root=ROOT, age=0, manifest=None, frm="3.1.0", to="3.2.7"):
    """A backup directory as backup.yml leaves it, its files written ``age`` seconds ago."""
    path = directory / name
    path.mkdir(parents=True)
    (path / "database.dump").write_bytes(b"PGDMP")
    if manifest is None:
        manifest = json.dumps({"from": frm, "to": to, "root": root, "database": str(path / "database.dump")})
    if manifest is not False:
        (path / "manifest.json").write_text(manifest)
    stamp = time.time() - age
    for entry in list(path.iterdir()) + [path]:
        os.utime(str(entry), (stamp, stamp))
    return str(path)


def run(directory, **args):
    return run_module(nautobot_backups.main, dict({"path": str(directory), "root": ROOT}, **args))


def test_only_the_roots_own_complete_backups_are_listed_oldest_first(tmp_path):
    old = backup(tmp_path, "nautobot-3.1.0-to-3.2.7-20261101T000000Z", age=300)
    new = backup(tmp_path, "nautobot-3.1.0-to-3.2.7-20261102T000000Z", age=100)
    foreign = backup(tmp_path, "nautobot-3.1.0-to-3.2.7-20261103T000000Z", root=OTHER, age=10)
    backup(tmp_path, "nautobot-3.1.0-to-3.2.7-20261104T000000Z", manifest=False)
    failed, result = run(tmp_path)
    assert not failed and not result["changed"]
    assert [b["path"] for b in result["backups"]] == [old, new]
    assert result["others"] == [foreign] and result["removed"] == []


def test_another_roots_backup_of_the_same_upgrade_is_never_the_one_chosen(tmp_path):
    ours = backup(tmp_path, "nautobot-3.1.0-to-3.2.7-a", age=100)
    backup(tmp_path, "nautobot-3.1.0-to-3.2.7-b", root=OTHER, age=5)
    backup(tmp_path, "nautobot-3.0.1-to-3.2.7-c", age=1, frm="3.0.1")
    failed, result = run(tmp_path, from_version="3.1.0", to_version="3.2.7")
    assert not failed and [b["path"] for b in result["backups"]] == [ours]
    assert result["backups"][0]["from"] == "3.1.0" and result["backups"][0]["to"] == "3.2.7"


def test_pruning_keeps_the_newest_of_this_root_and_never_touches_another_roots(tmp_path):
    foreign = [backup(tmp_path, "nautobot-x-%d" % n, root=OTHER, age=1000 + n) for n in range(3)]
    ours = [backup(tmp_path, "nautobot-y-%d" % n, age=500 - n * 100) for n in range(4)]
    failed, result = run(tmp_path, prune=True, keep=2)
    assert not failed and result["changed"]
    assert result["removed"] == ours[:2]
    assert sorted(os.listdir(str(tmp_path))) == sorted(os.path.basename(p) for p in foreign + ours[2:])
    assert [b["path"] for b in result["backups"]] == ours[2:]


def test_an_unreadable_or_rootless_manifest_is_never_removed(tmp_path):
    broken = backup(tmp_path, "nautobot-broken", manifest="{not json", age=9000)
    rootless = backup(tmp_path, "nautobot-rootless", manifest=json.dumps({"from": "3.1.0", "to": "3.2.7"}), age=9000)
    failed, result = run(tmp_path, prune=True, keep=1, stale_after=60)
    assert not failed and result["removed"] == [] and sorted(result["others"]) == [broken, rootless]
    assert os.path.isdir(broken) and os.path.isdir(rootless)


def test_an_unfinished_backup_goes_only_once_nothing_was_written_in_it_for_a_while(tmp_path):
    stale = backup(tmp_path, "nautobot-killed", manifest=False, age=4000)
    dumping = backup(tmp_path, "nautobot-dumping", manifest=False, age=4000)
    # Another root's pg_dump still writes: the file moves, the directory's own mtime does not.
    os.utime(os.path.join(dumping, "database.dump"), None)
    failed, result = run(tmp_path, prune=True, stale_after=1800)
    assert not failed and result["removed"] == [stale]
    assert not os.path.exists(stale) and os.path.isdir(dumping)


def test_a_protected_backup_stays_even_beyond_keep(tmp_path):
    ours = [backup(tmp_path, "nautobot-y-%d" % n, age=500 - n * 100) for n in range(3)]
    failed, result = run(tmp_path, prune=True, keep=1, protect=[ours[0] + "/"])
    assert not failed and result["removed"] == [ours[1]]
    assert os.path.isdir(ours[0]) and os.path.isdir(ours[2])


def test_a_link_in_the_backup_directory_is_never_followed_nor_removed(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep").write_text("x")
    (tmp_path / "backups").mkdir()
    os.symlink(str(target), str(tmp_path / "backups" / "nautobot-link"))
    inner = backup(tmp_path / "backups", "nautobot-old", age=9000)
    os.symlink(str(target), os.path.join(inner, "nautobot-inner-link"))
    backup(tmp_path / "backups", "nautobot-new", age=10)
    failed, result = run(tmp_path / "backups", prune=True, keep=1, stale_after=60)
    assert not failed and result["removed"] == [inner]
    assert (target / "keep").read_text() == "x" and os.path.islink(str(tmp_path / "backups" / "nautobot-link"))


def test_check_mode_names_what_would_go_and_removes_nothing(tmp_path):
    ours = [backup(tmp_path, "nautobot-y-%d" % n, age=500 - n * 100) for n in range(3)]
    failed, result = run(tmp_path, prune=True, keep=1, _ansible_check_mode=True)
    assert not failed and result["changed"] and result["removed"] == ours[:2]
    assert all(os.path.isdir(path) for path in ours)


def test_a_missing_directory_has_no_backups(tmp_path):
    failed, result = run(tmp_path / "absent", prune=True)
    assert not failed and (result["backups"], result["removed"], result["changed"]) == ([], [], False)
