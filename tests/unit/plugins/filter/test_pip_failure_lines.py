# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.nautobot_ops.lifecycle.plugins.filter.pip_failure_lines import FilterModule, pip_failure_lines

# `pip install --dry-run nautobot==3.1.8 -r <file holding nautobot-bgp-models==2.4.1>` (pip 26.3, PyPI): the end of
# its standard output, and its standard error with two of the warnings this machine's pip configuration adds.
CAPTURED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "pip", "install-conflict-bgp-models-2.4.1-nautobot-3.1.8")


def captured(stream):
    with open("%s.%s.txt" % (CAPTURED, stream)) as handle:
        return handle.read()


def test_a_conflict_names_the_app_and_what_it_needs():
    lines = pip_failure_lines({"rc": 1, "stdout": captured("stdout"), "stderr": captured("stderr"), "msg": "pip exited 1"})
    assert lines == [
        "ERROR: Cannot install -r /tmp/lr.txt (line 1) and nautobot==3.1.8 because these package versions have conflicting dependencies.",
        "ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts",
        "The conflict is caused by:",
        "The user requested nautobot==3.1.8",
        "nautobot-bgp-models 2.4.1 depends on nautobot<3.0.0 and >=2.4.20",
    ]


def test_a_missing_package():
    stderr = ("WARNING: Retrying ...\nERROR: Could not find a version that satisfies the requirement app==9.9.9 (from versions: none)\n"
              "ERROR: No matching distribution found for app==9.9.9\n\n[notice] A new release of pip is available\n")
    assert pip_failure_lines({"stdout": "Looking in links: /w\n", "stderr": stderr}) == [
        "ERROR: Could not find a version that satisfies the requirement app==9.9.9 (from versions: none)",
        "ERROR: No matching distribution found for app==9.9.9",
    ]


def test_at_most_four_error_lines_the_last_ones():
    stderr = "\n".join("ERROR: %d" % n for n in range(10))
    assert pip_failure_lines({"stderr": stderr}) == ["ERROR: 6", "ERROR: 7", "ERROR: 8", "ERROR: 9"]


def test_nothing_said_falls_back_to_the_message():
    assert pip_failure_lines({"stdout": "", "stderr": "WARNING: x\n", "msg": "pip not found or not executable"}) == [
        "pip not found or not executable"]
    assert pip_failure_lines({}) == ["pip failed"]
    assert pip_failure_lines(None) == ["pip failed"]


def test_registered():
    assert FilterModule().filters()["pip_failure_lines"] is pip_failure_lines
