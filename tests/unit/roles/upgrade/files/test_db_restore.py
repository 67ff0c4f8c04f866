"""roles/upgrade/files/db_restore.py and db_backup.py: a dump is proven before anything is dropped.

What they guard against was seen on a real host (3.1.0 -> 3.2.7): a database.dump cut to 300 bytes
was restored by piping pg_restore into psql, pg_restore's failure reached psql as the end of its
input, psql committed the DROPs and the database was left with no tables. And a database holding
`pg_stat_statements`, created by the superuser as DBAs do, could not be restored at all
(`must be owner of extension pg_stat_statements`).

The TOC is real `pg_restore --list` output (tests/unit/fixtures/pg_restore/README.md). The tests of
the last part run the functions against a throwaway PostgreSQL cluster, skipped without the binaries.
"""

import glob
import hashlib
import importlib.util
import json
import os
import pathlib
import pwd
import shutil
import subprocess
import tempfile

import pytest

TOP = pathlib.Path(__file__).resolve().parents[5]
FIXTURES = TOP / "tests/unit/fixtures/pg_restore"


def load(name):
    # Under its own name, so the file's entry (run by `nautobot-server shell`) stays asleep.
    spec = importlib.util.spec_from_file_location(name, TOP / "roles/upgrade/files" / (name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


db_restore = load("db_restore")
db_backup = load("db_backup")
TOC = [line for line in (FIXTURES / "list-15-pg_stat_statements.txt").read_text().splitlines() if line and not line.startswith(";")]


def write_backup(directory, content, manifest):
    """A backup directory as backup.yml leaves it: database.dump beside manifest.json."""
    directory.mkdir(exist_ok=True)
    dump = directory / "database.dump"
    dump.write_bytes(content)
    if manifest is not None:
        (directory / "manifest.json").write_text(json.dumps(manifest))
    return str(dump)


@pytest.fixture
def no_pg_restore(monkeypatch):
    """The table of contents as the captured output, without running pg_restore."""
    monkeypatch.setattr(db_restore, "toc_entries", lambda dump: list(TOC))


def test_extension_entries_are_not_replayed():
    kept = db_restore.replayed(TOC)
    assert "2; 3079 16386 EXTENSION - pg_stat_statements " not in kept
    assert "3380; 0 0 COMMENT - EXTENSION pg_stat_statements " not in kept
    assert kept == TOC[2:]  # everything the user owns, in the dump's order
    assert any(" TABLE DATA public dcim_device " in line for line in kept)


def test_missing_dump_refused(tmp_path):
    with pytest.raises(db_restore.Refused, match="does not exist"):
        db_restore.verify(str(tmp_path / "database.dump"))


def test_checksum_mismatch_refused_before_pg_restore_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(db_restore, "toc_entries", lambda dump: pytest.fail("pg_restore ran on a dump known bad"))
    recorded = hashlib.sha256(b"the dump as it was taken").hexdigest()
    dump = write_backup(tmp_path, b"the dump cut", {"database_sha256": recorded})
    with pytest.raises(db_restore.Refused, match="is corrupt: its sha256 is [0-9a-f]{64}, manifest.json recorded " + recorded):
        db_restore.verify(dump)


@pytest.mark.parametrize("manifest", [{"from": "3.1.0", "to": "3.2.7"}, None], ids=["no-sha256", "no-manifest"])
def test_backup_of_an_older_collection_checked_for_readability_alone(tmp_path, no_pg_restore, manifest):
    facts, entries = db_restore.verify(write_backup(tmp_path, b"dump", manifest))
    assert facts["checksum_recorded"] is False and facts["verified"] is True
    assert entries == TOC


def test_matching_checksum_accepted(tmp_path, no_pg_restore):
    dump = write_backup(tmp_path, b"dump", {"database_sha256": hashlib.sha256(b"dump").hexdigest()})
    facts = db_restore.verify(dump)[0]
    assert facts["checksum_recorded"] is True and facts["bytes"] == 4


def test_unreadable_manifest_refused(tmp_path):
    dump = write_backup(tmp_path, b"dump", None)
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(db_restore.Refused, match="manifest .* cannot be read"):
        db_restore.verify(dump)


def test_connection_options_from_django_settings():
    dbname, options, env = db_restore.pg_connection(
        {"NAME": "nautobot", "HOST": "localhost", "PORT": "", "USER": "nautobot", "PASSWORD": "secret"}
    )
    assert (dbname, options, env["PGPASSWORD"]) == ("nautobot", ["--host", "localhost", "--username", "nautobot"], "secret")


# A throwaway cluster: the superuser creates the database and pg_stat_statements, the owner its tables.


def pg_bindir():
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None)
    return os.path.dirname(found) if found else None


class Cluster:
    def __init__(self, bindir, root):
        self.bindir, self.root = bindir, root
        self.data, self.socket = os.path.join(root, "data"), root
        self.server_user = None
        if os.geteuid() == 0:  # initdb refuses root
            self.server_user = "postgres"
            os.chown(root, pwd.getpwnam("postgres").pw_uid, -1)

    def server(self, *argv):
        subprocess.run([os.path.join(self.bindir, argv[0])] + list(argv[1:]), check=True, capture_output=True,
                       user=self.server_user, extra_groups=[] if self.server_user else None, cwd=self.root)

    def start(self):
        self.server("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.server("pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "log"), "-w", "start",
                    "-o", "-c listen_addresses='' -c unix_socket_directories=%s -c fsync=off" % self.socket)

    def stop(self):
        self.server("pg_ctl", "-D", self.data, "-m", "immediate", "stop")

    def connection(self, user="nautobot"):
        return "nautobot", ["--host", self.socket, "--username", user], dict(os.environ, PGPASSWORD="")

    def psql(self, sql, user="nautobot", dbname="nautobot"):
        run = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.socket, "-U", user,
                              "-d", dbname, "-c", sql], check=True, capture_output=True, text=True)
        return run.stdout.strip()

    def state(self):
        """What a restore must put back or leave alone, compared whole (read as the superuser)."""
        return {key: self.psql(sql, user="postgres") for key, sql in {
            "tables": "SELECT string_agg(tablename || ':' || tableowner, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
            "views": "SELECT string_agg(viewname, ',' ORDER BY viewname) FROM pg_views WHERE schemaname = 'public'",
            "locations": "SELECT string_agg(name, ',' ORDER BY id) FROM dcim_location",
            "devices": "SELECT count(*) FROM dcim_device",
            "next_location_id": "SELECT last_value FROM dcim_location_id_seq",
            "extension": "SELECT pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'pg_stat_statements'",
        }.items()}


