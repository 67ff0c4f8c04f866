# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.nautobot_ops.lifecycle.plugins.filter.marked_facts import FilterModule, marked_facts

# db_state.py through `nautobot-server shell` on a 3.2.7 host: Django's and an app's own output around the line.
STDOUT_LINES = [
    "15:02:11.481 INFO    nautobot.core.celery :",
    "  Registering job nautobot_ops_test.jobs.Hello",
    'NAUTOBOT_OPS_FACTS {"migrations": {"count": 461, "last_id": 472}, "baseline": {"count": 460, "last_id": 471},'
    ' "schema": "target"}',
    "now exiting InteractiveConsole...",
]


def test_the_last_marked_line_is_the_result():
    facts = marked_facts({"rc": 0, "stdout_lines": STDOUT_LINES})
    assert facts["schema"] == "target" and facts["migrations"] == {"count": 461, "last_id": 472}
    again = STDOUT_LINES + ['NAUTOBOT_OPS_FACTS {"schema": "previous"}']
    assert marked_facts({"stdout_lines": again}) == {"schema": "previous"}


def test_nothing_usable_is_an_empty_dict():
    # A skipped task, a result that is not one, a script that died before printing, a damaged line,
    # JSON that is not an object, a line that only contains the marker further on.
    for result in (None, "", {}, {"skipped": True}, {"stdout_lines": None},
                   {"stdout_lines": STDOUT_LINES[:2]},
                   {"stdout_lines": ["NAUTOBOT_OPS_FACTS {cut"]},
                   {"stdout_lines": ['NAUTOBOT_OPS_FACTS ["a"]']},
                   {"stdout_lines": ['echo NAUTOBOT_OPS_FACTS {"schema": "target"}']}):
        assert marked_facts(result) == {}, result


def test_another_marker():
    assert marked_facts({"stdout_lines": ['FINGERPRINT {"a": 1}']}, marker="FINGERPRINT") == {"a": 1}


def test_registered_as_a_filter():
    assert FilterModule().filters()["marked_facts"] is marked_facts
