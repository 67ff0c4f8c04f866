# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: requires_python
short_description: The Requires-Python of a wheel, from its own metadata
version_added: 0.1.0
description:
  - Reads the C(Requires-Python) field of the C(METADATA) file in a wheel's C(.dist-info) directory.
  - The role uses it for a Nautobot release newer than the collection's table, so that the Python range
    checked is the one the package itself declares.
  - Returns an empty string when the path is empty, or the wheel declares no C(Requires-Python).
author:
  - nautobot_ops maintainers (!UNKNOWN)
options:
  _input:
    description: Path of the wheel file, on the controller.
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Read the range of Python versions the target release declares
  ansible.builtin.debug:
    msg: "{{ '/srv/wheelhouse/nautobot-3.3.0-py3-none-any.whl' | nautobot_ops.lifecycle.requires_python }}"
"""

RETURN = r"""
_value:
  description: The C(Requires-Python) specifier, for example C(>=3.10,<3.15); empty when there is none.
  type: str
"""

import zipfile
from email.parser import HeaderParser

from ansible.errors import AnsibleFilterError


def requires_python(path):
    if not path:
        return ""
    try:
        with zipfile.ZipFile(path) as wheel:
            names = [name for name in wheel.namelist() if name.count("/") == 1 and name.endswith(".dist-info/METADATA")]
            if len(names) != 1:
                raise AnsibleFilterError("%s is not a wheel: %d .dist-info/METADATA files in it" % (path, len(names)))
            metadata = HeaderParser().parsestr(wheel.read(names[0]).decode("utf-8"))
    except (OSError, zipfile.BadZipFile) as error:
        raise AnsibleFilterError("cannot read the metadata of %s: %s" % (path, error))
    return (metadata.get("Requires-Python") or "").strip()


class FilterModule(object):
    def filters(self):
        return {"requires_python": requires_python}
