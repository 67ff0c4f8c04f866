"""Release layout from git: the new release directory is a checkout of the tag."""

from upgraded_checks import *  # noqa: F401,F403 - the checks every upgrade scenario makes
from upgraded_checks import FIXTURE, TARGET


def test_root_points_at_new_release(host):
    root = host.file("/opt/nautobot")
    assert root.is_symlink and root.linked_to == f"/opt/nautobot-{TARGET}"


def test_release_is_a_checkout_of_the_tag(host):
    release = f"/opt/nautobot-{TARGET}"
    head = host.check_output(f"sudo -u nautobot git -C {release} rev-parse HEAD")
    tag = host.check_output(f"git --git-dir /srv/nautobot.git rev-parse v{TARGET}^{{commit}}")
    assert head == tag


def test_previous_release_kept(host):
    assert host.file(f"/opt/nautobot-{FIXTURE}/venv/bin/nautobot-server").exists
