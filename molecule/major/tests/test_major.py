"""Nautobot 2.4 -> 3.x through upgrade_path: every step verified, the data carried across."""

import json
import os

from upgraded_checks import *  # noqa: F401,F403 - the checks every upgrade scenario makes
from upgraded_checks import FIXTURE, TARGET, venv_of
from nautobot_host import HISTORY, ROOT, fingerprint

PATH = os.environ.get("NAUTOBOT_OPS_MAJOR_PATH", f"3.1.8,{TARGET}").split(",")


def history(host):
    lines = host.file(HISTORY).content_string.splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_each_release_of_the_path_in_order(host):
    steps = [(entry["from"], entry["to"]) for entry in history(host)]
    assert steps == list(zip([FIXTURE] + PATH[:-1], PATH))


def test_each_step_verified_before_the_next_started(host):
    entries = history(host)
    for previous, following in zip(entries, entries[1:]):
        assert previous["verified_at"] <= following["started_at"]


def test_major_crossing_migrated_once(host):
    crossing = history(host)[0]
    assert len(crossing["migrations"]) > 0
    assert len(set(crossing["migrations"])) == len(crossing["migrations"])


def test_guide_audits_ran_after_the_crossing(host):
    audits = history(host)[0]["audits"]
    assert audits == ["validate_models extras.dynamicgroup extras.savedview: exit status 0"]


def test_dynamic_group_and_scheduled_job_carried_across(host):
    data = fingerprint(host, venv_of(host))
    assert data["extras.dynamicgroup"]["count"] == 1
    assert data["extras.scheduledjob"]["count"] == 1


def test_dynamic_group_filter_still_selects_its_members(host):
    script = (
        "from nautobot.extras.models import DynamicGroup as G; "
        "print(sorted(d.name for d in G.objects.get(name='site-1 routers').members))"
    )
    out = host.check_output(
        f"sudo -u nautobot -H env NAUTOBOT_ROOT={ROOT} {venv_of(host)}/bin/nautobot-server shell --interface python --command \"{script}\" 2>/dev/null"
    )
    assert out.splitlines()[-1] == str([f"site1-rtr{n}" for n in range(1, 5)])


def test_job_waiting_for_approval_refused_before_anything_changed(host):
    record = json.loads(host.file("/var/lib/nautobot-ops-test/approval_refusal.json").content_string)
    assert "check_job_approval_status" in record["message"], record
    assert "nothing was changed" in record["message"], record
    assert "nightly inventory report" in record["message"], record
    assert record["version_after"] == FIXTURE
    assert record["migrate_check_rc"] == 0
