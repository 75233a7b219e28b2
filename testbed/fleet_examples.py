"""Fleet reports as hosts send them, built from doctor's examples: for fleet.py's tests and its benchmark."""

from __future__ import annotations

import functools
import hashlib
import time

from tasks.doctor.report import report_json
from tasks.fleet.report import build, identity
from testbed import realtext as real
from testbed.doctor_examples import NO_RUNTIME, run

DAY = 86400
# 2026-12-06 12:00:00 UTC: "now" for the examples, so that ages and staleness are fixed.
NOW = 1796558400
UBUNTU = 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nID=ubuntu\nVERSION_ID="24.04"\n'
PENDING = {"restart_pending": ["since=2026-12-06 07:30:00 UTC", "why=daemon.json's default-ulimits"]}
# Kinds of host: doctor's facts on a converged workstation with these changed.
# A 16 GB laptop: its VM (half of it) smaller than its 16 GB GPU, and less than 20 GB left for images.
SMALL_LAPTOP = {"mem_total_kb": "8038524", "smi_mem": ["16376"], "disk": "9384112 1055762868 /"}
KINDS = {"converged": {}, "no-runtime": NO_RUNTIME, "restart-pending": PENDING, "small-laptop": SMALL_LAPTOP}


# When each commit reached the team's ref, in days before NOW: a host applies one at its next run after that.
PUSHED_DAYS_AGO = {1: 20, 2: 10, 3: 1}


def commit(n: int) -> str:
    """The n-th commit of the team's repository, as a sha1."""
    return hashlib.sha1(f"commit {n}".encode()).hexdigest()


@functools.cache
def doctor(kind: str) -> dict:
    name = "host"
    return report_json({name: run(KINDS[kind], {})}, [])["hosts"][name]


def stamp(seconds_ago: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - seconds_ago))


def report(hostname: str, *, commit_n: int = 3, age: float = 600, ok: bool = True, kind: str = "converged",
           error: str | None = None, changed=(), fetch_error: str | None = None, refused: str | None = None,
           upload: dict | None = None) -> dict:
    """A host's report, made age seconds before NOW, after a run that applied commit(commit_n)."""
    sha = commit(commit_n)
    applied = max(age, PUSHED_DAYS_AGO[commit_n] * DAY - 3600)
    outcome = {"ok": ok, "error": error, "changed": list(changed), "seconds": 42.5, "commit": sha, "ref": "main",
               "fetch_error": fetch_error, "refused": refused, "applied_since": stamp(applied)}
    host = identity(os_release=UBUNTU, kernel=real.WSL2_OSRELEASE_5_15_167_4, hostname=hostname)
    host["arch"] = "x86_64"
    return build(outcome, doctor(kind), None, host, repository={"commit": sha, "ref": "main"},
                 generated=stamp(age), upload=upload)


DAEMON_JSON_OP = "Docker daemon.json is as the settings give it"


def team() -> dict:
    """The README's fleet: {hostname: report}, with hosts up to date, lagging, stale, failing, waiting."""
    return {
        "laptop-01": report("laptop-01"),
        "laptop-02": report("laptop-02", age=1800, changed=[DAEMON_JSON_OP]),
        "laptop-03": report("laptop-03", commit_n=2, age=7200),
        "laptop-04": report("laptop-04", kind="restart-pending", changed=[DAEMON_JSON_OP]),
        "laptop-05": report("laptop-05", commit_n=1, age=5 * DAY),
        "laptop-06": report("laptop-06", ok=False, kind="no-runtime",
                            error="E: Unable to locate package nvidia-container-toolkit"),
        "laptop-07": report("laptop-07", age=3600, fetch_error="fatal: unable to access "
                            "'https://git.corp.example/team/wsl-gpu-docker.git/': Could not resolve host"),
        "laptop-08": report("laptop-08", commit_n=2, age=9 * DAY, refused="commit 3f9a... is not signed by "
                            "a key of pull_signing_keys"),
    }


def fleet(hosts: int) -> dict:
    """hosts reports as a large team's would be: most converged on the newest commit, some lagging (every 7th),
    stale (some of every 11th), failing (every 17th) or waiting for an engine restart (every 13th)."""
    out = {}
    for i in range(hosts):
        name = f"ws-{i:05}.lab.example.org"
        age = (i * 97) % (6 * DAY) if i % 11 == 0 else (i * 13) % (DAY // 2)
        newest = 2 if age > DAY else 3  # a host silent since before the newest commit cannot run it
        failing = i % 17 == 0
        out[name] = report(name, commit_n=newest - (i % 7 == 0), age=age, ok=not failing,
                           kind="no-runtime" if failing else "restart-pending" if i % 13 == 0 else "converged",
                           error="the deploy failed" if failing else None)
    return out
