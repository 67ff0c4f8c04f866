# Read through `nautobot-server shell` of the release being restored: put the database back
# as the dump NAUTOBOT_OPS_DUMP holds it. Everything the configured user owns in schema
# public is dropped and the dump replayed, in ONE transaction: either the whole restore
# lands or the database stays as it was. Tables a failed migration created are dropped too.
import json
import os
import subprocess

from django.conf import settings
from django.db import connection

db = settings.DATABASES["default"]
dump = os.environ["NAUTOBOT_OPS_DUMP"]
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
    )
    tables = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) = current_user"
    )
    sequences = [row[0] for row in cursor.fetchall()]
connection.close()

env = dict(os.environ, PGPASSWORD=str(db.get("PASSWORD") or ""))
target = []
for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
    if db.get(key):
        target += [option, str(db[key])]
psql = subprocess.Popen(
    ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1", "--dbname", db["NAME"]] + target,
    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env,
)
if tables:
    psql.stdin.write(("DROP TABLE IF EXISTS %s CASCADE;\n" % ", ".join(tables)).encode())
if sequences:
    psql.stdin.write(("DROP SEQUENCE IF EXISTS %s CASCADE;\n" % ", ".join(sequences)).encode())
restore = subprocess.Popen(["pg_restore", "--no-owner", "--no-privileges", "--file", "-", dump], stdout=subprocess.PIPE)
for chunk in iter(lambda: restore.stdout.read(1 << 20), b""):
    psql.stdin.write(chunk)
psql.stdin.close()
if restore.wait() or psql.wait():
    raise SystemExit("restore: pg_restore exited %s, psql exited %s; the database was left as it was" % (restore.returncode, psql.returncode))
print("NAUTOBOT_OPS_FACTS " + json.dumps({"restored": dump, "dropped_tables": len(tables)}))
