"""nautobot_version and nautobot_migrations against the real fixture host (run in check mode,
as testinfra's host.ansible does by default: both modules must support it)."""

import json
import os


FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")
TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
VERSION = "nautobot_ops.lifecycle.nautobot_version"
MIGRATIONS = "nautobot_ops.lifecycle.nautobot_migrations"
AS_NAUTOBOT = {"become": True, "become_user": "nautobot"}


def run(host, module, args, **kwargs):
    return host.ansible(module, json.dumps(args), **kwargs)


def run_failing(host, module, args, success_key, **kwargs):
    """The result of a module run that must fail. ansible-core 2.19+ leaves 'failed' out of the
    --tree output testinfra reads (so its AnsibleException never comes): a run without the
    module's own success key and with a msg is a failure too."""
    result = run(host, module, args, **kwargs)
    assert result.get("failed") or (success_key not in result and "msg" in result), result
    return result


def test_installed_version_detected(host):
    result = run(host, VERSION, {"target": TARGET, "root": "/opt/nautobot"})
    assert result["current"] == FIXTURE
    assert result["action"] == "upgrade"
    assert result["changed"] is False
    assert any("version-3.2" in url for url in result["release_notes"])


def test_invalid_version_refused(host):
    result = run_failing(host, VERSION, {"target": "3.x", "root": "/opt/nautobot"}, "action")
    assert "'3.x' is not a valid Nautobot version" in result["msg"]


def test_no_installation(host):
    result = run_failing(host, VERSION, {"target": TARGET, "root": "/srv"}, "action")
    assert "no Nautobot installation" in result["msg"]


def test_clean_install_has_nothing_pending_or_unreflected(host):
    result = run(host, MIGRATIONS, {"root": "/opt/nautobot"}, **AS_NAUTOBOT)
    assert result["unreflected"] is False
    assert result["pending_count"] == 0
    assert result["applied_count"] > 400


def test_pending_migrations_of_a_newer_release(host):
    result = run(host, MIGRATIONS, {"root": "/opt/nautobot", "venv": "/srv/nautobot-new"}, **AS_NAUTOBOT)
    assert result["pending_count"] > 0
    assert result["pending_count"] == len(result["pending"])
    assert all("." in name for name in result["pending"])
    # The same database, read by the older code, has none pending.
    direct = host.run(
        "sudo -u nautobot env NAUTOBOT_ROOT=/opt/nautobot /srv/nautobot-new/bin/nautobot-server showmigrations --plan"
    )
    assert direct.stdout.count("[ ]") == result["pending_count"]


def test_unreflected_model_change_detected_without_writing_files(host):
    args = {
        "root": "/opt/nautobot",
        "config": "/srv/config-unreflected.py",
        "environment": {"PYTHONPATH": "/srv/apps"},
        "check_pending": False,
    }
    result = run(host, MIGRATIONS, args, **AS_NAUTOBOT)
    assert result["unreflected"] is True
    assert "fixture_unreflected.widget" in result["unreflected_models"]
    # --dry-run: Django described the migration but did not write it.
    assert not host.file("/srv/apps/fixture_unreflected/migrations/0002_widget_size.py").exists


def test_database_down_gives_a_short_message(host):
    host.run("systemctl stop postgresql")
    try:
        result = run_failing(host, MIGRATIONS, {"root": "/opt/nautobot", "check_unreflected": False}, "pending", **AS_NAUTOBOT)
    finally:
        host.run("systemctl start postgresql")
    message = result["msg"]
    assert "showmigrations failed" in message
    assert "Traceback" not in message
    assert "connection" in message.lower()
