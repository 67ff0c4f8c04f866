# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: marked_facts
short_description: The facts a script of the role printed, from a registered command result
version_added: 0.1.0
description:
  - The role's scripts run through C(nautobot-server shell), whose output mixes Django's and the site's
    messages with theirs, and print their result as one JSON object on a line that starts with a marker.
  - Returns the object of the last such line of the result's C(stdout_lines), or an empty dictionary
    when the task did not run, printed none, or printed one that is not a JSON object.
author:
  - nautobot_ops maintainers (!UNKNOWN)
options:
  _input:
    description: A registered result (of M(nautobot_ops.lifecycle.nautobot_command)), or nothing.
    type: dict
    required: true
  marker:
    description: What the line starts with, followed by one space.
    type: str
    default: NAUTOBOT_OPS_FACTS
"""

EXAMPLES = r"""
- name: Read the dump's facts db_backup.py printed
  ansible.builtin.debug:
    msg: "{{ (__upgrade_dump_run | nautobot_ops.lifecycle.marked_facts).sha256 }}"
"""

RETURN = r"""
_value:
  description: The JSON object of the last marked line, or an empty dictionary.
  type: dict
"""

import json

from collections.abc import Mapping


def marked_facts(result, marker="NAUTOBOT_OPS_FACTS"):
    if not isinstance(result, Mapping):
        return {}
    prefix = marker + " "
    lines = [line for line in result.get("stdout_lines") or [] if isinstance(line, str) and line.startswith(prefix)]
    if not lines:
        return {}
    try:
        facts = json.loads(lines[-1][len(prefix):])
    except ValueError:
        return {}
    return facts if isinstance(facts, dict) else {}


class FilterModule(object):
    def filters(self):
        return {"marked_facts": marked_facts}
