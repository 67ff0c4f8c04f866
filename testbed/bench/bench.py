"""`make bench`: the role against the documented manual procedure, on identical fixture hosts.

Methods: `role` (the fixture's uwsgi.ini, as the upstream guide writes it: the role restarts the
web unit), `role-reload` (the same host with uwsgi.ini made reloadable, shared-socket + http-socket
+ binary-path: the role reloads it), `role-pipelining` (as `role`, with ANSIBLE_PIPELINING=1) and `naive` (the
guide's commands, by hand).
For each method a fresh container of the fixture image is upgraded FROM -> TO while probe.py,
inside it, reads /health/ every 0.2 s and an API endpoint in a loop. Measured: wall time of the
upgrade (until /health/ answers 200 on the new release), seconds /health/ was not 200, failed
API reads, slowest answer, the wall time of a second run (nothing to do), and per-phase times.
Writes .build/bench/result.json (result-scaleN.json with --scale N: each host seeded with N x 1000
more devices first, seed_large.py) and prints a table with the ratios role / naive.

  python testbed/bench/bench.py --image IMAGE --wheelhouse DIR --from 3.1.0 --to 3.2.7
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

import timeline

METHODS = ("role", "role-reload", "role-pipelining", "naive")
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
AS_NAUTOBOT = "sudo -u nautobot -H env NAUTOBOT_ROOT=/opt/nautobot"
SERVER = "/opt/nautobot/bin/nautobot-server"
# The upgrade guide's steps as a person types them (wheelhouse copied in beforehand, not timed).
NAIVE_STEPS = [
    ("pip install", f"{AS_NAUTOBOT} /opt/nautobot/bin/pip install -q --no-index --find-links /srv/wheelhouse --upgrade nautobot=={{to}}"),
    ("local requirements", f"{AS_NAUTOBOT} /opt/nautobot/bin/pip install -q --no-index --find-links /srv/wheelhouse -r /opt/nautobot/local_requirements.txt"),
    ("post_upgrade", f"{AS_NAUTOBOT} {SERVER} post_upgrade"),
    ("restart", "systemctl restart nautobot nautobot-worker nautobot-scheduler"),
]


def run(argv, **kwargs):
    return subprocess.run(argv, check=True, text=True, capture_output=True, **kwargs)


def sh(container, command, check=True):
    return subprocess.run(["docker", "exec", container, "bash", "-c", command], text=True, capture_output=True, check=check)


def healthy(container):
    out = sh(container, "curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:8080/health/", check=False).stdout
    return out == "200"


def wait_healthy(container, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if healthy(container):
            return time.time()
        time.sleep(0.2)
    raise SystemExit(f"bench: {container} did not answer /health/ 200 within {timeout} s")


def start_host(name, image):
    flags = run(["bash", "-c", f". {shlex.quote(os.path.join(TOP, 'testbed/systemd-flags.sh'))}; printf '%s\\n' \"${{SYSTEMD_FLAGS[@]}}\""]).stdout.split("\n")
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    subprocess.run(["docker", "volume", "rm", "-f", f"{name}-opt"], capture_output=True, check=False)
    # NAUTOBOT_ROOT on a volume (the machine's own file system, filled from the image), as on a
    # real host: on the image's overlay a rename of a directory copies it (EXDEV), which would
    # time the test bed's storage, not the procedures.
    run(["docker", "run", "-d", "--name", name, "--hostname", name, *[f for f in flags if f],
         "--mount", f"type=volume,source={name}-opt,target=/opt/nautobot", image])
    wait_healthy(name)
    # Units up and the first requests served: both hosts start the benchmark warm.
    sh(name, "systemctl is-active nautobot nautobot-worker nautobot-scheduler")


# What the role needs to reload uWSGI instead of restarting it (roles/upgrade/files/uwsgi_reload.py).
# The workers speak HTTP on the shared socket (http-socket): with an `http = =0` router the router
# is respawned by the reload and the request it is passing on fails (in 6 of 7 reloads here,
# none in 3 with http-socket).
RELOADABLE = ("sed -i 's|^http = 127.0.0.1:8080$|shared-socket = 127.0.0.1:8080\\nhttp-socket = =0\\nbinary-path = /opt/nautobot/bin/python3|' "
              "/opt/nautobot/uwsgi.ini && systemctl restart nautobot")


def copy_in(name, wheelhouse):
    sh(name, "mkdir -p /srv/wheelhouse /srv/bench")
    run(["docker", "cp", f"{wheelhouse}/.", f"{name}:/srv/wheelhouse"])
    run(["docker", "cp", os.path.join(HERE, "probe.py"), f"{name}:/srv/bench/probe.py"])
    sh(name, "chown -R nautobot:nautobot /srv/wheelhouse")


def inventory(name):
    path = os.path.join(TOP, ".build/bench", f"{name}.yml")
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"nautobot:\n  hosts:\n    {name}:\n      ansible_connection: community.docker.docker\n"
                  "      ansible_python_interpreter: /usr/bin/python3\n")
    return path


def role_run(name, target, pipelining=False):
    """ansible-playbook playbooks/upgrade.yml, as an operator runs it; per-phase times from profile_tasks.
    With pipelining, ANSIBLE_PIPELINING=1 (modules sent over the connection's stdin, no temporary files)."""
    env = dict(os.environ, ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", PROFILE_TASKS_SORT_ORDER="none",
               PROFILE_TASKS_TASK_OUTPUT_LIMIT="all", ANSIBLE_NOCOLOR="1", ANSIBLE_PIPELINING="1" if pipelining else "0")
    argv = ["ansible-playbook", "-i", inventory(name), os.path.join(TOP, "playbooks/upgrade.yml"),
            "-e", json.dumps({"upgrade_version": target, "upgrade_pip_find_links": ["/srv/wheelhouse"],
                              "upgrade_pip_extra_args": ["--no-index"]})]
    started = time.time()
    proc = subprocess.run(argv, text=True, capture_output=True, env=env, check=False)
    ended = time.time()
    # Kept for reading where the time went, task by task (profile_tasks' lines): the upgrade, then the re-run.
    with open(os.path.join(TOP, ".build/bench", f"{name}.log"), "a", encoding="utf-8") as out:
        out.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-2000:])
        raise SystemExit(f"bench: the role failed on {name}")
    phases = {}
    for task, seconds in re.findall(r"^(.+?) -+ (\d+\.\d+)s$", proc.stdout, re.M):
        phase = task.split(" : ")[-1].split(" | ")[0].strip() if " | " in task else "other"
        phases[phase] = round(phases.get(phase, 0.0) + float(seconds), 1)
    return started, ended, phases, task_phases(proc.stdout, ended)