@pytest.fixture(scope="module")
def cluster():
    bindir = pg_bindir()
    if not bindir or not shutil.which("psql") or not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl, psql, pg_dump, pg_restore) are not installed")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the server as")
    root = tempfile.mkdtemp(prefix="nautobot-ops-pg-")
    pg = Cluster(bindir, root)
    try:
        pg.start()
    except subprocess.CalledProcessError as error:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip("a throwaway PostgreSQL cluster did not start: %s" % (error.stderr or b"").decode(errors="replace"))
    try:
        pg.psql("CREATE ROLE nautobot LOGIN", user="postgres", dbname="postgres")
        pg.psql("CREATE DATABASE nautobot OWNER nautobot", user="postgres", dbname="postgres")
        pg.psql("CREATE EXTENSION pg_stat_statements", user="postgres")
        pg.psql(
            "CREATE TABLE dcim_location (id serial PRIMARY KEY, name text NOT NULL UNIQUE);"
            "CREATE TABLE dcim_device (id uuid PRIMARY KEY, name text, location_id integer REFERENCES dcim_location(id));"
            "CREATE INDEX dcim_device_name ON dcim_device (name);"
            "CREATE VIEW dcim_device_names AS SELECT name FROM dcim_device;"
            "INSERT INTO dcim_location (name) VALUES ('ams1'), ('fra1');"
            "INSERT INTO dcim_device VALUES ('00000000-0000-0000-0000-000000000001', 'edge1', 1);"
        )
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def backup(cluster, tmp_path_factory):
    """The database dumped as the role does, proven and recorded as backup.yml records it."""
    directory = tmp_path_factory.mktemp("backup")
    dump = str(directory / "database.dump")
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", dump, "-h", cluster.socket, "-U", "nautobot",
                    "nautobot"], check=True)
    facts = db_backup.prove(dump)
    (directory / "manifest.json").write_text(json.dumps({"database": dump, "database_bytes": facts["bytes"],
                                                         "database_sha256": facts["sha256"], "database_verified": True}))
    return {"dump": dump, "facts": facts, "state": cluster.state()}


def cut(backup, tmp_path, size, manifest=True):
    """A copy of the backup whose dump is cut to `size` bytes (negative: that many short of the end)."""
    content = pathlib.Path(backup["dump"]).read_bytes()
    directory = tmp_path / "cut"
    directory.mkdir()
    if manifest:
        shutil.copy(pathlib.Path(backup["dump"]).with_name("manifest.json"), directory / "manifest.json")
    (directory / "database.dump").write_bytes(content[:size])
    return str(directory / "database.dump")


