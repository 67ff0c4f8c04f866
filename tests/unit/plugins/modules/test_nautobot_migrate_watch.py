# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time

import pytest

from ansible_collections.nautobot_ops.lifecycle.plugins.modules import nautobot_migrate_watch
from ansible_collections.nautobot_ops.lifecycle.tests.unit.plugins.modules.utils import run_module

LOG = "Running migrations:\n  Applying dcim.0070_a... OK\n  Applying ipam.0057_b..."
# What async_wrapper writes when the job starts, then the module's result when it ends.
RUNNING = {"started": 1, "finished": 0, "ansible_job_id": "j1"}
FAILED = {"failed": True, "rc": 1, "msg": "non-zero return code"}


def watch(tmp_path, job, wait=0, total=45):
    (tmp_path / "migrate.log").write_text(LOG)
    path = tmp_path / "j1"
    if job is not None:
        path.write_text(job if isinstance(job, str) else json.dumps(job))
    return run_module(nautobot_migrate_watch.main, {"log": str(tmp_path / "migrate.log"), "job": str(path), "total": total, "wait": wait})


def test_a_running_job_reports_its_progress_after_the_wait(tmp_path):
    started = time.time()
    failed, result = watch(tmp_path, RUNNING, wait=1)
    assert not failed and time.time() - started >= 1
    assert (result["finished"], result["applied"], result["running"], result["changed"]) == (False, 1, "ipam.0057_b", False)
    assert result["msg"] == "1 of 45 migrations applied, applying ipam.0057_b"


def test_an_ended_job_returns_at_once_naming_where_it_stopped(tmp_path):
    started = time.time()
    failed, result = watch(tmp_path, FAILED, wait=30, total=0)
    assert not failed and time.time() - started < 5
    assert result["finished"] is True
    assert result["msg"] == "1 migrations applied, stopped at ipam.0057_b; migrate has ended"


def test_a_results_file_being_written_is_not_the_end(tmp_path):
    failed, result = watch(tmp_path, '{"started": 1, "fin', wait=0)
    assert not failed and result["finished"] is False


def test_no_results_file_is_a_failure_not_an_endless_wait(tmp_path):
    failed, result = watch(tmp_path, None, wait=0)
    assert failed and "no async job results file" in result["msg"]


def watch_holding(tmp_path, holder_run):
    """One pass of run r1 over a running job, while `holder_run` holds the host: (taken, failed, result)."""
    from ansible_collections.nautobot_ops.lifecycle.plugins.modules import nautobot_upgrade_journal

    args = {"journal": str(tmp_path / "journal"), "root": "/opt/nautobot", "run_id": "r1", "lease": 600}
    failed, taken = run_module(nautobot_upgrade_journal.main, {
        "path": args["journal"], "root": args["root"], "state": "acquire", "run_id": holder_run, "holder": "ops@ctl", "lease": 5})
    assert not failed, taken
    (tmp_path / "migrate.log").write_text(LOG)
    (tmp_path / "j1").write_text(json.dumps(RUNNING))
    failed, result = run_module(nautobot_migrate_watch.main, dict(args, log=str(tmp_path / "migrate.log"), job=str(tmp_path / "j1"), wait=0))
    return taken, failed, result


@pytest.mark.skipif(os.geteuid() != 0, reason="the journal directory must be root's, as on a managed host")
def test_each_pass_renews_the_lease_of_the_run_holding_the_host(tmp_path):
    before = time.time()
    taken, failed, result = watch_holding(tmp_path, "r1")
    assert not failed and result["lease_error"] == "", result
    document = json.loads((tmp_path / "journal" / os.path.basename(taken["journal"])).read_text())
    assert document["lock"]["lease_until"] >= before + 600 and document["upgrade"]["migrations_applied"] == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="the journal directory must be root's, as on a managed host")
def test_a_lease_that_cannot_be_renewed_is_reported_not_failed(tmp_path):
    # Another run holds the host (it took over): the migrations go on, the pass says so.
    dummy, failed, result = watch_holding(tmp_path, "r2")
    assert not failed and "r2" in result["lease_error"], result
