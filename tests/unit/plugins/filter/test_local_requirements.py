# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.nautobot_ops.lifecycle.plugins.filter.local_requirements import FilterModule, local_requirements

PATH = ["3.1.8", "3.2.7"]


@pytest.mark.parametrize("value", [None, "", "  "])
def test_not_set_carries_the_sites_file_over(value):
    assert local_requirements(value, PATH) == {}


def test_a_list_is_every_releases():
    assert local_requirements([" django-storages ", "nautobot-bgp-models==3.2.0"], PATH) == {
        "3.1.8": ["django-storages", "nautobot-bgp-models==3.2.0"], "3.2.7": ["django-storages", "nautobot-bgp-models==3.2.0"]}


def test_an_empty_list_means_no_apps():
    assert local_requirements([], PATH) == {"3.1.8": [], "3.2.7": []}


def test_the_longest_matching_key_wins():
    value = {3: ["app==3.2.0"], "3.1": ["app==3.1.1"], "3.2.7": ["app==3.2.0", "pin==1"], "2.4": ["app==2.4.1"]}
    assert local_requirements(value, ["2.4.44", "3.1.8", "3.2.7", "3.3.0"]) == {
        "2.4.44": ["app==2.4.1"], "3.1.8": ["app==3.1.1"], "3.2.7": ["app==3.2.0", "pin==1"], "3.3.0": ["app==3.2.0"]}


def test_a_prefix_matches_whole_components_only():
    # "3.1" is not a prefix of 3.10.0, nor "3" of 30.0.0.
    with pytest.raises(AnsibleFilterError, match=r"no entry for Nautobot 3\.10\.0 \(its keys: 3\.1\): add the release, its minor \(3\.10\) or its major \(3\)"):
        local_requirements({"3.1": ["app"]}, ["3.10.0"])
    with pytest.raises(AnsibleFilterError, match="no entry for Nautobot 30.0.0"):
        local_requirements({"3": ["app"]}, ["30.0.0"])


def test_a_release_without_an_entry_is_refused_before_any_hop():
    with pytest.raises(AnsibleFilterError, match=r"no entry for Nautobot 3\.2\.7 \(its keys: 3\.1\).*nothing was changed"):
        local_requirements({"3.1": ["app==3.1.1"]}, PATH)


def test_an_unquoted_minor_is_refused():
    with pytest.raises(AnsibleFilterError, match=r"the key 3\.1 is a number; quote it \('3\.1'\)"):
        local_requirements({3.1: ["app"]}, PATH)


@pytest.mark.parametrize("key", ["3.x", "v3", "3.2.7.1", "", "3..2", "latest"])
def test_a_key_that_is_no_release_is_refused(key):
    with pytest.raises(AnsibleFilterError, match="is not a release or a prefix of one"):
        local_requirements({key: ["app"]}, PATH)


def test_a_key_given_twice_is_refused():
    with pytest.raises(AnsibleFilterError, match="the key '3' is given twice"):
        local_requirements({3: ["a"], "3": ["b"]}, PATH)


@pytest.mark.parametrize("value", ["app==3.2.0", {"3": "app==3.2.0"}, {"3": {"app": "3.2.0"}}, 3, {"3": None}])
def test_a_value_that_is_not_a_list_is_refused(value):
    with pytest.raises(AnsibleFilterError, match="must be a list of requirements"):
        local_requirements(value, PATH)


@pytest.mark.parametrize("item", ["", "  ", None, 3, ["app"]])
def test_an_entry_that_is_not_a_requirement_is_refused(item):
    with pytest.raises(AnsibleFilterError, match="which is not a requirement"):
        local_requirements({"3": ["ok", item]}, PATH)


@pytest.mark.parametrize("item", ["app==1\n--index-url=http://evil", "app\r", "app\x00", "six==1.16.0\u2028--index-url http://127.0.0.1:9/simple",
                                  "app\x0b--pre", "app\x0cx", "app\x85x", "app\u2029x", "app==1 \\", "app \\ "])
def test_a_requirement_of_several_lines_is_refused(item):
    with pytest.raises(AnsibleFilterError, match="a requirement is one line"):
        local_requirements([item], PATH)


@pytest.mark.parametrize("item", ["--index-url=http://pypi.invalid/simple", "-r /etc/shadow", "-c constraints.txt", "-e git+https://x/app.git#egg=app",
                                  " --extra-index-url http://x", "--pre"])
def test_a_pip_option_is_refused(item):
    with pytest.raises(AnsibleFilterError, match="entries are requirements, not pip options; give pip's sources with upgrade_pip_index_url"):
        local_requirements({"3": ["django-storages", item]}, PATH)


@pytest.mark.parametrize("item", ["app @ git+https://example.invalid/app.git@v1.2.0", "app[extra]>=1,<2 ; python_version >= '3.10'", "app==1  # pinned"])
def test_requirements_pip_accepts_on_one_line_pass(item):
    assert local_requirements([item], ["3.2.7"]) == {"3.2.7": [item]}


def test_registered():
    assert FilterModule().filters()["local_requirements"] is local_requirements
