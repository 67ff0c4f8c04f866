# The container flags systemd needs as PID 1 on these machines (--privileged fails:
# the kernel's bounding set lacks CAP_SYS_RESOURCE). Sourced by the testbed scripts;
# molecule/ has the same recipe in .config/molecule/config.yml.
# shellcheck disable=SC2034
SYSTEMD_FLAGS=(--cap-add SYS_ADMIN --security-opt seccomp=unconfined --cgroupns=host
  -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run --tmpfs /run/lock)
