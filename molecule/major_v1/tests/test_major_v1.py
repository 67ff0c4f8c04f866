"""Nautobot 1.6 -> 2.4: the 1.x data model carried into 2.x, the guide's checks and audits run."""

import json

from upgraded_checks import *  # noqa: F401,F403 - the checks every upgrade scenario makes
from upgraded_checks import FIXTURE, TARGET, before, venv_of  # noqa: F401 - before is a fixture
from nautobot_host import HISTORY, ROOT, as_nautobot, fingerprint


def test_one_upgrade_with_the_guide_s_check_before_and_audits_after(host):
    lines = host.file(HISTORY).content_string.splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]
    assert [(entry["from"], entry["to"]) for entry in entries] == [(FIXTURE, TARGET)]
    assert entries[0]["checks"] == ["pre_migrate"]
    assert [audit.split(":")[0] for audit in entries[0]["audits"]] == ["audit_dynamic_groups", "audit_graphql_queries"]


def test_site_filter_became_a_location_filter(host):
    script = (
        "from nautobot.extras.models import DynamicGroup as G; "
        "print(sorted(d.name for d in G.objects.get(name='site-1 routers').members))"
    )
    out = host.check_output(as_nautobot(f"{venv_of(host)}/bin/nautobot-server shell --interface python --command \"{script}\" 2>/dev/null"))
    assert out.splitlines()[-1] == str([f"site1-rtr{n}" for n in range(1, 5)])


def test_data_unchanged(host, before):  # noqa: F811 - replaces the shared check: the audit adds a user
    after = fingerprint(host, venv_of(host))
    kept = {key: value for key, value in before["fingerprint"].items() if key != "users.user"}
    assert {key: after[key] for key in kept} == kept
    users = host.check_output(
        as_nautobot(f"{venv_of(host)}/bin/nautobot-server shell --interface python --command "
                    "\"from django.contrib.auth import get_user_model as u; print(sorted(u().objects.values_list('username', 'is_superuser')))\" 2>/dev/null")
    ).splitlines()[-1]
    # The site's superuser is kept; 2.4's audit_graphql_queries (run after the crossing, as the
    # guide says) creates a "GraphQL Test User" to run the saved queries as, and leaves it.
    assert users == "[('GraphQL Test User', False), ('admin', True)]"
