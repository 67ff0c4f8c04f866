# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random

import pytest

from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_releases import (
    MAJOR_UPGRADES,
    RELEASES,
    check_requirements,
    find_release,
    known_series,
    plan,
    python_range,
    release_notes,
    upgrade_path,
)
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_version_utils import (
    InvalidVersion,
    NautobotVersion,
    extract_numbers,
)

NOTES = "https://docs.nautobot.com/projects/core/en/stable/release-notes/version-%s/"


def V(text):
    return NautobotVersion(text)


# --- parsing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, normalised", [
    ("1.5.23", "1.5.23"),
    ("1.6.32", "1.6.32"),
    ("2.4.44", "2.4.44"),
    ("3.2.10", "3.2.10"),
    ("v3.2.7", "3.2.7"),
    ("3.2", "3.2"),
    ("2.0.0rc1", "2.0.0rc1"),
    ("1.0.0b4", "1.0.0b4"),
    ("3.1.0a5", "3.1.0a5"),
    ("3.1.7a0", "3.1.7a0"),
    ("v3.0.0-alpha.2", "3.0.0a2"),
    ("v3.0.0-rc.1", "3.0.0rc1"),
    ("2.0.0.post1", "2.0.0.post1"),
    ("2.0.0-1", "2.0.0.post1"),
    ("3.2.0.dev3", "3.2.0.dev3"),
    ("3.2.0a1.dev0", "3.2.0a1.dev0"),
    (" 3.1.6\n", "3.1.6"),
])
def test_parse_real_versions(text, normalised):
    assert str(V(text)) == normalised


@pytest.mark.parametrize("text", ["3.x", "", "3", "latest", "v", "3.2.7+local", "3.2.7 final", "1!2.0.0", "3..2", None])
def test_invalid_version_message_names_it(text):
    with pytest.raises(InvalidVersion) as error:
        V(text)
    assert str(error.value) == "'%s' is not a valid Nautobot version" % (text,)


def test_invalid_version_message_form():
    with pytest.raises(InvalidVersion, match=r"^'3\.x' is not a valid Nautobot version$"):
        V("3.x")


@pytest.mark.parametrize("lower, higher", [
    ("2.0.0rc1", "2.0.0"),
    ("2.0.0", "2.0.0.post1"),
    ("2.0.0.post1", "2.0.1"),
    ("3.2.9", "3.2.10"),
    ("2.4.9", "2.4.15"),
    ("2.4.14", "2.4.15"),
    ("1.5.23", "1.6.0"),
    ("1.6.32", "2.0.0"),
    ("3.0.0a1", "3.0.0a2"),
    ("3.0.0a2", "3.0.0b1"),
    ("3.0.0b1", "3.0.0rc1"),
    ("3.0.0rc2", "3.0.0"),
    ("3.2.0.dev1", "3.2.0a1"),
    ("3.2.0a1.dev0", "3.2.0a1"),
    ("2.0.0.post1.dev0", "2.0.0.post1"),
    ("3.1.0", "3.1.8"),
    ("3.1.8", "3.2.7"),
    ("v3.2.7", "3.2.10"),
])
def test_ordering(lower, higher):
    assert V(lower) < V(higher)
    assert V(higher) > V(lower)
    assert V(lower) != V(higher)


@pytest.mark.parametrize("left, right", [
    ("3.2", "3.2.0"),
    ("v3.2.7", "3.2.7"),
    ("v3.0.0-rc.1", "3.0.0rc1"),
    ("2.0.0c1", "2.0.0rc1"),
    ("2.0.0.post", "2.0.0.post0"),
])
def test_equality(left, right):
    assert V(left) == V(right)
    assert hash(V(left)) == hash(V(right))


