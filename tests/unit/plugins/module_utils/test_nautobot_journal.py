# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import threading

import pytest

from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils import nautobot_journal as nj

ROOT = "/opt/nautobot"


def test_journal_name_is_one_file_per_root():
    assert nj.journal_name("/opt/nautobot") == "opt-nautobot.json"
    assert nj.journal_name("/srv/sites/a b/") == "srv-sites-a-b.json"
    assert nj.journal_name("/") == "root.json"


@pytest.mark.skipif(os.geteuid() != 0, reason="the ownership checks need root, as on a managed host")
class TestSafeDirectory:
    def test_made_where_missing(self, tmp_path):
        path = str(tmp_path / "state" / "nautobot-ops")
        assert nj.safe_directory(path) == path
        assert oct(os.stat(path).st_mode & 0o777) == "0o755"

    def test_a_link_is_refused_not_followed(self, tmp_path):
        target = tmp_path / "root-owned"
        target.mkdir()
        os.symlink(str(target), str(tmp_path / "state"))
        with pytest.raises(nj.JournalError, match="is a symbolic link"):
            nj.safe_directory(str(tmp_path / "state" / "nautobot-ops"))
        assert not (target / "nautobot-ops").exists()

    def test_a_directory_another_user_owns_is_refused(self, tmp_path):
        state = tmp_path / "state"
        state.mkdir()
        os.chown(str(state), 65534, 65534)
        with pytest.raises(nj.JournalError, match="owned by uid 65534"):
            nj.safe_directory(str(state / "nautobot-ops"))

    def test_a_directory_others_can_write_is_refused(self, tmp_path):
        state = tmp_path / "state"
        state.mkdir()
        os.chmod(str(state), 0o777)
        with pytest.raises(nj.JournalError, match="writable by group or others"):
            nj.safe_directory(str(state))

    def test_missing_and_not_to_be_made(self, tmp_path):
        with pytest.raises(nj.JournalError):
            nj.safe_directory(str(tmp_path / "absent"), create=False)


class TestAcquire:
    def test_free_host(self):
        document, taken = nj.acquire(nj.new_document(ROOT), "run-1", "ops@ctl", 600, 1000.0, [])
        assert taken is None
        assert document["lock"] == {"run_id": "run-1", "holder": "ops@ctl", "since": 1000.0, "lease_until": 1600.0}

    def test_same_run_renews(self):
        document, dummy = nj.acquire(nj.new_document(ROOT), "run-1", "ops@ctl", 600, 1000.0, [])
        document, taken = nj.acquire(document, "run-1", "ops@ctl", 600, 1200.0, [])
        assert taken is None and document["lock"]["since"] == 1000.0 and document["lock"]["lease_until"] == 1800.0

    def test_second_run_refused_naming_the_holder(self):
        document, dummy = nj.acquire(nj.new_document(ROOT), "run-1", "ops@ctl", 600, 1000.0, [])
        document = nj.record(document, "run-1", 600, 1001.0, {"from": "3.1.0", "to": "3.2.7"}, "migrating")
        with pytest.raises(nj.JournalError) as error:
            nj.acquire(document, "run-2", "other@ctl2", 600, 1100.0, [])
        message = str(error.value)
        assert "run run-1 by ops@ctl" in message and "phase migrating" in message and "1970-01-01T00:16:40Z" in message

    def test_expired_lease_with_a_process_still_running_is_refused(self):
        document, dummy = nj.acquire(nj.new_document(ROOT), "run-1", "ops@ctl", 600, 1000.0, [])
        with pytest.raises(nj.JournalError, match="still running: 42 /opt/nautobot/bin/nautobot-server migrate"):
            nj.acquire(document, "run-2", "ops@ctl", 600, 5000.0, ["42 /opt/nautobot/bin/nautobot-server migrate"])

    def test_gone_holder_is_taken_over_with_the_open_upgrade(self):
        document, dummy = nj.acquire(nj.new_document(ROOT), "run-1", "ops@ctl", 600, 1000.0, [])
        document = nj.record(document, "run-1", 600, 1001.0, {"to": "3.2.7", "switched": True}, "switched")
        document, taken = nj.acquire(document, "run-2", "ops@ctl", 600, 5000.0, [])
        assert taken["run_id"] == "run-1"
        assert document["lock"]["run_id"] == "run-2" and document["lock"]["taken_over_from"]["run_id"] == "run-1"
        assert document["upgrade"]["phase"] == "switched" and document["upgrade"]["switched"] is True


