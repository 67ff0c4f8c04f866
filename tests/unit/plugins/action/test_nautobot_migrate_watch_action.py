# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugin runs the module pass after pass, printing each, until the job ends or times out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from unittest.mock import MagicMock, patch

from ansible.playbook.task import Task

from ansible_collections.nautobot_ops.lifecycle.plugins.action import nautobot_migrate_watch as action


def plugin(args):
    task = Task()
    task.args = dict(args)
    task.async_val = 0
    return action.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)


def passes(*steps):
    return MagicMock(side_effect=[dict(step) for step in steps])


RUNNING = {"finished": False, "applied": 1, "total": 3, "msg": "1 of 3 migrations applied, applying ipam.0057", "lease_error": ""}
ENDED = {"finished": True, "applied": 3, "total": 3, "msg": "3 of 3 migrations applied; migrate has ended", "lease_error": ""}


def test_passes_until_the_job_ends_printing_each():
    module = plugin({"log": "/l", "job": "/j", "timeout": 600})
    module._execute_module = passes(RUNNING, dict(RUNNING, applied=2, lease_error="run r2 holds the host"), ENDED)
    with patch.object(action.display, "display") as shown:
        result = module.run(task_vars={"inventory_hostname": "web1"})
    assert result["finished"] is True and result["applied"] == 3 and not result.get("failed")
    assert module._execute_module.call_count == 3
    lines = [call.args[0] for call in shown.call_args_list]
    assert len(lines) == 3 and lines[0].startswith("[web1] 1 of 3 migrations applied, applying ipam.0057 (")
    assert lines[1].endswith("; lease not renewed: run r2 holds the host")
    assert lines[2].startswith("[web1] 3 of 3 migrations applied; migrate has ended (")


def test_a_failed_pass_ends_it_failed():
    module = plugin({"log": "/l", "job": "/j", "timeout": 600})
    module._execute_module = passes({"failed": True, "msg": "no async job results file at /j"})
    result = module.run(task_vars={})
    assert result["failed"] is True and "no async job results file" in result["msg"]


def test_past_the_timeout_it_fails_naming_the_progress():
    module = plugin({"log": "/l", "job": "/j", "timeout": 1})
    module._execute_module = passes(RUNNING, RUNNING)
    with patch.object(action.time, "time", side_effect=[0, 0.5, 2, 2, 2]), patch.object(action.display, "display"):
        result = module.run(task_vars={})
    assert result["failed"] is True and result["msg"].startswith("the migrations did not end within 1 s: 1 of 3")


def test_without_a_timeout_one_pass():
    module = plugin({"log": "/l", "job": "/j"})
    module._execute_module = passes(RUNNING)
    with patch.object(action.display, "display"):
        assert module.run(task_vars={})["finished"] is False
