"""Nautobot 2.4 -> 3.x through upgrade_path: every step verified, the data carried across."""

import json
import os

from upgraded_checks import *  # noqa: F401,F403 - the checks every upgrade scenario makes
from upgraded_checks import FIXTURE, TARGET, venv_of
from nautobot_host import HISTORY, ROOT, as_nautobot, fingerprint

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


APP = "nautobot-bgp-models"
# What molecule.yml's upgrade_local_requirements gives each release of the path.
APP_VERSIONS = {"3.1": "3.1.1", "3": "3.2.0"}


def app_version_for(release):
    return APP_VERSIONS.get(".".join(release.split(".")[:2])) or APP_VERSIONS[release.split(".")[0]]


def dist_version(host, venv, name):
    return host.check_output(f"{venv}/bin/python -c \"import importlib.metadata as m; print(m.version('{name}'))\"")


def test_app_moved_with_each_release(host):
    assert dist_version(host, venv_of(host), APP) == app_version_for(PATH[-1])
    # The previous hop's venv is kept for a rollback (venv layout): it was built with that hop's version.
    if len(PATH) > 1:
        assert dist_version(host, f"{ROOT}/.nautobot-ops/venv-{PATH[-2]}", APP) == app_version_for(PATH[-2])
        assert dist_version(host, f"{ROOT}/.nautobot-ops/venv-{PATH[-2]}", "nautobot") == PATH[-2]


def test_app_row_carried_across(host):
    script = "from nautobot_bgp_models.models import AutonomousSystem as A; print(list(A.objects.values_list('asn', 'status__name')))"
    out = host.check_output(as_nautobot(f"{venv_of(host)}/bin/nautobot-server shell --interface python --command \"{script}\" 2>/dev/null"))
    assert out.splitlines()[-1] == "[(65001, 'Active')]"


def test_site_files_unchanged(host, before):
    # Overrides the shared check: local_requirements.txt is the one file the role was asked to write.
    out = host.check_output(f"cd {ROOT}/ && find jobs media uwsgi.ini nautobot_config.py -type f | sort | xargs sha256sum")
    assert out.splitlines() == [line for line in before["files"] if not line.endswith(" local_requirements.txt")]


def test_root_local_requirements_say_what_the_venv_was_built_from(host):
    lines = [line for line in host.file(f"{ROOT}/local_requirements.txt").content_string.splitlines() if not line.startswith("#")]
    assert lines == ["django-storages", f"{APP}=={app_version_for(PATH[-1])}"]


def test_local_requirements_of_each_release_kept_for_a_rollback(host, before):
    # Each hop's verify keeps the root's file as it stood for the release it leaves: the site's own
    # for the fixture release, the list the role wrote for the hop before.
    site = [line.split()[0] for line in before["files"] if line.endswith(" local_requirements.txt")]
    assert site == [host.check_output(f"sha256sum {ROOT}/.nautobot-ops/local_requirements-{FIXTURE}.txt").split()[0]]
    if len(PATH) > 1:
        kept = host.file(f"{ROOT}/.nautobot-ops/local_requirements-{PATH[-2]}.txt").content_string.splitlines()
        assert kept[0] == f"# Written by nautobot_ops.lifecycle for Nautobot {PATH[-2]} (upgrade_local_requirements)."
        assert kept[1:] == ["django-storages", f"{APP}=={app_version_for(PATH[-2])}"]


def test_app_that_needs_nautobot_2_refused_before_the_switch(host):
    record = json.loads(host.file("/var/lib/nautobot-ops-test/app_refusal.json").content_string)
    assert record["message"] != "NOT REFUSED"
    assert "nautobot-bgp-models" in record["message"], record
    assert record["versions_after"] == f"{FIXTURE} 2.4.1", record
    assert record["units_after"] == ["active", "active", "active"], record
    assert record["health_after"] == 200, record