def test_sorting_real_tags():
    tags = [
        "v1.5.23", "v1.6.32", "v2.0.0a1", "v2.0.0b1", "v2.0.0rc1", "v2.0.0", "v2.0.0.post1", "v2.0.1",
        "v2.3.16", "v2.4.14", "v2.4.15", "v2.4.44", "v3.0.0-alpha.2", "v3.0.0-rc.1", "v3.0.0",
        "v3.1.0a5", "v3.1.0", "v3.1.8", "v3.2.7", "v3.2.9", "v3.2.10",
    ]
    shuffled = list(tags)
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=V) == tags


@pytest.mark.parametrize("banner, numbers", [
    ("3.11.2", (3, 11, 2)),
    ("15.14", (15, 14)),
    ("15.14 (Debian 15.14-0+deb12u1)", (15, 14)),
    ("PostgreSQL 15.4 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit", (15, 4)),
    ("8.0.36-0ubuntu0.22.04.1", (8, 0, 36)),
    ("7.0.15", (7, 0, 15)),
    ("Python 3.12.1", (3, 12, 1)),
    ("unknown", None),
    ("", None),
])
def test_extract_numbers(banner, numbers):
    assert extract_numbers(banner) == numbers


# --- the release table -----------------------------------------------------------------------

def test_rows_are_ordered_and_cited():
    since = [V(row.since) for row in RELEASES]
    assert since == sorted(since) and len(set(since)) == len(since)
    for row in RELEASES:
        assert row.source.strip()
        assert extract_numbers(row.python_min) < extract_numbers(row.python_max)


def test_every_major_has_an_upgrade_rule():
    majors = sorted(set(V(row.since).major for row in RELEASES))
    assert sorted(rule.major for rule in MAJOR_UPGRADES) == majors[1:]
    for rule in MAJOR_UPGRADES:
        assert rule.source.strip()
        assert V(rule.min_from).major == rule.major - 1
        assert rule.via in known_series()


def test_known_series():
    series = known_series()
    assert series[0] == "1.0"
    assert ["2.4", "3.0", "3.1", "3.2"] == series[-4:]
    assert len(series) == len(set(series))


@pytest.mark.parametrize("version, since", [
    ("1.0.0", "1.0.0"),
    ("1.5.23", "1.5.0"),
    ("1.6.32", "1.6.0"),
    ("2.0.0rc1", "2.0.0"),
    ("2.0.0", "2.0.0"),
    ("2.3.16", "2.3.0"),
    ("2.4.5", "2.4.0"),
    ("2.4.6", "2.4.6"),
    ("2.4.14", "2.4.6"),
    ("2.4.19", "2.4.6"),
    ("2.4.20", "2.4.20"),
    ("2.4.44", "2.4.20"),
    ("3.0.0", "3.0.0"),
    ("3.1.8", "3.1.0"),
    ("3.2.10", "3.2.0"),
    ("v3.2.7", "3.2.0"),
])
def test_find_release(version, since):
    assert find_release(V(version)).since == since


@pytest.mark.parametrize("version", ["0.9.0", "1.7.0", "2.5.0", "3.3.0", "4.0.0"])
def test_find_release_unknown_series(version):
    assert find_release(V(version)) is None