def task_phases(output, ended):
    """[(phase, start, end)] in wall-clock time, from profile_tasks' header under each task: the time
    since the play started when the task began (consecutive tasks of one phase are one band)."""
    def seconds(h, m, s):
        return int(h) * 3600 + int(m) * 60 + float(s)

    starts = [(name.split(" : ")[-1].split(" | ")[0].strip() if " | " in name else "other", seconds(*at))
              for name, *at in re.findall(r"^TASK \[(.+?)\] \*+[ \t]*\n.*?\)\s+(\d+):(\d\d):(\d\d\.\d+)", output, re.M)]
    totals = re.findall(r"^.*\)\s+(\d+):(\d\d):(\d\d\.\d+) \*+\s*$", output, re.M)
    origin = ended - (seconds(*totals[-1]) if totals else 0.0)
    bands = []
    for (phase, start), following in zip(starts, starts[1:] + [(None, seconds(*totals[-1]) if totals else starts[-1][1])]):
        if bands and bands[-1][0] == phase:
            bands[-1][2] = origin + following[1]
        else:
            bands.append([phase, origin + start, origin + following[1]])
    return [tuple(band) for band in bands]


def naive_run(name, target):
    phases, bands = {}, []
    started = time.time()
    for phase, command in NAIVE_STEPS:
        step = time.time()
        proc = sh(name, command.format(to=target), check=False)
        if proc.returncode != 0:
            raise SystemExit(f"bench: '{phase}' failed on {name}: {proc.stderr[-2000:]}")
        phases[phase] = round(time.time() - step, 1)
        bands.append((phase, step, time.time()))
    step = time.time()
    ended = wait_healthy(name)
    phases["wait for /health/"] = round(ended - step, 1)
    bands.append(("wait for /health/", step, ended))
    return started, ended, phases, bands


