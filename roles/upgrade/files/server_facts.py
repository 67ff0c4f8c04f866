# Read through `nautobot-server shell`: what the running configuration really talks to.
# Prints one marked JSON line; the role checks these against the target's requirements.
import json
import sys

from django.db import connection

facts = {"python_version": "%d.%d.%d" % sys.version_info[:3], "database_vendor": connection.vendor}
with connection.cursor() as cursor:
    cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT VERSION()")
    facts["database_version"] = str(cursor.fetchone()[0])
try:
    from django_redis import get_redis_connection

    facts["redis_version"] = get_redis_connection("default").info()["redis_version"]
except Exception as error:  # noqa: BLE001 - a cache that is not Redis is reported, not fatal
    facts["redis_error"] = "%s: %s" % (type(error).__name__, error)
print("NAUTOBOT_OPS_FACTS " + json.dumps(facts))
