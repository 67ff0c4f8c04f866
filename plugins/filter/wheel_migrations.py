# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: wheel_migrations
short_description: The Django migrations a Nautobot wheel ships, without installing it
version_added: 0.1.0
description:
  - Lists the migration modules of Nautobot's own apps in a wheel (C(nautobot/<app>/migrations/<name>.py)),
    as C(app.name), so that the plan can say how many migrations an upgrade will apply before the new
    release is built (check mode builds nothing).
  - Only Nautobot's own. The migrations of the libraries it depends on (Django, Celery beat, ...) and of
    the site's apps are known once the new release is installed.
  - Returns an empty list when the path is empty.
author:
  - nautobot_ops maintainers (!UNKNOWN)
options:
  _input:
    description: Path of the wheel file, on the controller.
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Count the migrations of 3.2.7 the database has not applied
  ansible.builtin.debug:
    msg: >-
      {{ '/srv/wheelhouse/nautobot-3.2.7-py3-none-any.whl' | nautobot_ops.lifecycle.wheel_migrations
         | difference(applied) | length }}
"""

RETURN = r"""
_value:
  description: The migrations, as C(app.name), sorted.
  type: list
  elements: str
"""

import re
import zipfile

from ansible.errors import AnsibleFilterError

# One level below nautobot/: test apps' migrations (nautobot/<app>/tests/migrations) are not the release's.
MIGRATION = re.compile(r"^nautobot/(?P<app>[a-z_]+)/migrations/(?P<name>\d{4}_\w+)\.py$")


def wheel_migrations(path):
    if not path:
        return []
    try:
        with zipfile.ZipFile(path) as wheel:
            names = wheel.namelist()
    except (OSError, zipfile.BadZipFile) as error:
        raise AnsibleFilterError("cannot read %s: %s" % (path, error))
    found = (MIGRATION.match(name) for name in names)
    return sorted("%s.%s" % (match.group("app"), match.group("name")) for match in found if match)


class FilterModule(object):
    def filters(self):
        return {"wheel_migrations": wheel_migrations}