class TestRecordAndRelease:
    def test_record_opens_appends_phases_renews(self):
        document, dummy = nj.acquire(nj.new_document(ROOT), "run-1", "h", 600, 1000.0, [])
        document = nj.record(document, "run-1", 600, 1010.0, {"from": "3.1.0"}, "workers_stopped")
        document = nj.record(document, "run-1", 600, 1020.0, {"backup": {"path": "/b", "verified": True}}, "backed_up")
        upgrade = document["upgrade"]
        assert upgrade["from"] == "3.1.0" and upgrade["backup"]["verified"] and upgrade["phase"] == "backed_up"
        assert [p[0] for p in upgrade["phases"]] == ["workers_stopped", "backed_up"]
        assert document["lock"]["lease_until"] == 1620.0

    def test_record_by_a_run_that_lost_the_lock_is_refused(self):
        document, dummy = nj.acquire(nj.new_document(ROOT), "run-1", "h", 600, 1000.0, [])
        document, dummy = nj.acquire(document, "run-2", "h2", 600, 9000.0, [])
        with pytest.raises(nj.JournalError, match="took it over"):
            nj.record(document, "run-1", 600, 9001.0, {}, "migrating")

    def test_release_keeps_an_unfinished_upgrade_open(self):
        document, dummy = nj.acquire(nj.new_document(ROOT), "run-1", "h", 600, 1000.0, [])
        document = nj.record(document, "run-1", 600, 1001.0, {}, "rollback_incomplete")
        document = nj.release(document, "run-1", 1002.0)
        assert document["lock"] is None and document["upgrade"]["phase"] == "rollback_incomplete"
        # The next run takes it at once: no lease to wait for.
        document, taken = nj.acquire(document, "run-2", "h", 600, 1003.0, [])
        assert taken is None and document["upgrade"]["phase"] == "rollback_incomplete"

    def test_release_closing_moves_the_upgrade_to_last(self):
        document, dummy = nj.acquire(nj.new_document(ROOT), "run-1", "h", 600, 1000.0, [])
        document = nj.record(document, "run-1", 600, 1001.0, {"to": "3.2.7"}, "verified")
        document = nj.release(document, "run-1", 1002.0, close=True, outcome="completed")
        assert document["upgrade"] is None and document["last"]["outcome"] == "completed" and document["lock"] is None


class TestFiles:
    def test_write_is_atomic_and_readable(self, tmp_path):
        path = str(tmp_path / "opt-nautobot.json")
        nj.write_json(path, {"a": 1})
        nj.write_json(path, {"a": 2})
        assert nj.read_json(path) == {"a": 2}
        assert os.listdir(str(tmp_path)) == ["opt-nautobot.json"]

    def test_missing_is_none_damaged_is_refused(self, tmp_path):
        path = tmp_path / "j.json"
        assert nj.read_json(str(path)) is None
        path.write_text("{half")
        with pytest.raises(nj.JournalError, match="damaged"):
            nj.read_json(str(path))

    def test_a_journal_that_is_a_link_is_not_followed(self, tmp_path):
        (tmp_path / "elsewhere.json").write_text(json.dumps({"x": 1}))
        os.symlink(str(tmp_path / "elsewhere.json"), str(tmp_path / "j.json"))
        with pytest.raises(nj.JournalError):
            nj.read_json(str(tmp_path / "j.json"))

    def test_lock_excludes_a_second_holder(self, tmp_path):
        path = str(tmp_path / "j.lock")
        with nj.locked(path):
            outcome = []

            def second():
                try:
                    with nj.locked(path, timeout=0.5):
                        outcome.append("got it")
                except nj.JournalError as error:
                    outcome.append(str(error))

            thread = threading.Thread(target=second)
            thread.start()
            thread.join()
        assert "held by another process" in outcome[0]


def test_busy_processes_reads_proc(tmp_path):
    for pid, argv in (("10", ["/opt/nautobot/bin/nautobot-server", "-c", "/opt/nautobot/nautobot_config.py", "migrate"]),
                      ("11", ["/opt/nautobot/bin/nautobot-server", "-c", "/opt/nautobot/nautobot_config.py", "health_check"]),
                      ("12", ["/srv/other/bin/nautobot-server", "migrate"]),
                      ("13", ["/opt/nautobot/.nautobot-ops/build/bin/pip", "install", "nautobot==3.2.7"])):
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "cmdline").write_bytes("\0".join(argv).encode() + b"\0")
    (tmp_path / "self").mkdir()
    busy = nj.busy_processes(ROOT, proc=str(tmp_path))
    assert sorted(b.split()[0] for b in busy) == ["10", "13"]


