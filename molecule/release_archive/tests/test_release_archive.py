"""Release layout from a release archive: the root points at the new release directory,
built from the archive, with the site's files carried over from the previous release."""

import json

from upgraded_checks import *  # noqa: F401,F403 - the checks every upgrade scenario makes
from upgraded_checks import FIXTURE, TARGET


def test_root_points_at_new_release(host):
    root = host.file("/opt/nautobot")
    assert root.is_symlink and root.linked_to == f"/opt/nautobot-{TARGET}"


def test_previous_release_kept(host):
    assert host.file(f"/opt/nautobot-{FIXTURE}/venv/bin/nautobot-server").exists
    assert host.file(f"/opt/nautobot-{FIXTURE}/nautobot_config.py").exists


def test_installed_from_the_archive_not_an_index(host):
    out = host.check_output(
        f"cat /opt/nautobot-{TARGET}/venv/lib/python3*/site-packages/nautobot-{TARGET}.dist-info/direct_url.json"
    )
    assert json.loads(out)["url"] == f"file:///opt/nautobot-{TARGET}"


def test_archive_contents_in_release(host):
    assert host.file(f"/opt/nautobot-{TARGET}/pyproject.toml").exists


def test_site_playbook_ran_around_the_role(host):
    assert "maintenance window" in host.file("/etc/motd").content_string
    assert host.file("/etc/nautobot-site-version").content_string.strip() == TARGET


def test_directory_the_collection_did_not_make_survives_pruning(host):
    assert host.file("/opt/nautobot-something/README").exists
