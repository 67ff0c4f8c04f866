# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What this collection knows about Nautobot releases, as data, and pure functions over it.

Every ``source`` names where a row comes from: ``<tag> <path>`` in https://github.com/nautobot/nautobot,
paths under ``nautobot/docs/`` except ``pyproject.toml`` (``next`` is the branch 3.2 was prepared on).
Adding a Nautobot release series, or a patch release that changes a requirement, is one row in
RELEASES; a new major version is one row in MAJOR_UPGRADES as well.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections import namedtuple

from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_version_utils import (
    NautobotVersion,
    extract_numbers,
    format_numbers,
    release_key,
)


RELEASE_NOTES_URL = "https://docs.nautobot.com/projects/core/en/stable/release-notes/version-%s/"

# A row holds from `since` up to the next row. python_max is exclusive; mysql None: MySQL unsupported.
Release = namedtuple("Release", ["since", "python_min", "python_max", "postgresql", "mysql", "redis", "source"])

RELEASES = (
    # since, python_min, python_max (exclusive), postgresql, mysql, redis,
    # source
    Release("1.0.0", "3.6", "3.9", "9.6", None, "4.0",
            "v1.0.3 installation/index.md; pyproject.toml classifiers 3.6-3.8"),
    Release("1.1.0", "3.6", "3.10", "9.6", "8.0", "4.0",
            "v1.1.6 installation/index.md; pyproject.toml classifiers 3.6-3.9"),
    Release("1.2.0", "3.6", "3.10", "9.6", "8.0", "4.0",
            "v1.2.11 installation/index.md; pyproject.toml classifiers 3.6-3.9"),
    Release("1.3.0", "3.7", "3.11", "9.6", "8.0", "4.0",
            "v1.3.10 installation/index.md; release-notes/version-1.3.md (3.10 added, 3.6 dropped)"),
    Release("1.4.0", "3.7", "3.11", "9.6", "8.0", "4.0",
            "v1.4.10 installation/index.md; pyproject.toml classifiers 3.7-3.10"),
    Release("1.5.0", "3.7", "3.11", "9.6", "8.0", "4.0",
            "v1.5.24 installation/index.md; pyproject.toml classifiers 3.7-3.10"),
    Release("1.6.0", "3.8", "3.12", "9.6", "8.0", "4.0",
            "v1.6.32 installation/index.md; pyproject.toml python >=3.8,<3.12"),
    Release("2.0.0", "3.8", "3.12", "9.6", "8.0", "4.0",
            "v2.0.6 user-guide/administration/installation/index.md; pyproject.toml python >=3.8,<3.12"),
    Release("2.1.0", "3.8", "3.12", "12", "8.0", "4.0",
            "v2.1.9 user-guide/administration/installation/index.md; pyproject.toml python >=3.8,<3.12"),
    Release("2.2.0", "3.8", "3.12", "12", "8.0", "4.0",
            "v2.2.9 user-guide/administration/installation/index.md; pyproject.toml python >=3.8,<3.12"),
    Release("2.3.0", "3.8", "3.13", "12", "8.0", "4.0",
            "v2.3.16 user-guide/administration/installation/index.md; pyproject.toml python >=3.8,<3.13"),
    Release("2.4.0", "3.9", "3.13", "12", "8.0", "4.0",
            "v2.4.0 user-guide/administration/installation/index.md; pyproject.toml python >=3.9,<3.13"),
    Release("2.4.6", "3.9.2", "3.13", "12", "8.0", "4.0",
            "v2.4.6 pyproject.toml python >=3.9.2,<3.13; release-notes/version-2.4.md #7019"),
    Release("2.4.20", "3.10", "3.13", "12", "8.0", "4.0",
            "v2.4.20 pyproject.toml python >=3.10,<3.13; release-notes/version-2.4.md #7915"),
    Release("3.0.0", "3.10", "3.14", "12", "8.0", "4.0",
            "v3.0.11 user-guide/administration/installation/index.md; pyproject.toml python >=3.10,<3.14"),
    Release("3.1.0", "3.10", "3.15", "14", "8.0.11", "4.0",
            "v3.1.6 user-guide/administration/installation/index.md; pyproject.toml python >=3.10,<3.15"),
    Release("3.2.0", "3.10", "3.15", "14", "8.0.11", "4.0",
            "next user-guide/administration/installation/index.md; pyproject.toml python >=3.10,<3.15"),
)

