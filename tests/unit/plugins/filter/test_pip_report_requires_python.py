# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest
from ansible_collections.nautobot_ops.lifecycle.plugins.filter.pip_report_requires_python import FilterModule, pip_report_requires_python

# `pip install --dry-run --no-deps --ignore-installed --ignore-requires-python --quiet --report - nautobot==3.2.7`
# (pip 26.3, PyPI), its long description cut to 200 characters.
REPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "pip", "report-dry-run-nautobot-3.2.7.json")


@pytest.fixture
def report():
    with open(REPORT) as handle:
        return handle.read()


def test_reads_the_captured_report(report):
    assert pip_report_requires_python(report) == ">=3.10,<3.15"


def test_report_after_other_lines(report):
    assert pip_report_requires_python("Looking in links: /srv/next-index\nWould install nautobot-3.2.7\n" + report) == ">=3.10,<3.15"


def test_name_is_compared_canonically(report):
    data = json.loads(report)
    data["install"][0]["metadata"]["name"] = "Nautobot"
    assert pip_report_requires_python(json.dumps(data)) == ">=3.10,<3.15"
    assert pip_report_requires_python(report, name="django") == ""


def test_only_the_version_asked_for(report):
    assert pip_report_requires_python(report, "nautobot", "3.2.7") == ">=3.10,<3.15"
    assert pip_report_requires_python(report, "nautobot", "3.3.0") == ""


def test_no_requires_python_is_empty(report):
    data = json.loads(report)
    del data["install"][0]["metadata"]["requires_python"]
    assert pip_report_requires_python(json.dumps(data)) == ""


@pytest.mark.parametrize("text", [
    "",
    None,
    "ERROR: No matching distribution found for nautobot==3.3.0",
    "\nno such option: --report",
    '{"install": [',
    "[1, 2]",
    '{"install": "x"}',
    '{"install": [{"metadata": null}]}',
])
def test_no_report_is_empty(text):
    assert pip_report_requires_python(text) == ""


def test_registered():
    assert FilterModule().filters()["pip_report_requires_python"] is pip_report_requires_python