@pytest.mark.parametrize("target, facts, problem", [
    ("1.6.32", {"python": "3.11.9"}, None),
    ("1.6.32", {"python": "3.12.1"}, "Python 3.12.1 is not supported by Nautobot 1.6.32, which needs Python >= 3.8, < 3.12."),
    ("1.5.23", {"python": "3.11.2"}, "Python 3.11.2"),
    ("1.3.10", {"python": "3.6.15"}, "Python 3.6.15"),
    ("2.3.16", {"python": "3.12.1"}, None),
    ("2.4.19", {"python": "3.9.1"}, "Python 3.9.1"),
    ("2.4.19", {"python": "3.9.2"}, None),
    ("2.4.44", {"python": "3.9.18"}, "Python 3.9.18"),
    ("2.4.44", {"python": "3.13.0"}, "Python 3.13.0"),
    ("3.0.0", {"python": "3.13.0"}, None),
    ("3.0.11", {"python": "3.14.0"}, "Python 3.14.0"),
    ("3.1.0", {"python": "3.14.2"}, None),
    ("3.2.7", {"python": "3.15.0"}, "Python 3.15.0"),
    ("2.0.0", {"postgresql": "9.6.24"}, None),
    ("2.1.0", {"postgresql": "11.22"}, "PostgreSQL 11.22 is older than PostgreSQL 12, the minimum for Nautobot 2.1.0."),
    ("3.0.11", {"postgresql": "13.16 (Debian 13.16-0+deb11u1)"}, None),
    ("3.1.0", {"postgresql": "13.16 (Debian 13.16-0+deb11u1)"}, "PostgreSQL 13.16 is older than PostgreSQL 14"),
    ("3.1.8", {"postgresql": "PostgreSQL 14.0 on x86_64-pc-linux-gnu"}, None),
    ("3.2.7", {"postgresql": "15.14 (Debian 15.14-0+deb12u1)"}, None),
    ("3.0.0", {"mysql": "8.0.0"}, None),
    ("3.1.0", {"mysql": "8.0.10"}, "MySQL 8.0.10 is older than MySQL 8.0.11"),
    ("3.1.0", {"mysql": "8.0.36-0ubuntu0.22.04.1"}, None),
    ("1.0.3", {"mysql": "8.0.36"}, "Nautobot 1.0.3 does not support MySQL"),
    ("3.2.7", {"mysql": "10.11.6-MariaDB-0+deb12u1"}, "MariaDB (10.11.6-MariaDB-0+deb12u1) is not supported"),
    ("3.2.7", {"redis": "7.0.15"}, None),
    ("3.2.7", {"redis": "3.2.12"}, "Redis 3.2.12 is older than Redis 4.0"),
    ("3.2.7", {"postgresql": "unknown"}, "'unknown' is not a valid PostgreSQL version."),
    ("3.2.7", {"python": None, "redis": None}, None),
])
def test_check_requirements(target, facts, problem):
    violations = check_requirements(find_release(V(target)), V(target), facts)
    if problem is None:
        assert violations == []
    else:
        assert len(violations) == 1 and violations[0].startswith(problem)


# --- upgrade paths ---------------------------------------------------------------------------

@pytest.mark.parametrize("current, target, steps", [
    ("3.1.0", "3.2.7", []),
    ("3.2.9", "3.2.10", []),
    ("2.0.0rc1", "2.0.0", []),
    ("2.4.15", "3.0.0", []),
    ("2.4.44", "3.2.7", []),
    ("1.6.32", "2.4.44", []),
    ("1.6.0", "2.0.0", []),
    ("1.5.23", "2.0.0", [("1.6", False)]),
    ("1.5.22", "2.0.0", [("1.6", True)]),
    ("1.4.10", "2.3.16", [("1.6", True)]),
    ("2.4.14", "3.0.0", [("2.4", True)]),
    ("2.3.16", "3.2.7", [("2.4", True)]),
    ("2.0.0", "3.1.0", [("2.4", True)]),
    ("1.6.32", "3.2.7", [("2.4", True)]),
    ("1.2.11", "3.1.8", [("1.6", True), ("2.4", True)]),
])
def test_upgrade_path(current, target, steps):
    path, violations, pre_commands, post_commands = upgrade_path(V(current), V(target))
    assert [(step["series"], step["required"]) for step in path[:-1]] == steps
    assert path[-1]["min_version"] == str(V(target)) and path[-1]["required"]
    assert bool(violations) == any(required for series, required in steps)


def test_refused_path_names_the_full_path():
    violations = upgrade_path(V("1.2.11"), V("3.1.8"))[1]
    assert violations == [
        "Nautobot 3.1.8 cannot be reached from 1.2.11 directly: upgrade to the latest 1.6.x (at least 1.5.23) first;"
        " the path is 1.2.11 -> the latest 1.6.x (at least 1.5.23) -> 2.4.15 or later (latest 2.4.x) -> 3.1.8."
    ]


