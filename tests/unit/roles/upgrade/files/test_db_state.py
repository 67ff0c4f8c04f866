"""roles/upgrade/files/db_state.py: when the dump cannot restore, does the database need a restore at all?

A rollback killed during its restore can leave the restore running; when it finishes, the database
holds the dump's django_migrations again. A migration only ever adds rows there. So equal count and
last id mean the previous release's schema, anything else the target's (or unknown without a baseline).
"""

import importlib.util
import json
import pathlib

TOP = pathlib.Path(__file__).resolve().parents[5]
spec = importlib.util.spec_from_file_location("db_state", TOP / "roles/upgrade/files/db_state.py")
db_state = importlib.util.module_from_spec(spec)
spec.loader.exec_module(db_state)

BASELINE = {"count": 460, "last_id": 471}


def test_the_dumps_rows_mean_the_previous_schema():
    assert db_state.schema_of({"count": 460, "last_id": 471}, BASELINE) == "previous"
    # JSON through the journal may carry them as strings.
    assert db_state.schema_of({"count": 460, "last_id": 471}, {"count": "460", "last_id": "471"}) == "previous"


def test_any_migration_recorded_since_means_the_target_schema():
    assert db_state.schema_of({"count": 461, "last_id": 472}, BASELINE) == "target"
    # Rows replaced (same count, a newer id) are not the dump's either.
    assert db_state.schema_of({"count": 460, "last_id": 480}, BASELINE) == "target"


def test_no_baseline_is_no_verdict():
    for baseline in (None, {}, {"count": 460}, {"count": "x", "last_id": 1}, "garbage"):
        assert db_state.schema_of({"count": 460, "last_id": 471}, baseline) == "unknown", baseline


def test_the_baseline_comes_from_the_journal_only(tmp_path):
    # The manifest is the nautobot user's to write: a baseline there is never read, even when the
    # journal has none (a backup of an older collection): then there is no verdict.
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"database_migrations": {"count": 1, "last_id": 1}}))
    environ = {"NAUTOBOT_OPS_BASELINE": json.dumps(BASELINE), "NAUTOBOT_OPS_MANIFEST": str(manifest)}
    assert db_state.baseline_of(environ) == BASELINE
    for recorded in ("{}", "", "{oops", "[460, 471]", "null"):
        environ["NAUTOBOT_OPS_BASELINE"] = recorded
        assert db_state.baseline_of(environ) is None, recorded
    assert db_state.baseline_of({}) is None