def test_backup_proves_its_dump(backup):
    facts = backup["facts"]
    assert facts["verified"] is True and facts["bytes"] == os.path.getsize(backup["dump"])
    assert facts["sha256"] == hashlib.sha256(pathlib.Path(backup["dump"]).read_bytes()).hexdigest()


@pytest.mark.parametrize("size", [300, -40], ids=["300-bytes", "data-cut-short"])
def test_backup_refuses_a_dump_that_does_not_read_back(backup, tmp_path, size):
    # -40: pg_restore --list still reads the table of contents; only reading the data fails.
    with pytest.raises(db_backup.Unproven, match="end of file"):
        db_backup.prove(cut(backup, tmp_path, size, manifest=False))


@pytest.mark.parametrize(("size", "manifest", "why"), [
    (300, True, "is corrupt: its sha256"),
    (300, False, "unreadable .*end of file"),
    (-40, False, "unreadable .*end of file"),
], ids=["checksum", "older-backup-300-bytes", "older-backup-data-cut-short"])
def test_truncated_dump_drops_nothing(cluster, backup, tmp_path, size, manifest, why):
    cluster.psql("INSERT INTO dcim_location (name) VALUES ('written-after-the-backup')")
    before = cluster.state()
    try:
        with pytest.raises(db_restore.Refused, match=why):
            db_restore.restore(cut(backup, tmp_path, size, manifest), *cluster.connection())
        assert cluster.state() == before
    finally:
        cluster.psql("DELETE FROM dcim_location WHERE name = 'written-after-the-backup'")


def test_restore_on_a_database_with_a_superuser_extension(cluster, backup):
    # What a failed migration leaves: rows, a table and a view of the new release.
    cluster.psql("INSERT INTO dcim_location (name) VALUES ('lhr1');"
                 "CREATE TABLE ipam_ipaddressrange (id integer);"
                 "CREATE VIEW ipam_ranges AS SELECT id FROM ipam_ipaddressrange;")
    facts = db_restore.restore(backup["dump"], *cluster.connection())
    assert facts["restored"] == backup["dump"]
    assert cluster.state() == backup["state"]
    assert cluster.state()["extension"] == "postgres"


def test_restore_failing_midway_leaves_the_database_as_it_was(cluster, backup):
    # A table the user does not own is not dropped, so the dump's CREATE TABLE fails after the DROPs.
    cluster.psql("INSERT INTO dcim_location (name) VALUES ('lhr1')")
    cluster.psql("ALTER TABLE dcim_device OWNER TO postgres", user="postgres")
    before = cluster.state()
    try:
        with pytest.raises(db_restore.NotRestored, match='relation "dcim_device" already exists'):
            db_restore.restore(backup["dump"], *cluster.connection())
        assert cluster.state() == before
    finally:
        cluster.psql("ALTER TABLE dcim_device OWNER TO nautobot", user="postgres")
        cluster.psql("DELETE FROM dcim_location WHERE name = 'lhr1'")


def test_no_temporary_file_is_left_beside_the_dump(backup):
    assert sorted(os.listdir(os.path.dirname(backup["dump"]))) == ["database.dump", "manifest.json"]


def test_a_killed_restores_work_directory_is_removed_by_the_next(tmp_path):
    # SIGKILL skips TemporaryDirectory's cleanup: the whole database stays beside the dump as SQL.
    stale = tmp_path / ".restore-k1ll3d"
    stale.mkdir()
    (stale / "restore.sql").write_text("COPY public.users_user ...")
    elsewhere = tmp_path.parent / (tmp_path.name + "-other")
    elsewhere.mkdir()
    (elsewhere / "keep").write_text("not ours")
    # A link with our prefix is not followed nor removed with what it points at.
    (tmp_path / ".restore-link").symlink_to(elsewhere)
    (tmp_path / ".restore-file").write_text("a file, not a work directory")
    (tmp_path / "database.dump").write_bytes(b"dump")
    assert db_restore.sweep_stale_work(str(tmp_path)) == [".restore-k1ll3d"]
    assert sorted(os.listdir(tmp_path)) == [".restore-file", ".restore-link", "database.dump"]
    assert (elsewhere / "keep").exists()


def test_the_baseline_of_a_restore_whose_end_was_not_recorded():
    assert db_restore.landed_baseline({"NAUTOBOT_OPS_LANDED_BASELINE": '{"count": "460", "last_id": 471}'}) == {
        "count": 460, "last_id": 471}
    # Not set, or nothing usable: the restore runs as always.
    for value in (None, "", "{}", "{oops", "[460, 471]", '{"count": 460}', '{"count": "x", "last_id": 1}'):
        environ = {} if value is None else {"NAUTOBOT_OPS_LANDED_BASELINE": value}
        assert db_restore.landed_baseline(environ) is None, value
