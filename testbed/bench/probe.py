"""Watch a Nautobot host from inside it while it is upgraded (stdlib only, runs in the container).

Two clients until /srv/bench/stop exists: one GETs /health/ every 0.2 s, one reads an API endpoint
in a loop. Each request is one JSON line in /srv/bench/probe.jsonl: client, start time, seconds
taken, HTTP status (0 when no answer came).
"""

import json
import threading
import time
import urllib.error
import urllib.request

BASE = "http://127.0.0.1:8080"
TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
OUT = "/srv/bench/probe.jsonl"
STOP = "/srv/bench/stop"
LOCK = threading.Lock()


def request(client, url, headers, timeout):
    started = time.time()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except Exception:  # pylint: disable=broad-except
        status = 0
    line = json.dumps({"client": client, "t": round(started, 3), "took": round(time.time() - started, 3), "status": status})
    with LOCK, open(OUT, "a", encoding="utf-8") as out:
        out.write(line + "\n")


def stopped():
    try:
        open(STOP, encoding="utf-8").close()
        return True
    except OSError:
        return False


def health():
    while not stopped():
        started = time.time()
        request("health", BASE + "/health/", {}, 30)
        time.sleep(max(0.0, 0.2 - (time.time() - started)))


def api():
    headers = {"Authorization": "Token " + TOKEN, "Accept": "application/json"}
    while not stopped():
        request("api", BASE + "/api/dcim/devices/?limit=5", headers, 30)
        time.sleep(0.05)


threads = [threading.Thread(target=health), threading.Thread(target=api)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