# Crossing into `major` needs `min_from` or later installed first; `via` is the series the upgrade
# guide recommends stopping at, `step` says so in words. Commands are (lowest version that has the
# command, arguments to nautobot-server): pre_commands run on the installation before the crossing,
# post_commands after migrating to the new major version.
MajorUpgrade = namedtuple("MajorUpgrade", ["major", "min_from", "via", "step", "pre_commands", "post_commands", "source"])

MAJOR_UPGRADES = (
    MajorUpgrade(
        major=2,
        min_from="1.5.23",
        via="1.6",
        step="the latest 1.6.x (at least 1.5.23)",
        pre_commands=(("1.5.23", "pre_migrate"),),
        post_commands=(("2.0.0", "audit_dynamic_groups"), ("2.0.2", "audit_graphql_queries")),
        source="next user-guide/administration/upgrading/upgrading.md (latest 1.x, v1.6.32, first),"
               " upgrading/from-v1/upgrading-from-nautobot-v1.md, tools/nautobot-server.md (pre_migrate from 1.5.23)",
    ),
    MajorUpgrade(
        major=3,
        min_from="2.4.15",
        via="2.4",
        step="2.4.15 or later (latest 2.4.x)",
        pre_commands=(("2.4.15", "check_job_approval_status"),),
        post_commands=(("3.0.0", "validate_models extras.dynamicgroup extras.savedview"),),
        source="next user-guide/administration/upgrading/from-v2/index.md"
               " (Jobs Approval Process: at least 2.4.15; Filter Fields: validate_models)",
    ),
)

_COMPONENTS = (
    ("python", "Python"),
    ("postgresql", "PostgreSQL"),
    ("mysql", "MySQL"),
    ("redis", "Redis"),
)


def _series_key(text):
    return tuple(int(part) for part in text.split(".")[:2])


def _version_series_key(version):
    return (version.major, version.minor)


def _compare(left, right):
    """Compare two tuples of ints as versions, missing parts counting as 0."""
    width = max(len(left), len(right))
    left = tuple(left) + (0,) * (width - len(left))
    right = tuple(right) + (0,) * (width - len(right))
    return (left > right) - (left < right)


def known_series():
    """Release series ("X.Y") this collection knows, oldest first."""
    series = []
    for row in RELEASES:
        name = NautobotVersion(row.since).series
        if name not in series:
            series.append(name)
    return series


def find_release(version):
    """The RELEASES row that holds for ``version``, or None when its series is not known."""
    if version.series not in known_series():
        return None
    found = None
    for row in RELEASES:
        if release_key(NautobotVersion(row.since).release) <= version.base:
            found = row
    return found


def rules_for_unknown(version):
    """The RELEASES row whose rules a release newer than the table takes, or None.

    A newer minor of a known major takes the newest row of that major; a release of a major newer
    than every known one takes the newest row (it is only used with the operator's opt-in).
    """
    newest = NautobotVersion(RELEASES[-1].since)
    if version.major > newest.major:
        return RELEASES[-1]
    same_major = [row for row in RELEASES if NautobotVersion(row.since).major == version.major]
    if same_major and _version_series_key(version) > _series_key(same_major[-1].since):
        return same_major[-1]
    return None


def python_range(requires_python):
    """(min, max_exclusive) from a Requires-Python specifier such as ``>=3.10,<3.15``; None for a bound it lacks."""
    low = high = None
    for clause in (requires_python or "").split(","):
        clause = clause.strip().replace(" ", "")
        for operator in (">=", "~=", "<"):
            if clause.startswith(operator) and extract_numbers(clause[len(operator):]) is not None:
                bound = format_numbers(extract_numbers(clause[len(operator):]))
                if operator == "<":
                    high = bound
                else:
                    low = bound
                break
    return low, high


