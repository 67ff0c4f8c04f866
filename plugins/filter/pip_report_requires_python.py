# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: pip_report_requires_python
short_description: The Requires-Python of a package, from pip's installation report
version_added: 0.1.0
description:
  - Reads the JSON report of C(pip install --dry-run --no-deps --report -) (pip 22.2 and later) and returns the
    C(requires_python) of the distribution it would install under that name.
  - The role uses it for a Nautobot release newer than the collection's table taken from an index, so that the
    Python range checked is the one the package declares (pip reads only the package's metadata where the index
    serves it apart).
  - Returns an empty string when the text holds no report (an older pip, an error) or the report does not name
    the distribution, so the caller falls back to the collection's table.
author:
  - nautobot_ops maintainers (!UNKNOWN)
options:
  _input:
    description: What pip printed on standard output (the report may follow other lines).
    type: str
    required: true
  name:
    description: The distribution to read.
    type: str
    default: nautobot
  version:
    description: Read it only when the report's distribution is this version (a report kept from another release says nothing).
    type: str
"""

EXAMPLES = r"""
- name: The Requires-Python of the release pip would install
  ansible.builtin.debug:
    msg: "{{ pip_run.stdout | nautobot_ops.lifecycle.pip_report_requires_python }}"
"""

RETURN = r"""
_value:
  description: The C(Requires-Python) specifier, for example C(>=3.10,<3.15); empty when it cannot be read.
  type: str
"""

import json
import re


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name or "").lower()


def pip_report_requires_python(text, name="nautobot", version=None):
    start = re.search(r"^\{", text or "", re.MULTILINE)
    if not start:
        return ""
    try:
        report, _end = json.JSONDecoder().raw_decode(text[start.start():])
    except ValueError:
        return ""
    for item in report.get("install") or [] if isinstance(report, dict) else []:
        metadata = item.get("metadata") or {} if isinstance(item, dict) else {}
        if _canonical(metadata.get("name")) == _canonical(name) and (version is None or metadata.get("version") == version):
            return (metadata.get("requires_python") or "").strip()
    return ""


class FilterModule(object):
    def filters(self):
        return {"pip_report_requires_python": pip_report_requires_python}
