# Read through `nautobot-server shell`: what the running configuration really talks to.
# Prints one marked JSON line; the role checks these against the target's requirements.
import json
import socket
import sys

from django.db import connection

facts = {"python_version": "%d.%d.%d" % sys.version_info[:3], "database_vendor": connection.vendor}
with connection.cursor() as cursor:
    cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT VERSION()")
    facts["database_version"] = str(cursor.fetchone()[0])
# What a dump of it can reach at most (the backup's free-space check).
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        facts["database_bytes"] = int(cursor.fetchone()[0])
# django_migrations' row count and last id: a rollback on demand compares them with its backup's
# (was the database migrated since the dump? db_restore.py, db_state.py).
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM django_migrations")
    count, last_id = cursor.fetchone()
    facts["migrations"] = {"count": int(count), "last_id": int(last_id)}
# Which database this is, the same string on every host that reaches it: hosts sharing it are
# one site (migrated once). The server's own identity where it tells it, else its address; a
# local server is this host's own even when cloned from the same image as another's.
settings = connection.settings_dict
where = settings.get("HOST") or "localhost"
identity = "%s:%s" % (where, settings.get("PORT") or "")
try:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT system_identifier::text FROM pg_control_system()")
        else:
            cursor.execute("SELECT @@server_uuid")
        identity = "%s-%s" % (connection.vendor, cursor.fetchone()[0])
except Exception:  # noqa: BLE001 - not allowed to read it: the address stands for it
    pass
if where in ("localhost", "127.0.0.1", "::1") or where.startswith("/"):
    identity = "%s:%s" % (socket.getfqdn(), identity)
facts["database_id"] = "%s/%s" % (identity, settings.get("NAME"))
try:
    from django_redis import get_redis_connection

    facts["redis_version"] = get_redis_connection("default").info()["redis_version"]
except Exception as error:  # noqa: BLE001 - a cache that is not Redis is reported, not fatal
    facts["redis_error"] = "%s: %s" % (type(error).__name__, error)
print("NAUTOBOT_OPS_FACTS " + json.dumps(facts))