def derived_release(row, target, requires_python):
    """A row for ``target`` from the rules of ``row``, Python from the package's Requires-Python when given.

    Returns (release, origin): origin names, per requirement, where it comes from.
    """
    table = "table (Nautobot %s)" % NautobotVersion(row.since).series
    low, high = python_range(requires_python)
    release = row._replace(
        python_min=low or row.python_min,
        python_max=high or row.python_max,
        source="%s: package metadata Requires-Python %s; the rest as %s"
        % (target, requires_python, row.source) if requires_python else "%s: as %s" % (target, row.source),
    )
    python = "package metadata (Requires-Python %s)" % requires_python if (low or high) else table
    return release, {"python": python, "postgresql": table, "mysql": table, "redis": table}


def requirements(release, origin=None):
    """Requirements of a RELEASES row in the shape the nautobot_version module returns."""
    if release is None:
        return {}
    series = NautobotVersion(release.since).series
    table = "table (Nautobot %s)" % series
    return {
        "python": {"min": release.python_min, "max_exclusive": release.python_max},
        "postgresql": release.postgresql,
        "mysql": release.mysql,
        "redis": release.redis,
        "source": release.source,
        "origin": origin or {"python": table, "postgresql": table, "mysql": table, "redis": table},
    }


def check_requirements(release, target, facts):
    """Sentences for every fact in ``facts`` (component -> version banner) ``release`` does not accept."""
    violations = []
    for component, label in _COMPONENTS:
        text = facts.get(component)
        if text is None:
            continue
        numbers = extract_numbers(text)
        if numbers is None:
            violations.append("'%s' is not a valid %s version." % (text, label))
            continue
        found = format_numbers(numbers)
        if component == "python":
            low, high = extract_numbers(release.python_min), extract_numbers(release.python_max)
            if _compare(numbers, low) < 0 or _compare(numbers, high) >= 0:
                violations.append(
                    "Python %s is not supported by Nautobot %s, which needs Python >= %s, < %s."
                    % (found, target, release.python_min, release.python_max)
                )
            continue
        minimum = getattr(release, component)
        if component == "mysql" and minimum is None:
            violations.append("Nautobot %s does not support MySQL (MySQL %s found)." % (target, found))
        elif component == "mysql" and "mariadb" in text.lower():
            violations.append("MariaDB (%s) is not supported by Nautobot; it needs MySQL %s or later." % (text, minimum))
        elif _compare(numbers, extract_numbers(minimum)) < 0:
            violations.append(
                "%s %s is older than %s %s, the minimum for Nautobot %s." % (label, found, label, minimum, target)
            )
    return violations


def _major_upgrade(major):
    for row in MAJOR_UPGRADES:
        if row.major == major:
            return row
    return None


def _available(commands, version):
    return [command for since, command in commands if version >= NautobotVersion(since)]


def _reached(major, target):
    """The version an upgrade stops at in ``major``: the target, or the next major's stepping stone."""
    if major == target.major:
        return target
    following = _major_upgrade(major + 1)
    return NautobotVersion(following.min_from if following else "%d.0" % major)


def _stop(row, required):
    return {
        "series": row.via,
        "min_version": row.min_from,
        "description": row.step,
        "required": required,
        "source": row.source,
    }


def upgrade_path(current, target, allow_unknown_release=False):
    """Steps from ``current`` up to ``target`` (NautobotVersion, current < target).

    Returns (path, violations, pre_commands, post_commands): path is a list of step dicts ending
    with the target; violations has a sentence naming the full path when required steps are missing.
    A major version without a MAJOR_UPGRADES row is a violation unless ``allow_unknown_release``.
    """
    path, violations, pre_commands, post_commands = [], [], [], []
    before = current
    for major in range(current.major + 1, target.major + 1):
        row = _major_upgrade(major)
        if row is None:
            if not allow_unknown_release:
                violations.append(
                    "No upgrade path to Nautobot %d.x is known to this collection: its upgrade guide may need steps"
                    " (stops, commands) the collection does not take. Read it, then set upgrade_allow_unknown_release:"
                    " true (module option allow_unknown_release) to go on directly, or use a release of the"
                    " collection that knows %d.x." % (major, major)
                )
        else:
            min_from = NautobotVersion(row.min_from)
            if before < min_from:
                path.append(_stop(row, required=True))
                before = min_from
            elif _version_series_key(before) < _series_key(row.via):
                path.append(_stop(row, required=False))
            pre_commands.extend(_available(row.pre_commands, before))
            post_commands.extend(_available(row.post_commands, _reached(major, target)))
        before = NautobotVersion("%d.0" % major)
    path.append(_target_step(target))
    required = [step["description"] for step in path if step["required"]]
    if len(required) > 1:
        violations.append(
            "Nautobot %s cannot be reached from %s directly: upgrade to %s first; the path is %s."
            % (target, current, required[0], " -> ".join([str(current)] + required))
        )
    return path, violations, pre_commands, post_commands


