# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PEP 440 version parsing and ordering for the forms Nautobot releases use.

Managed hosts may lack the ``packaging`` library, so this is stdlib only. Supported:
``X.Y[.Z...]``, pre-releases ``aN``/``bN``/``rcN`` (and the ``alpha``/``beta``/``c``/``pre``
spellings and ``-``/``.``/``_`` separators that PEP 440 normalises, as in git tags like
``v3.0.0-rc.1``), post-releases ``.postN`` and dev releases ``.devN``; a leading ``v`` is accepted.
Epochs and local versions are not: Nautobot has never published either.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import re


_VERSION_RE = re.compile(
    r"""
    ^\s*v?
    (?P<release>[0-9]+(?:\.[0-9]+)+)
    (?:[-_.]?(?P<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?:-(?P<post_implicit>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n>[0-9]+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    \s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)

_PRE_NORMAL = {"a": "a", "alpha": "a", "b": "b", "beta": "b", "c": "rc", "rc": "rc", "pre": "rc", "preview": "rc"}
_PRE_ORDER = {"a": 0, "b": 1, "rc": 2}

# Leading dotted number of a free-form version banner, e.g. "15.14 (Debian 15.14-0+deb12u1)",
# "8.0.36-0ubuntu0.22.04.1" or "PostgreSQL 15.4 on x86_64-pc-linux-gnu".
_NUMBERS_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


class InvalidVersion(ValueError):
    """Raised for a string that is not a version in the supported PEP 440 forms."""


@functools.total_ordering
class NautobotVersion:
    """A parsed version: ``release`` (tuple of ints), ``pre`` (('a'|'b'|'rc', n) or None), ``post`` and ``dev`` (int or None)."""

    def __init__(self, text):
        match = _VERSION_RE.match(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidVersion("'%s' is not a valid Nautobot version" % (text,))
        self.release = tuple(int(part) for part in match.group("release").split("."))
        self.pre = None
        if match.group("pre_l"):
            self.pre = (_PRE_NORMAL[match.group("pre_l").lower()], int(match.group("pre_n") or 0))
        self.post = None
        if match.group("post_implicit"):
            self.post = int(match.group("post_implicit"))
        elif match.group("post_l"):
            self.post = int(match.group("post_n") or 0)
        self.dev = int(match.group("dev_n") or 0) if match.group("dev_l") else None

    @property
    def major(self):
        return self.release[0]

    @property
    def minor(self):
        return self.release[1]

    @property
    def series(self):
        """The release series ``X.Y`` this version belongs to."""
        return "%d.%d" % (self.major, self.minor)

    @property
    def base(self):
        """Release numbers alone, for finding the series a pre-release belongs to: 2.0.0rc1 -> (2,)."""
        return release_key(self.release)

    def _key(self):
        # Same ordering as packaging.version: a dev-only release sorts before all pre-releases
        # of that release, a final release after them; post-releases after the final release.
        if self.pre is None and self.post is None and self.dev is not None:
            pre = (-1, 0)
        elif self.pre is None:
            pre = (3, 0)
        else:
            pre = (_PRE_ORDER[self.pre[0]], self.pre[1])
        post = -1 if self.post is None else self.post
        dev = (1, 0) if self.dev is None else (0, self.dev)
        return (release_key(self.release), pre, post, dev)

    def __eq__(self, other):
        if not isinstance(other, NautobotVersion):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other):
        if not isinstance(other, NautobotVersion):
            return NotImplemented
        return self._key() < other._key()

    def __hash__(self):
        return hash(self._key())

    def __str__(self):
        text = ".".join(str(part) for part in self.release)
        if self.pre is not None:
            text += "%s%d" % self.pre
        if self.post is not None:
            text += ".post%d" % self.post
        if self.dev is not None:
            text += ".dev%d" % self.dev
        return text

    def __repr__(self):
        return "NautobotVersion(%r)" % str(self)


def release_key(numbers):
    """Release numbers without trailing zeros, so that 3.2 == 3.2.0 compare equal."""
    numbers = list(numbers)
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def extract_numbers(text):
    """Leading dotted number of a version banner as a tuple of ints, or None when there is none."""
    match = _NUMBERS_RE.search(text or "")
    if match is None:
        return None
    return tuple(int(part) for part in match.group(0).split("."))


def format_numbers(numbers):
    return ".".join(str(part) for part in numbers)