@pytest.mark.parametrize("current, target, pre_commands, post_commands", [
    ("3.1.0", "3.2.7", [], []),
    ("2.3.16", "2.4.44", [], []),
    ("1.6.32", "2.0.0", ["pre_migrate"], ["audit_dynamic_groups"]),
    ("1.6.32", "2.0.2", ["pre_migrate"], ["audit_dynamic_groups", "audit_graphql_queries"]),
    ("2.4.15", "3.0.0", ["check_job_approval_status"], ["validate_models extras.dynamicgroup extras.savedview"]),
    ("2.4.44", "3.2.7", ["check_job_approval_status"], ["validate_models extras.dynamicgroup extras.savedview"]),
    ("1.6.32", "3.2.7", ["pre_migrate", "check_job_approval_status"],
     ["audit_dynamic_groups", "audit_graphql_queries", "validate_models extras.dynamicgroup extras.savedview"]),
])
def test_commands(current, target, pre_commands, post_commands):
    path, violations, pre, post = upgrade_path(V(current), V(target))
    assert (pre, post) == (pre_commands, post_commands)


@pytest.mark.parametrize("current, target, series", [
    ("3.1.0", "3.2.7", ["3.2"]),
    ("3.1.0", "3.1.8", ["3.1"]),
    ("3.2.9", "3.2.10", ["3.2"]),
    ("1.6.32", "2.0.0", ["2.0"]),
    ("2.3.16", "3.2.7", ["2.4", "3.0", "3.1", "3.2"]),
    ("1.5.23", "2.4.44", ["1.6", "2.0", "2.1", "2.2", "2.3", "2.4"]),
    ("3.2.7", "3.3.0", ["3.3"]),
])
def test_release_notes(current, target, series):
    assert release_notes(V(current), V(target)) == [NOTES % name for name in series]


# --- plan ------------------------------------------------------------------------------------

def test_plan_upgrade():
    result = plan("3.1.0", "v3.2.7", facts={"python": "3.11.2", "postgresql": "15.14", "redis": "7.0.15"})
    assert result["action"] == "upgrade"
    assert result["target"] == "3.2.7"
    assert result["major_change"] is False
    assert result["violations"] == []
    assert result["requirements"]["python"] == {"min": "3.10", "max_exclusive": "3.15"}
    assert (result["requirements"]["postgresql"], result["requirements"]["mysql"], result["requirements"]["redis"]) == (
        "14", "8.0.11", "4.0")
    assert NOTES % "3.2" in result["release_notes"]


def test_plan_downgrade():
    refused = plan("3.2.7", "3.1.0")
    assert refused["action"] == "downgrade"
    assert refused["release_notes"] == [] and refused["pre_commands"] == []
    assert len(refused["violations"]) == 1 and "allow_downgrade" in refused["violations"][0]
    assert plan("3.2.7", "3.1.0", allow_downgrade=True)["violations"] == []


@pytest.mark.parametrize("current, target", [("3.2.7", "3.2.7"), ("v3.2.7", "3.2.7"), ("3.2", "3.2.0")])
def test_plan_none(current, target):
    result = plan(current, target)
    assert (result["action"], result["path"], result["release_notes"], result["violations"]) == ("none", [], [], [])


def test_plan_major_change():
    assert plan("2.4.44", "3.0.0")["major_change"] is True
    assert plan("3.0.0", "3.2.7")["major_change"] is False


def test_plan_next_minor_takes_the_newest_rules_of_its_major_with_a_warning():
    result = plan("3.2.7", "3.3.0", facts={"python": "3.12.1", "postgresql": "15.14"})
    assert result["violations"] == []
    assert result["requirements"]["python"] == {"min": "3.10", "max_exclusive": "3.15"}
    assert result["requirements"]["postgresql"] == "14"
    assert result["requirements"]["origin"]["python"] == "table (Nautobot 3.2)"
    assert result["warnings"] == [
        "Nautobot 3.3.0 is newer than the releases this collection knows (up to 3.2): planned with the rules of 3.2,"
        " Python >= 3.10, < 3.15 from table (Nautobot 3.2)."
        " Read https://docs.nautobot.com/projects/core/en/stable/release-notes/version-3.3/ before upgrading."
    ]


