#!/bin/sh
# Usage: journalctl _SYSTEMD_UNIT=docker.service -o cat ... | dockerd-reason.sh
# Prints why dockerd gave up starting, from its own journal lines: the error it stops on, which it
# prints plainly ("unable to configure the Docker daemon with file ...", "failed to start daemon: ...",
# 20.10's "unable to parse logging level: nonsense") or logs at level=fatal. Errors it logs at other
# levels it outlives ("failed to mount overlay: invalid argument", on every start in a container).
lines=$(cat)
fatal=$(printf '%s\n' "$lines" \
    | grep -iE 'failed to start daemon|unable to configure the docker daemon|level=fatal|^fata')
if [ -z "$fatal" ]; then
    # Every line logrus writes carries its level (level=info, or INFO[...] on a terminal).
    fatal=$(printf '%s\n' "$lines" | grep -vE 'level=[a-z]+|^(DEBU|INFO|WARN|ERRO)\[' | grep -v '^[[:space:]]*$')
fi
# A unit that systemd restarts says the same again: each line once, the last two.
printf '%s\n' "$fatal" | awk 'NF && !seen[$0]++' | tail -n 2
