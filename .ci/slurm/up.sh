#!/usr/bin/env bash
# Starts munged, slurmctld and slurmd on this machine (root, no systemd) and waits until the node is idle.
# .ci/install-deps installs the packages. Stop with down.sh (by PID: only what was started here). Exits 1 with the
# daemons' logs if the node does not come up within 30 s, 77 (and touches nothing) if /etc/slurm/slurm.conf is the
# machine's own.
set -euo pipefail
# The daemons must not inherit our caller's descriptors (a test runner's pipes would never see EOF): close all
# but stdin/stdout/stderr and bash's own script descriptor (255).
for fd in /proc/$$/fd/*; do
  n=${fd##*/}
  if [ "$n" -gt 2 ] 2>/dev/null && [ "$n" -ne 255 ]; then eval "exec $n>&-" 2>/dev/null || true; fi
done
here=$(cd "$(dirname "$0")" && pwd)
command -v slurmctld >/dev/null || { echo "slurmctld is not installed (run .ci/install-deps)" >&2; exit 69; }
[ "$(id -u)" -eq 0 ] || { echo "starting Slurm here needs root" >&2; exit 77; }
# CPUs= may not exceed the real cores, or the node is drained.
cpus=$(nproc); [ "$cpus" -le 2 ] || cpus=2
# Never replace a Slurm configuration that is not ours (a machine with its own Slurm, not running now).
if [ -s /etc/slurm/slurm.conf ] && ! grep -qE '^# (LaborMatch CI Slurm|Slurm on one machine for the sharded-run test)' /etc/slurm/slurm.conf; then
  echo "/etc/slurm/slurm.conf is this machine's own Slurm configuration; not replacing it (start that Slurm, or test on a CI machine)" >&2
  exit 77
fi
install -d /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
sed "s/CPUs=2/CPUs=$cpus/" "$here/slurm.conf" > /etc/slurm/slurm.conf
chmod 0644 /etc/slurm/slurm.conf
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --force; chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
fi
install -d -o munge -g munge -m 0755 /run/munge   # no systemd, so no tmpfiles: create it
# The daemons get no stdout/stderr of ours (they log to files): a caller reading our output until EOF would
# otherwise wait for them to exit.
# The PID files of the daemons started here, for down.sh (a munged that was already running is left alone).
started=/run/labormatch-slurm.pidfiles
: > "$started"
if ! { [ -s /run/munge/munged.pid ] && kill -0 "$(cat /run/munge/munged.pid)" 2>/dev/null; }; then
  runuser -u munge -- /usr/sbin/munged </dev/null >/dev/null 2>&1
  echo /run/munge/munged.pid >> "$started"
fi
munge -n | unmunge >/dev/null
slurmctld </dev/null >/dev/null 2>&1
slurmd -N localhost </dev/null >/dev/null 2>&1
printf '%s\n' /run/slurmd.pid /run/slurmctld.pid >> "$started"
for i in $(seq 1 30); do
  sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)$' && exit 0
  sleep 1
done
sinfo -N -l >&2 || true
tail -n 20 /var/log/slurm/*.log >&2 || true
exit 1