def test_plan_next_minor_python_from_the_package_metadata():
    result = plan("3.2.7", "3.3.0", facts={"python": "3.10.4"}, requires_python=">=3.11, <3.16")
    assert result["requirements"]["python"] == {"min": "3.11", "max_exclusive": "3.16"}
    assert result["requirements"]["origin"] == {
        "python": "package metadata (Requires-Python >=3.11, <3.16)",
        "postgresql": "table (Nautobot 3.2)", "mysql": "table (Nautobot 3.2)", "redis": "table (Nautobot 3.2)",
    }
    assert result["violations"] == ["Python 3.10.4 is not supported by Nautobot 3.3.0, which needs Python >= 3.11, < 3.16."]


def test_plan_next_minor_of_an_older_major():
    result = plan("2.4.44", "2.5.0")
    assert result["violations"] == [] and result["requirements"]["python"]["max_exclusive"] == "3.13"
    assert "up to 2.4" in result["warnings"][0]


def test_plan_known_release_has_no_warning_and_says_where_its_rules_come_from():
    result = plan("3.1.0", "3.2.7")
    assert result["warnings"] == []
    assert set(result["requirements"]["origin"].values()) == {"table (Nautobot 3.2)"}


def test_plan_unknown_major_refused_without_the_opt_in():
    result = plan("3.2.7", "4.0.0")
    assert result["requirements"] == {} and result["warnings"] == []
    assert len(result["violations"]) == 1
    assert result["violations"][0].startswith("No upgrade path to Nautobot 4.x is known to this collection")
    assert "upgrade_allow_unknown_release: true" in result["violations"][0]


def test_plan_unknown_major_downgrade_is_refused_naming_the_opt_in():
    violations = plan("5.0.0", "4.0.0", allow_downgrade=True)["violations"]
    assert violations == [
        "Nautobot 4.0.0 is a major release this collection does not know (it knows 1.0 to 3.2): set"
        " upgrade_allow_unknown_release: true (module option allow_unknown_release) to plan it with the rules"
        " of 3.2, or use a release of the collection that knows it."
    ]


def test_plan_unknown_major_with_the_opt_in():
    result = plan("3.2.7", "4.0.0", allow_unknown_release=True, requires_python=">=3.12")
    assert result["violations"] == []
    assert result["requirements"]["python"] == {"min": "3.12", "max_exclusive": "3.15"}
    assert "up to 3.2" in result["warnings"][0] and "version-4.0" in result["warnings"][0]


def test_plan_release_older_than_the_table_stays_refused():
    assert plan("0.9.0", "0.9.1")["violations"] == [
        "Nautobot 0.9.1 is not in a release series this collection knows (1.0 to 3.2)."
    ]


@pytest.mark.parametrize("spec, expected", [
    (">=3.10,<3.15", ("3.10", "3.15")),
    (">= 3.9.2, < 3.13", ("3.9.2", "3.13")),
    ("~=3.11", ("3.11", None)),
    ("<4,!=3.0.*,>=3.8", ("3.8", "4")),
    ("", (None, None)),
    (None, (None, None)),
    ("!=3.9", (None, None)),
])
def test_python_range(spec, expected):
    assert python_range(spec) == expected


@pytest.mark.parametrize("current, target, bad", [("3.1.0", "3.x", "3.x"), ("latest", "3.2.7", "latest")])
def test_plan_invalid(current, target, bad):
    with pytest.raises(InvalidVersion, match="^'%s' is not a valid Nautobot version$" % bad.replace(".", r"\.")):
        plan(current, target)