def test_busy_processes_found_outside_the_root(tmp_path):
    # Releases built in a directory of their own and the config in /etc: the migrate's command line
    # never names the root. Found by the releases directory or by its working directory.
    processes = (
        ("20", ["/srv/releases/nautobot-3.2.7/venv/bin/nautobot-server", "--config", "/etc/nautobot.py", "migrate"], "/"),
        ("21", ["/var/lib/build/venv-3.2.7/bin/nautobot-server", "--config", "/etc/nautobot.py", "migrate"],
         ROOT),
        ("22", ["/var/lib/build/venv-3.2.7/bin/nautobot-server", "post_upgrade"], ROOT + "-3.2.7"),
        # Not ours: another installation's migrate, a neighbour whose name only starts like the root's.
        ("23", ["/var/lib/build/venv-3.2.7/bin/nautobot-server", "migrate"], "/srv/other"),
        ("24", ["/usr/bin/python3", "-m", "pip", "install", "x"], ROOT + "2"),
        ("25", ["/var/lib/build/venv-3.2.7/bin/nautobot-server", "nbshell"], ROOT),
    )
    for pid, argv, cwd in processes:
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "cmdline").write_bytes("\0".join(argv).encode() + b"\0")
        (tmp_path / pid / "cwd").symlink_to(cwd)
    (tmp_path / "26").mkdir()  # a process gone between listdir and open
    assert sorted(b.split()[0] for b in nj.busy_processes(ROOT, proc=str(tmp_path))) == ["21", "22"]
    found = nj.busy_processes(ROOT, proc=str(tmp_path), also=["/srv/releases/nautobot-", ""])
    assert sorted(b.split()[0] for b in found) == ["20", "21", "22"]


def test_busy_prefixes_do_not_take_in_their_neighbours(tmp_path):
    # A releases directory shared with other software: only our releases' processes count.
    processes = (
        ("30", ["/srv/releases/other-app/bin/pip", "install", "x"], "/srv/releases/other-app"),
        ("31", ["/srv/releases/nautobot-3.2.7/venv/bin/pip", "install", "nautobot==3.2.7"], "/"),
        ("32", ["/usr/bin/nautobot-server", "migrate"], "/var/lib/nautobot-ops/venv-3.2.7"),
        ("33", ["/usr/bin/nautobot-server", "migrate"], "/var/lib/nautobot-ops-other"),
    )
    for pid, argv, cwd in processes:
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "cmdline").write_bytes("\0".join(argv).encode() + b"\0")
        (tmp_path / pid / "cwd").symlink_to(cwd)
    found = nj.busy_processes(ROOT, proc=str(tmp_path), also=["/srv/releases/nautobot-", "/var/lib/nautobot-ops/"])
    assert sorted(b.split()[0] for b in found) == ["31", "32"]


def test_a_database_client_left_by_a_killed_shell_is_found_by_its_working_directory(tmp_path):
    # The restore's shell killed, its psql goes on replaying the dump (cwd inherited: the root). A
    # DBA's psql elsewhere, and the server's own processes, are not an upgrade's.
    processes = (
        ("40", ["psql", "--no-psqlrc", "--single-transaction", "--file", "/var/backups/n/.restore-x/drop.sql"], ROOT),
        ("41", ["/usr/lib/postgresql/15/bin/pg_restore", "--file", "/var/backups/n/.restore-x/restore.sql"], ROOT),
        ("42", ["psql", "-d", "nautobot"], "/root"),
        ("43", ["postgres: nautobot nautobot 127.0.0.1(5432) idle"], ROOT),
        ("44", ["/usr/bin/vim", "psql"], ROOT),
    )
    for pid, argv, cwd in processes:
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "cmdline").write_bytes("\0".join(argv).encode() + b"\0")
        (tmp_path / pid / "cwd").symlink_to(cwd)
    assert sorted(b.split()[0] for b in nj.busy_processes(ROOT, proc=str(tmp_path))) == ["40", "41"]
