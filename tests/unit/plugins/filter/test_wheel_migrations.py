# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import zipfile

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.nautobot_ops.lifecycle.plugins.filter.wheel_migrations import FilterModule, wheel_migrations

# Names as nautobot-3.2.7-py3-none-any.whl holds them (PyPI), with what must not count.
NAMES = [
    "nautobot/dcim/migrations/__init__.py",
    "nautobot/dcim/migrations/0001_initial_part_1.py",
    "nautobot/dcim/migrations/0076_rename_slug_to_key.py",
    "nautobot/extras/migrations/0125_jobresult_date_started.py",
    "nautobot/load_balancers/migrations/0001_initial.py",
    # A test app's migrations, a compiled file, a module beside them, another package's.
    "nautobot/data_validation/tests/migrations/0001_initial.py",
    "nautobot/dcim/migrations/__pycache__/0001_initial_part_1.cpython-312.pyc",
    "nautobot/dcim/migrations/_helpers.py",
    "nautobot_plugin/migrations/0001_initial.py",
    "nautobot-3.2.7.dist-info/METADATA",
]


def wheel(tmp_path, names):
    path = tmp_path / "nautobot-3.2.7-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "")
    return str(path)


def test_the_releases_own_migrations(tmp_path):
    assert wheel_migrations(wheel(tmp_path, NAMES)) == [
        "dcim.0001_initial_part_1", "dcim.0076_rename_slug_to_key", "extras.0125_jobresult_date_started",
        "load_balancers.0001_initial"]


def test_no_wheel_is_no_migrations():
    assert wheel_migrations("") == []


def test_an_unreadable_wheel_is_an_error(tmp_path):
    damaged = tmp_path / "nautobot-3.2.7-py3-none-any.whl"
    damaged.write_bytes(b"PK cut short")
    with pytest.raises(AnsibleFilterError, match="cannot read"):
        wheel_migrations(str(damaged))
    with pytest.raises(AnsibleFilterError, match="cannot read"):
        wheel_migrations(str(tmp_path / "missing.whl"))


def test_registered_as_a_filter():
    assert FilterModule().filters()["wheel_migrations"] is wheel_migrations
