#!/usr/bin/env bash
# `make demo`: start a local test host with the older Nautobot and upgrade it with
# playbooks/upgrade.yml, as an operator would run it against a real inventory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bin=$top/.venv/bin
host=nautobot-demo
fixture_version=${NAUTOBOT_OPS_FIXTURE_VERSION:-3.1.0}

# The newest release on the index; the pinned test target when the index cannot be asked.
latest=$("$bin/pip" index versions nautobot 2>/dev/null | sed -n 's/^nautobot (\(.*\))$/\1/p' || true)
target=${DEMO_VERSION:-${latest:-${NAUTOBOT_OPS_TARGET_VERSION:-3.2.7}}}

"$here/engine.sh"
fixture=$("$here/fixture-image.sh" bookworm "$fixture_version")
base=$("$here/base-image.sh" bookworm)
mapfile -t site_requirements < <(grep -vE '^[[:space:]]*(#|$)' "$here/fixture/files/local_requirements.txt")
wheelhouse=$("$here/wheelhouse.sh" "$base" "nautobot==$target" "${site_requirements[@]}")

echo "demo: starting $host from $fixture (Nautobot $fixture_version)"
docker rm -f "$host" >/dev/null 2>&1 || true
# shellcheck source=testbed/systemd-flags.sh
. "$here/systemd-flags.sh"
docker run -d --name "$host" --hostname "$host" "${SYSTEMD_FLAGS[@]}" "$fixture" >/dev/null
code=
for _ in $(seq 1 90); do
  code=$(docker exec "$host" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/health/ || true)
  [ "$code" = 200 ] && break
  sleep 2
done
if [ "$code" != 200 ]; then
  echo "demo: $host did not serve /health/ within 180 s (last answer: ${code:-none}); see: docker exec $host journalctl -u nautobot" >&2
  exit 1
fi

mkdir -p "$top/.build/demo"
cat > "$top/.build/demo/inventory.yml" <<YAML
nautobot:
  hosts:
    $host:
      ansible_connection: community.docker.docker
      ansible_python_interpreter: /usr/bin/python3
YAML

echo "demo: upgrading $host to Nautobot $target"
(cd "$top" && "$bin/ansible-playbook" -i .build/demo/inventory.yml playbooks/upgrade.yml \
  -e upgrade_version="$target" -e upgrade_wheelhouse="$wheelhouse")

cat <<TXT

demo: $host now runs Nautobot $(docker exec "$host" /opt/nautobot/bin/python -c "import importlib.metadata as m; print(m.version('nautobot'))").
Where to look:
  the plan and summary         the playbook output above (Preflight | The plan, Verify | Summary)
  health                       docker exec $host curl -s http://127.0.0.1:8080/health/
  units                        docker exec $host systemctl status nautobot nautobot-worker nautobot-scheduler
  the venv kept for rollback   docker exec $host ls /opt/nautobot/.nautobot-ops
  run it again (changes nothing), from any shell:
    cd $top && ANSIBLE_COLLECTIONS_PATH=$top/.build/collections $bin/ansible-playbook -i .build/demo/inventory.yml playbooks/upgrade.yml -e upgrade_version=$target -e upgrade_wheelhouse=$wheelhouse
  remove the host              make demo-clean
TXT
