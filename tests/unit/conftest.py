# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make ``ansible_collections.nautobot_ops.lifecycle`` importable for a plain ``pytest tests/unit``.

ansible-test and a checkout at ``ansible_collections/nautobot_ops/lifecycle`` need nothing. Otherwise
the first ANSIBLE_COLLECTIONS_PATH entry whose ``ansible_collections/nautobot_ops/lifecycle`` is this
tree goes first on sys.path; failing that, such a link is made under the temporary directory, outside
the tree (a link inside it would make tools that walk the tree loop).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import sys
import tempfile

COLLECTION = "ansible_collections.nautobot_ops.lifecycle"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _importable():
    try:
        __import__(COLLECTION + ".plugins.module_utils.nautobot_releases")
    except ImportError:
        return False
    return True


def _collections_root():
    """A directory holding ansible_collections/nautobot_ops/lifecycle -> this tree."""
    for root in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        link = os.path.join(root, "ansible_collections", "nautobot_ops", "lifecycle")
        if root and os.path.realpath(link) == os.path.realpath(REPO):
            return root
    digest = hashlib.sha256(REPO.encode("utf-8")).hexdigest()[:12]
    root = os.path.join(tempfile.gettempdir(), "nautobot_ops-lifecycle-%s" % digest)
    parent = os.path.join(root, "ansible_collections", "nautobot_ops")
    link = os.path.join(parent, "lifecycle")
    if os.path.realpath(link) != os.path.realpath(REPO):
        os.makedirs(parent, exist_ok=True)
        staged = "%s.%d" % (link, os.getpid())
        os.symlink(REPO, staged)
        os.replace(staged, link)  # atomic, so parallel runs never see a half-made link
    return root


if not _importable():
    sys.path.insert(0, _collections_root())
    for name in list(sys.modules):
        if name == "ansible_collections" or name.startswith("ansible_collections."):
            del sys.modules[name]
