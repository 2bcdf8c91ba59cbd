"""What Benchmarks/common.sh's `timed` wrote for a step: its wall seconds and peak RSS in MB (used by the scripts'
report tables)."""


def step(directory, name):
    seconds, megabytes = open(f"{directory}/{name}.time").read().split()
    return float(seconds), int(megabytes)
