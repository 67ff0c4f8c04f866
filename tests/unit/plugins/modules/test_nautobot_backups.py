# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time
from unittest.mock import patch

from ansible_collections.nautobot_ops.lifecycle.plugins.modules import nautobot_backups
from ansible_collections.nautobot_ops.lifecycle.tests.unit.plugins.modules.utils import run_module

ROOT = "/opt/nautobot"
OTHER = "/srv/nautobot-lab"
MACHINE = "0123456789abcdef0123456789abcdef"


def name(day, frm="3.1.0", to="3.2.7"):
    return "nautobot-%s-to-%s-202611%02dT120000Z" % (frm, to, day)


def backup(directory, dirname, root=ROOT, age=0, manifest=None, frm="3.1.0", to="3.2.7", owner=None):
    """A backup directory as backup.yml leaves it, its files written ``age`` seconds ago. ``owner``:
    None for none (a backup taken before owner files), or the (root, machine) its owner file names."""
    path = directory / dirname
    path.mkdir(parents=True)
    (path / "database.dump").write_bytes(b"PGDMP")
    if owner is not None:
        (path / nautobot_backups.OWNER).write_text(json.dumps({"root": owner[0], "machine_id": owner[1]}))
    if manifest is None:
        manifest = json.dumps({"from": frm, "to": to, "root": root, "database": str(path / "database.dump")})
    if manifest is not False:
        (path / "manifest.json").write_text(manifest)
    stamp = time.time() - age
    for entry in list(path.iterdir()) + [path]:
        os.utime(str(entry), (stamp, stamp))
    return str(path)


def run(directory, **args):
    with patch.object(nautobot_backups, "machine_id", return_value=MACHINE):
        return run_module(nautobot_backups.main, dict({"path": str(directory), "root": ROOT}, **args))


def test_only_the_roots_own_complete_backups_are_listed_in_the_order_of_their_names(tmp_path):
    # The file dates say the opposite of the names: a copy, a clock stepped back, a touch.
    old = backup(tmp_path, name(1), age=10)
    new = backup(tmp_path, name(2), age=300)
    foreign = backup(tmp_path, name(3), root=OTHER, age=10)
    unclaimed = backup(tmp_path, name(4), manifest=False)
    failed, result = run(tmp_path)
    assert not failed and not result["changed"]
    assert [b["path"] for b in result["backups"]] == [old, new]
    assert result["backups"][-1]["stamp"] == "20261102T120000Z"
    assert result["others"] == [foreign, unclaimed] and result["removed"] == []


def test_another_roots_backup_of_the_same_upgrade_is_never_the_one_chosen(tmp_path):
    ours = backup(tmp_path, name(1))
    backup(tmp_path, name(5), root=OTHER)
    backup(tmp_path, name(6, frm="3.0.1"), frm="3.0.1")
    failed, result = run(tmp_path, from_version="3.1.0", to_version="3.2.7")
    assert not failed and [b["path"] for b in result["backups"]] == [ours]
    assert result["backups"][0]["from"] == "3.1.0" and result["backups"][0]["to"] == "3.2.7"


def test_another_hosts_backup_in_a_shared_directory_is_not_ours_even_for_the_same_root(tmp_path):
    ours = backup(tmp_path, name(1), owner=(ROOT, MACHINE))
    staging = backup(tmp_path, name(2), owner=(ROOT, "f" * 32))
    failed, result = run(tmp_path, prune=True, keep=0)
    assert not failed and result["removed"] == [ours] and result["others"] == [staging]
    assert os.path.isdir(staging)


def test_pruning_keeps_the_newest_of_this_root_and_never_touches_another_roots(tmp_path):
    foreign = [backup(tmp_path, name(n + 1), root=OTHER) for n in range(3)]
    ours = [backup(tmp_path, name(n + 10)) for n in range(4)]
    failed, result = run(tmp_path, prune=True, keep=2)
    assert not failed and result["changed"]
    assert result["removed"] == ours[:2]
    assert sorted(os.listdir(str(tmp_path))) == sorted(os.path.basename(p) for p in foreign + ours[2:])
    assert [b["path"] for b in result["backups"]] == ours[2:]


def test_what_is_not_named_as_a_backup_is_never_looked_at(tmp_path):
    # An operator's own dump, a release directory (upgrade_backup_dir set to the releases directory).
    for dirname in ("nautobot-before-dba-work", "nautobot-3.1.0", "nautobot-3.1.0-to-3.2.7-latest"):
        (tmp_path / dirname).mkdir()
        (tmp_path / dirname / "file").write_text("x")
        os.utime(str(tmp_path / dirname), (1, 1))
    failed, result = run(tmp_path, prune=True, keep=0, stale_after=0)
    assert not failed and result["removed"] == [] and result["others"] == []
    assert len(os.listdir(str(tmp_path))) == 3


def test_an_unreadable_or_rootless_manifest_is_never_removed(tmp_path):
    broken = backup(tmp_path, name(1), manifest="{not json", age=9000)
    rootless = backup(tmp_path, name(2), manifest=json.dumps({"from": "3.1.0", "to": "3.2.7"}), age=9000)
    huge = backup(tmp_path, name(3), manifest=False, age=9000)
    with open(os.path.join(huge, "manifest.json"), "wb") as handle:
        handle.truncate(nautobot_backups.MAX_READ + 1)
    fifo = backup(tmp_path, name(4), manifest=False, age=9000)
    os.mkfifo(os.path.join(fifo, "manifest.json"))
    failed, result = run(tmp_path, prune=True, keep=0, stale_after=60)
    assert not failed and result["removed"] == [] and sorted(result["others"]) == [broken, rootless, huge, fifo]
    assert all(os.path.isdir(path) for path in (broken, rootless, huge, fifo))