def _target_step(target):
    return {
        "series": target.series,
        "min_version": str(target),
        "description": str(target),
        "required": True,
        "source": RELEASE_NOTES_URL % target.series,
    }


def release_notes(current, target):
    """Release-notes URLs of the series an upgrade crosses: current's excluded, target's included.

    Within one series, that series' page (it holds the patch release notes).
    """
    if _version_series_key(current) == _version_series_key(target):
        return [RELEASE_NOTES_URL % target.series]
    series = known_series()
    if target.series not in series:
        series.append(target.series)
    low, high = _version_series_key(current), _version_series_key(target)
    return [RELEASE_NOTES_URL % name for name in series if low < _series_key(name) <= high]


def plan(current, target, allow_downgrade=False, facts=None, requires_python=None, allow_unknown_release=False):
    """Everything the nautobot_version module returns, from version strings and host facts.

    A release newer than the table (the next minor) is planned with the rules of the newest known
    series of its major and Python from ``requires_python`` (the target package's metadata), with a
    warning; a new major only with ``allow_unknown_release``.
    Raises InvalidVersion (its message names the string) when ``current`` or ``target`` is not a version.
    """
    current_version, target_version = NautobotVersion(current), NautobotVersion(target)
    release, origin, warnings = find_release(target_version), None, []
    unknown_rules = rules_for_unknown(target_version) if release is None else None
    new_major = target_version.major > NautobotVersion(RELEASES[-1].since).major
    if unknown_rules is not None and (allow_unknown_release or not new_major):
        release, origin = derived_release(unknown_rules, target_version, requires_python)
        warnings.append(
            "Nautobot %s is newer than the releases this collection knows (up to %s): planned with the rules of %s,"
            " Python %s from %s. Read %s before upgrading."
            % (target_version, NautobotVersion(unknown_rules.since).series, NautobotVersion(unknown_rules.since).series,
               ">= %s, < %s" % (release.python_min, release.python_max), origin["python"],
               RELEASE_NOTES_URL % target_version.series)
        )
    result = {
        "current": str(current_version),
        "target": str(target_version),
        "action": "none",
        "major_change": current_version.major != target_version.major,
        "requirements": requirements(release, origin),
        "warnings": warnings,
        "path": [],
        "pre_commands": [],
        "post_commands": [],
        "release_notes": [],
    }
    violations = []
    if target_version > current_version:
        path, path_violations, pre_commands, post_commands = upgrade_path(current_version, target_version, allow_unknown_release)
        result.update(
            action="upgrade",
            path=path,
            pre_commands=pre_commands,
            post_commands=post_commands,
            release_notes=release_notes(current_version, target_version),
        )
        violations.extend(path_violations)
    elif target_version < current_version:
        result.update(action="downgrade", path=[_target_step(target_version)])
        if not allow_downgrade:
            violations.append(
                "Nautobot %s is older than the installed %s; set allow_downgrade to downgrade"
                " (the database must then be restored from a backup made with %s)."
                % (target_version, current_version, target_version)
            )
    said = any(v.startswith("No upgrade path to Nautobot") for v in violations)  # names the opt-in already
    if release is None and new_major:
        if not said:
            violations.append(
                "Nautobot %s is a major release this collection does not know (it knows %s to %s): set"
                " upgrade_allow_unknown_release: true (module option allow_unknown_release) to plan it with the rules"
                " of %s, or use a release of the collection that knows it."
                % (target_version, known_series()[0], known_series()[-1], known_series()[-1])
            )
    elif release is None:
        violations.append(
            "Nautobot %s is not in a release series this collection knows (%s to %s)."
            % (target_version, known_series()[0], known_series()[-1])
        )
    else:
        violations.extend(check_requirements(release, target_version, facts or {}))
    result["violations"] = violations
    return result
