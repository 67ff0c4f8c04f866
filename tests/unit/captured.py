# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Captured ``nautobot-server`` output for the unit tests (``tests/unit/fixtures/nautobot_server``, see its README.md).

    from ansible_collections.nautobot_ops.lifecycle.tests.unit.captured import fixture

    stdout = fixture("showmigrations-plan-3.1.0-applied.txt")
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "nautobot_server")


def fixture(name):
    """The text of the captured output file ``name``."""
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()
