#!/usr/bin/env bash
# Stops the daemons up.sh started (their PID files are listed in /run/labormatch-slurm.pidfiles), by PID, never by
# name, waiting up to 10 s each: slurmd, slurmctld, then munged if up.sh started it. Safe to run twice.
started=/run/labormatch-slurm.pidfiles
[ -s "$started" ] || exit 0
while read -r f; do
  [ -s "$f" ] || continue
  p=$(cat "$f")
  kill "$p" 2>/dev/null || continue
  for i in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$p" 2>/dev/null && kill -9 "$p"
done < "$started"
rm -f "$started"
true
