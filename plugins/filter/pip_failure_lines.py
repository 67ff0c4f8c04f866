# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: pip_failure_lines
short_description: The lines of a failed pip install that say why
version_added: 0.1.0
description:
  - From the result of a failed C(pip install), the C(ERROR) lines of its standard error (warnings and notices
    left out) and, for a dependency conflict, the paragraph C(The conflict is caused by) that pip prints on
    standard output, which names each requirement in the conflict (an app that needs another Nautobot, say).
  - Falls back to the result's C(msg) when pip said nothing of the kind.
author:
  - nautobot_ops maintainers (!UNKNOWN)
options:
  _input:
    description: The registered result of the pip command (C(stdout), C(stderr), C(msg)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Say why pip failed
  ansible.builtin.debug:
    msg: "{{ pip_run | nautobot_ops.lifecycle.pip_failure_lines | join(' | ') }}"
"""

RETURN = r"""
_value:
  description: The lines, stripped, at most 4 of standard error and 8 of the conflict.
  type: list
  elements: str
"""

_NOISE = ("WARNING", "DEPRECATION", "[notice]")


def pip_failure_lines(result):
    result = result if isinstance(result, dict) else {}
    errors = [line.strip() for line in (result.get("stderr") or "").splitlines()
              if line.strip() and not line.strip().startswith(_NOISE)]
    conflict, inside = [], False
    for line in (result.get("stdout") or "").splitlines():
        if line.startswith("The conflict is caused by:"):
            inside = True
            conflict.append(line.strip())
        elif inside and line[:1].isspace() and line.strip():
            conflict.append(line.strip())
        elif inside:
            break
    return (errors[-4:] + conflict[:8]) or [result.get("msg") or "pip failed"]


class FilterModule(object):
    def filters(self):
        return {"pip_failure_lines": pip_failure_lines}
