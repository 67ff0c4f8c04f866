# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: local_requirements
short_description: The local requirements (apps) each release of an upgrade path installs
version_added: 0.1.0
description:
  - Resolves O(upgrade_local_requirements) for every release of the path, before the first hop starts,
    so that a bad value is refused with nothing changed.
  - A list applies to every release. A mapping's keys are releases or their prefixes (C(3), C(3.1), C(3.1.8));
    the longest key that is a prefix of a release, component by component, gives that release's list.
  - A release no key matches is an error; so are unquoted minor keys (YAML reads C(3.10) as the number 3.1),
    keys that are not version prefixes, values that are not lists of non-empty strings, a line break (as pip
    splits lines), NUL or a final backslash in a requirement (one entry is one line of C(local_requirements.txt),
    never several), and pip options (C(--index-url), C(-r), C(-e)), since the sources are the role's pip variables.
  - Returns a mapping release -> list; an empty mapping when the value is not set (null or an empty string), and then
    the site's own C(local_requirements.txt) is carried over unchanged.
author:
  - nautobot_ops maintainers (!UNKNOWN)
options:
  _input:
    description: The value of O(upgrade_local_requirements).
    type: raw
    required: true
  releases:
    description: The releases of the upgrade path, in order.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: The apps of each hop of a path across a major release
  ansible.builtin.debug:
    msg: >-
      {{ {'2.4': ['nautobot-bgp-models==2.4.1'], '3': ['nautobot-bgp-models==3.2.0']}
         | nautobot_ops.lifecycle.local_requirements(['2.4.44', '3.2.7']) }}
"""

RETURN = r"""
_value:
  description: Each release of the path, mapped to its list of requirements; empty when the value is not set.
  type: dict
  sample: {"2.4.44": ["nautobot-bgp-models==2.4.1"], "3.2.7": ["nautobot-bgp-models==3.2.0"]}
"""

import re

from ansible.errors import AnsibleFilterError

_KEY = re.compile(r"^\d+(\.\d+){0,2}$")


def _check_list(value, where):
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise AnsibleFilterError("upgrade_local_requirements%s must be a list of requirements (one line of local_requirements.txt "
                                 "each), not %r: nothing was changed" % (where, value))
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise AnsibleFilterError("upgrade_local_requirements%s holds %r, which is not a requirement (a non-empty string): "
                                     "nothing was changed" % (where, item))
        # pip splits its file with str.splitlines() (form feed, U+2028 and others too) and joins a line ending in \.
        if len((item + "x").splitlines()) != 1 or "\x00" in item or item.rstrip().endswith("\\"):
            raise AnsibleFilterError("upgrade_local_requirements%s holds %r: a requirement is one line, without line breaks, "
                                     "NUL or a continuation: nothing was changed" % (where, item))
        # An option line (--index-url, -r, -c, -e) would change where Nautobot itself comes from, or install
        # what the switch does not move (an editable checkout lives in the venv's src/).
        if item.strip().startswith("-"):
            raise AnsibleFilterError("upgrade_local_requirements%s holds %r: entries are requirements, not pip options; give "
                                     "pip's sources with upgrade_pip_index_url, upgrade_pip_find_links or upgrade_pip_extra_args: "
                                     "nothing was changed" % (where, item))
    return [item.strip() for item in value]


def _matches(key, release):
    return release.split(".")[:len(key.split("."))] == key.split(".")


def local_requirements(value, releases):
    releases = [str(release) for release in releases]
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if not isinstance(value, dict):
        return dict((release, _check_list(value, "")) for release in releases)
    lists = {}
    for key, requirements in value.items():
        # YAML reads an unquoted 3.10 as the number 3.1: a minor is written as a string.
        if isinstance(key, float):
            raise AnsibleFilterError("upgrade_local_requirements: the key %r is a number; quote it ('%s'), as YAML reads "
                                     "3.10 as 3.1: nothing was changed" % (key, key))
        key = str(key).strip()
        if not _KEY.match(key):
            raise AnsibleFilterError("upgrade_local_requirements: the key %r is not a release or a prefix of one "
                                     "(3, 3.2 or 3.2.7, quoted in YAML): nothing was changed" % key)
        if key in lists:
            raise AnsibleFilterError("upgrade_local_requirements: the key %r is given twice: nothing was changed" % key)
        lists[key] = _check_list(requirements, "[%r]" % key)
    plan = {}
    for release in releases:
        keys = sorted((key for key in lists if _matches(key, release)), key=lambda key: key.count("."), reverse=True)
        if not keys:
            raise AnsibleFilterError("upgrade_local_requirements has no entry for Nautobot %s (its keys: %s): add the release, "
                                     "its minor (%s) or its major (%s); nothing was changed"
                                     % (release, ", ".join(sorted(lists)) or "none", ".".join(release.split(".")[:2]),
                                        release.split(".")[0]))
        plan[release] = lists[keys[0]]
    return plan


class FilterModule(object):
    def filters(self):
        return {"local_requirements": local_requirements}