def test_an_unfinished_backup_goes_only_when_it_is_ours_and_nothing_was_written_in_it_for_a_while(tmp_path):
    stale = backup(tmp_path, name(1), manifest=False, age=4000, owner=(ROOT, MACHINE))
    dumping = backup(tmp_path, name(2), manifest=False, age=4000, owner=(ROOT, MACHINE))
    # Its pg_dump still writes: the file moves, the directory's own mtime does not.
    os.utime(os.path.join(dumping, "database.dump"), None)
    # Another root's, verifying its dump for longer than our lease; and one nobody claimed.
    foreign = backup(tmp_path, name(3), manifest=False, age=4000, owner=(OTHER, MACHINE))
    unclaimed = backup(tmp_path, name(4), manifest=False, age=4000)
    failed, result = run(tmp_path, prune=True, stale_after=1800)
    assert not failed and result["removed"] == [stale]
    assert not os.path.exists(stale) and all(os.path.isdir(p) for p in (dumping, foreign, unclaimed))


def test_a_protected_backup_stays_even_beyond_keep_however_its_path_is_spelled(tmp_path):
    ours = [backup(tmp_path, name(n + 1)) for n in range(3)]
    failed, result = run(tmp_path / "." / "", prune=True, keep=0, protect=[ours[2].replace("/nautobot-", "//nautobot-") + "/."])
    assert not failed and result["removed"] == ours[:2]
    assert os.path.isdir(ours[2])


def test_the_backup_a_rollback_of_the_serving_release_needs_outlives_failed_attempts(tmp_path):
    # 3.1.0 -> 3.2.7 went well; then three attempts at 3.3.0 failed, each leaving a backup.
    needed = backup(tmp_path, name(1))
    attempts = [backup(tmp_path, name(n + 2, frm="3.2.7", to="3.3.0"), frm="3.2.7", to="3.3.0") for n in range(3)]
    failed, result = run(tmp_path, prune=True, keep=2, protect=[attempts[-1]], protect_to="3.2.7")
    assert not failed and result["removed"] == [attempts[0]]
    assert os.path.isdir(needed)


def test_a_link_in_the_backup_directory_is_never_followed_nor_removed(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep").write_text("x")
    (tmp_path / "backups").mkdir()
    os.symlink(str(target), str(tmp_path / "backups" / name(9)))
    inner = backup(tmp_path / "backups", name(1))
    os.symlink(str(target), os.path.join(inner, "inner-link"))
    os.symlink(str(target / "keep"), os.path.join(inner, "manifest-link"))
    backup(tmp_path / "backups", name(2))
    failed, result = run(tmp_path / "backups", prune=True, keep=1)
    assert not failed and result["removed"] == [inner]
    assert (target / "keep").read_text() == "x" and os.path.islink(str(tmp_path / "backups" / name(9)))


def test_a_backup_that_cannot_be_removed_is_a_warning_not_a_failure(tmp_path):
    ours = [backup(tmp_path, name(n + 1)) for n in range(3)]
    with patch.object(nautobot_backups.shutil, "rmtree", side_effect=RecursionError("maximum recursion depth exceeded")):
        failed, result = run(tmp_path, prune=True, keep=1)
    assert not failed and result["removed"] == [] and len(result["failed_removals"]) == 2
    assert "maximum recursion" in result["failed_removals"][0]
    # The manifest went first: what is left is an unfinished backup, never restored.
    assert not os.path.exists(os.path.join(ours[0], "manifest.json")) and os.path.exists(os.path.join(ours[0], "database.dump"))


def test_a_claimed_backup_is_ours_before_its_manifest_exists(tmp_path):
    path = tmp_path / name(1)
    path.mkdir()
    failed, result = run(tmp_path, claim=str(path))
    assert not failed and result["changed"]
    owner = json.loads((path / nautobot_backups.OWNER).read_text())
    assert owner == {"root": ROOT, "machine_id": MACHINE} and (path / nautobot_backups.OWNER).stat().st_mode & 0o777 == 0o600
    os.utime(str(path / nautobot_backups.OWNER), (1, 1))
    os.utime(str(path), (1, 1))
    failed, result = run(tmp_path, prune=True, stale_after=60)
    assert not failed and result["removed"] == [str(path)]


def test_a_claim_outside_the_backup_directory_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    failed, result = run(tmp_path / "backups", claim=str(tmp_path / "elsewhere"))
    assert failed and "is not a backup directory" in result["msg"]


def test_check_mode_names_what_would_go_and_removes_nothing(tmp_path):
    ours = [backup(tmp_path, name(n + 1)) for n in range(3)]
    failed, result = run(tmp_path, prune=True, keep=1, _ansible_check_mode=True)
    assert not failed and result["changed"] and result["removed"] == ours[:2]
    assert all(os.path.isdir(path) for path in ours)


def test_a_missing_directory_has_no_backups(tmp_path):
    failed, result = run(tmp_path / "absent", prune=True)
    assert not failed and (result["backups"], result["removed"], result["changed"]) == ([], [], False)