def summarize(samples, started, ended):
    health = sorted((s for s in samples if s["client"] == "health"), key=lambda s: s["t"])
    api = [s for s in samples if s["client"] == "api"]
    down, longest, stretch = 0.0, 0.0, 0.0
    for sample, following in zip(health, health[1:] + [None]):
        span = (following["t"] if following else sample["t"] + sample["took"]) - sample["t"]
        if sample["status"] != 200:
            down += span
            stretch += span
            longest = max(longest, stretch)
        else:
            stretch = 0.0
    during = [s for s in api if started - 1 <= s["t"] <= ended + 1]
    return {
        "health_down_s": round(down, 1),
        "health_longest_outage_s": round(longest, 1),
        "health_probes": len(health),
        "api_reads": len(api),
        "api_failed": sum(1 for s in api if s["status"] != 200),
        "slowest_answer_s": round(max((s["took"] for s in health + api), default=0.0), 1),
        "api_reads_during_upgrade": len(during),
    }


def seed(name, scale):
    """A larger site than the fixture's (seed_large.py): SCALE x 1000 devices, 12 interfaces each."""
    run(["docker", "cp", os.path.join(HERE, "seed_large.py"), f"{name}:/srv/bench/seed_large.py"])
    proc = sh(name, f"(echo SCALE={int(scale)}; cat /srv/bench/seed_large.py) | {AS_NAUTOBOT} {SERVER} shell --interface python",
              check=False)
    seeded = [line for line in proc.stdout.splitlines() if line.startswith("seeded")]
    if proc.returncode != 0 or not seeded:
        raise SystemExit(f"bench: seeding {name} failed: {(proc.stdout + proc.stderr)[-3000:]}")
    print("bench: " + seeded[-1], flush=True)


def database_mb(name):
    size = sh(name, "sudo -u postgres psql -At nautobot -c \"SELECT pg_database_size('nautobot')\"").stdout
    return round(int(size) / 2**20, 1)


