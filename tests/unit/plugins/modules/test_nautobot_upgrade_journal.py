# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.nautobot_ops.lifecycle.plugins.modules import nautobot_upgrade_journal
from ansible_collections.nautobot_ops.lifecycle.tests.unit.plugins.modules.utils import run_module

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the journal directory must be root's, as on a managed host")


def journal(tmp_path, check_mode=False, **args):
    args = dict(args, path=str(tmp_path / "state"), root="/opt/nautobot")
    if check_mode:
        args["_ansible_check_mode"] = True
    return run_module(nautobot_upgrade_journal.main, args)


def test_a_run_from_acquire_to_close(tmp_path):
    failed, result = journal(tmp_path, state="acquire", run_id="r1", holder="ops@ctl")
    assert not failed and not result["changed"] and result["upgrade"] is None and result["lock"]["run_id"] == "r1"
    failed, result = journal(tmp_path, state="record", run_id="r1", phase="workers_stopped",
                             fields={"from": "3.1.0", "to": "3.2.7", "stopped_units": ["nautobot-worker"]})
    assert not failed and result["changed"] and result["upgrade"]["phase"] == "workers_stopped"
    on_disk = json.loads((tmp_path / "state" / "opt-nautobot.json").read_text())
    assert on_disk["upgrade"]["stopped_units"] == ["nautobot-worker"]
    failed, result = journal(tmp_path, state="acquire", run_id="r2", holder="other@ctl")
    assert failed and "run r1 by ops@ctl" in result["msg"] and "phase workers_stopped" in result["msg"]
    failed, result = journal(tmp_path, state="release", run_id="r1", close=True, outcome="completed")
    assert not failed and result["changed"] and result["upgrade"] is None and result["last"]["outcome"] == "completed"


def test_check_mode_writes_nothing(tmp_path):
    failed, result = journal(tmp_path, check_mode=True, state="acquire", run_id="r1")
    assert not failed and result["lock"]["run_id"] == "r1"
    assert not (tmp_path / "state").exists()


def test_read_without_a_journal(tmp_path):
    failed, result = journal(tmp_path, state="read")
    assert not failed and result["upgrade"] is None and result["lock"] is None


def test_refuses_a_linked_directory(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    os.symlink(str(tmp_path / "elsewhere"), str(tmp_path / "state"))
    failed, result = journal(tmp_path, state="acquire", run_id="r1")
    assert failed and "symbolic link" in result["msg"]
    assert os.listdir(str(tmp_path / "elsewhere")) == []


def test_acquire_discards_an_earlier_runs_environment_when_asked(tmp_path):
    failed, result = journal(tmp_path, state="acquire", run_id="r1")
    environment = tmp_path / "state" / "opt-nautobot.environment.json"
    assert not failed and result["environment_file"] == str(environment)
    environment.write_text('{"NAUTOBOT_DB_PASSWORD": "s3cret"}\n')
    journal(tmp_path, state="release", run_id="r1")
    # Not asked (a run given variables rewrites the file itself): kept.
    failed, result = journal(tmp_path, state="acquire", run_id="r2")
    assert not failed and not result["changed"] and not result["environment_discarded"] and environment.exists()
    journal(tmp_path, state="release", run_id="r2")
    failed, result = journal(tmp_path, state="acquire", run_id="r3", discard_environment=True)
    # The collection's own file, like the journal: reported, not a change of the host.
    assert not failed and not result["changed"] and result["environment_discarded"] and not environment.exists()
    # Nothing left to remove: no change.
    journal(tmp_path, state="release", run_id="r3")
    failed, result = journal(tmp_path, state="acquire", run_id="r4", discard_environment=True)
    assert not failed and not result["changed"] and not result["environment_discarded"]


def test_environment_kept_while_another_run_holds_the_host(tmp_path):
    journal(tmp_path, state="acquire", run_id="r1")
    environment = tmp_path / "state" / "opt-nautobot.environment.json"
    environment.write_text("{}\n")
    for check_mode in (False, True):
        failed, result = journal(tmp_path, check_mode=check_mode, state="acquire", run_id="r2", discard_environment=True)
        assert failed and "run r1" in result["msg"]
        assert environment.exists(), "the holder's variables were removed by a run that was refused"


def test_check_mode_discards_too_and_a_link_is_removed_not_followed(tmp_path):
    journal(tmp_path, state="acquire", run_id="r1")
    journal(tmp_path, state="release", run_id="r1")
    target = tmp_path / "precious"
    target.write_text("keep")
    environment = tmp_path / "state" / "opt-nautobot.environment.json"
    environment.symlink_to(target)
    failed, result = journal(tmp_path, check_mode=True, state="acquire", run_id="r2", discard_environment=True)
    assert not failed and result["environment_discarded"] and not result["changed"]
    assert not os.path.lexists(str(environment)) and target.read_text() == "keep"


def test_the_variables_of_an_upgrade_left_open_are_kept_for_the_run_that_takes_it_over(tmp_path, monkeypatch):
    # Upgrade processes of the machine running the tests are not this host's.
    monkeypatch.setattr(nautobot_upgrade_journal.nj, "busy_processes", lambda root, also=(): [])
    journal(tmp_path, state="acquire", run_id="r1")
    journal(tmp_path, state="record", run_id="r1", phase="migrating", fields={"from": "3.1.0", "to": "3.2.7"})
    environment = tmp_path / "state" / "opt-nautobot.environment.json"
    environment.write_text('{"NAUTOBOT_DB_PASSWORD": "s3cret"}\n')
    # r1 is gone (its lease ran out); r2, given no variables, finishes or rolls back r1's upgrade with r1's.
    on_disk = tmp_path / "state" / "opt-nautobot.json"
    document = json.loads(on_disk.read_text())
    document["lock"]["lease_until"] = 0
    on_disk.write_text(json.dumps(document))
    for check_mode in (True, False):
        failed, result = journal(tmp_path, check_mode=check_mode, state="acquire", run_id="r2", discard_environment=True)
        assert not failed, result
        assert result["upgrade"]["phase"] == "migrating" and result["environment_kept"], result
        assert not result["environment_discarded"] and not result["changed"]
        assert environment.read_text() == '{"NAUTOBOT_DB_PASSWORD": "s3cret"}\n'
    # Closing the upgrade keeps them for whatever the run still does on the site (other hosts, the next step).
    failed, result = journal(tmp_path, state="release", run_id="r2", close=True, outcome="completed")
    assert not failed and result["changed"] and environment.exists()
    # The same run's next step (its path) keeps them to its end.
    failed, result = journal(tmp_path, state="acquire", run_id="r2", discard_environment=True, keep_environment=True)
    assert not failed and result["environment_kept"] and not result["environment_discarded"] and environment.exists()
    journal(tmp_path, state="release", run_id="r2")
    # The next run given none, with no upgrade open, removes them.
    failed, result = journal(tmp_path, state="acquire", run_id="r3", discard_environment=True)
    assert not failed and result["environment_discarded"] and not result["environment_kept"] and not environment.exists()
