# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import zipfile

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.nautobot_ops.lifecycle.plugins.filter.requires_python import FilterModule, requires_python

# The head of nautobot-3.2.7-py3-none-any.whl's METADATA (the wheel from PyPI), and a body line that looks like a header.
METADATA = """Metadata-Version: 2.3
Name: nautobot
Version: 3.2.7
Summary: Source of truth and network automation platform.
License: Apache-2.0
Keywords: Nautobot
Author: Network to Code
Author-email: <opensource@networktocode.com>
Requires-Python: >=3.10,<3.15
Classifier: Intended Audience :: Developers

# Nautobot
Requires-Python: in the description is not a header
"""


def wheel(tmp_path, files):
    path = tmp_path / "nautobot-3.3.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return str(path)


def test_reads_the_header_of_the_metadata(tmp_path):
    path = wheel(tmp_path, {"nautobot/__init__.py": "", "nautobot-3.3.0.dist-info/METADATA": METADATA})
    assert requires_python(path) == ">=3.10,<3.15"


def test_no_requires_python_is_empty(tmp_path):
    path = wheel(tmp_path, {"x-1.dist-info/METADATA": "Metadata-Version: 2.1\nName: x\nVersion: 1\n"})
    assert requires_python(path) == ""


def test_empty_path_is_empty():
    assert requires_python("") == ""


def test_not_a_wheel(tmp_path):
    path = tmp_path / "broken.whl"
    path.write_bytes(b"not a zip")
    with pytest.raises(AnsibleFilterError, match="cannot read the metadata of .*broken.whl"):
        requires_python(str(path))


def test_a_zip_without_metadata(tmp_path):
    path = wheel(tmp_path, {"README": "x", "deep/x.dist-info/METADATA": METADATA})
    with pytest.raises(AnsibleFilterError, match="is not a wheel: 0 .dist-info/METADATA"):
        requires_python(path)


def test_registered():
    assert FilterModule().filters()["requires_python"] is requires_python