def bench(method, image, wheelhouse, source, target, scale=0):
    name = f"nautobot-bench-{method}"
    print(f"bench: {method}: starting {name} from {image}", flush=True)
    start_host(name, image)
    copy_in(name, wheelhouse)
    if scale:
        seed(name, scale)
    database = database_mb(name)
    if os.path.exists(os.path.join(TOP, ".build/bench", f"{name}.log")):
        os.remove(os.path.join(TOP, ".build/bench", f"{name}.log"))
    if method == "role-reload":
        sh(name, RELOADABLE)
        wait_healthy(name)
    sh(name, "rm -f /srv/bench/stop /srv/bench/probe.jsonl; nohup python3 /srv/bench/probe.py >/srv/bench/probe.log 2>&1 &")
    time.sleep(3)
    upgrade = {"naive": naive_run, "role-pipelining": lambda *a: role_run(*a, pipelining=True)}.get(method, role_run)
    print(f"bench: {method}: upgrading {source} -> {target}", flush=True)
    started, ended, phases, bands = upgrade(name, target)
    time.sleep(3)
    sh(name, "touch /srv/bench/stop; sleep 1")
    samples = [json.loads(line) for line in sh(name, "cat /srv/bench/probe.jsonl").stdout.splitlines() if line.strip()]
    version = sh(name, "/opt/nautobot/bin/python -c \"import importlib.metadata as m; print(m.version('nautobot'))\"").stdout.strip()
    if version != target:
        raise SystemExit(f"bench: {name} runs {version} after the {method} upgrade, not {target}")
    print(f"bench: {method}: second run (nothing to do)", flush=True)
    again_started, again_ended, *_ = upgrade(name, target)
    result = {"wall_s": round(ended - started, 1), **summarize(samples, started, ended), "database_mb": database,
              "rerun_wall_s": round(again_ended - again_started, 1), "phases_s": phases, "version_after": version,
              "timeline": {"started": started, "ended": ended, "phases": [[p, round(a, 2), round(b, 2)] for p, a, b in bands]}}
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    subprocess.run(["docker", "volume", "rm", "-f", f"{name}-opt"], capture_output=True, check=False)
    with open(os.path.join(TOP, ".build/bench", f"probe-{method}.jsonl"), "w", encoding="utf-8") as out:
        out.writelines(json.dumps(sample) + "\n" for sample in samples)
    return result, samples


def table(results):
    rows = [("upgrade wall time (s)", "wall_s"), ("/health/ not 200 (s)", "health_down_s"),
            ("longest outage (s)", "health_longest_outage_s"), ("failed API reads", "api_failed"),
            ("slowest answer (s)", "slowest_answer_s"), ("no-op re-run (s)", "rerun_wall_s"), ("database (MiB)", "database_mb")]
    methods = [m for m in METHODS if m in results]
    roles = [m for m in methods if m != "naive"]
    lines = [f"{'':26}" + "".join(f"{m:>16}" for m in methods) + "".join(f"{m + '/naive':>22}" for m in roles)]
    for label, key in rows:
        naive = results["naive"][key]
        ratios = [f"{results[m][key] / naive:.2f}" if naive else "-" for m in roles]
        lines.append(f"{label:26}" + "".join(f"{results[m][key]:>16}" for m in methods) + "".join(f"{r:>22}" for r in ratios))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True)
    parser.add_argument("--wheelhouse", required=True)
    parser.add_argument("--from", dest="source", required=True)
    parser.add_argument("--to", dest="target", required=True)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--scale", type=int, default=0,
                        help="seed each host with SCALE x 1000 more devices (12 interfaces each, an address on every third)")
    args = parser.parse_args()
    suffix = f"-scale{args.scale}" if args.scale else ""
    os.makedirs(os.path.join(TOP, ".build/bench"), exist_ok=True)
    machine = {"cpus": os.cpu_count(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
               "kernel": os.uname().release, "cpu": next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                                                          if line.startswith("model name")), "unknown")}
    results = {"from": args.source, "to": args.target, "image": args.image, "machine": machine,
               "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "scale": args.scale}
    samples = {}
    for method in args.methods.split(","):
        results[method], samples[method] = bench(method, args.image, args.wheelhouse, args.source, args.target, args.scale)
    path = os.path.join(TOP, f".build/bench/result{suffix}.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)
    picture = os.path.join(TOP, f".build/bench/timeline{suffix}.svg")
    with open(picture, "w", encoding="utf-8") as out:
        out.write(timeline.svg(results, samples))
    print(f"\nNautobot {args.source} -> {args.target}, {machine['cpus']} CPUs ({machine['cpu']}), one Debian 12 container per method")
    if "naive" in results and ("role" in results or "role-reload" in results):
        print(table(results))
    for method in METHODS:
        if method in results:
            print(f"{method} phases (s): " + ", ".join(f"{k} {v}" for k, v in results[method]["phases_s"].items()))
    print(f"bench: written {path} and {picture}")


if __name__ == "__main__":
    main()
