"""Pull mode's settings checks and the files it puts on a host: the units, the runner, its settings, the keys."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from tasks.managed import (
    PULL_APPLIED,
    PULL_CHECKOUT,
    PULL_CONFIG,
    PULL_KEYRING,
    PULL_OUTCOME,
    PULL_RUNNER,
    PULL_SERVICE,
    PULL_TIMER,
    RUN_LOCK,
)
from tasks.masking import SED_PROGRAM
from tasks.shell import script_text

# Where the public parts of pull_signing_keys are committed, one armored file a key.
SIGNING_KEYS_DIR = Path(__file__).resolve().parent.parent / "signing-keys"
TIMER_UNIT = PULL_TIMER.rpartition("/")[2]
SERVICE_UNIT = PULL_SERVICE.rpartition("/")[2]

# git's URL forms (git-fetch(1) "GIT URLS"): scheme://..., or scp-like [user@]host:path.
_GIT_URL = re.compile(r"^((https?|ssh|git|file)://\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$")
# A branch or tag name as git check-ref-format accepts it, without the rarer forms.
_REF = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)(?!.*\.lock$)(?!/)[A-Za-z0-9._/+-]+(?<![./])$")
_CALENDAR = re.compile(r"^[A-Za-z0-9 *:,./~+-]+$")


def is_git_url(value):
    if not isinstance(value, str) or not _GIT_URL.match(value) or re.search(r"[\"'$`\\;]", value):
        return ("must be a git URL such as \"https://git.corp.example/team/wsl-gpu-docker.git\" or "
                "\"git@git.corp.example:team/wsl-gpu-docker.git\", with no spaces, quotes, $, `, ; or \\")
    return None


def is_ref(value):
    if not isinstance(value, str) or not _REF.match(value):
        return "must be a branch or tag name such as \"main\" or \"v1.4\""
    return None


def signing_key_path(fingerprint: str) -> Path:
    """Where a pull_signing_keys key's public part is committed (by its fingerprint as validate() gives it)."""
    return SIGNING_KEYS_DIR / f"{fingerprint}.asc"


def signing_keys_problem(fingerprints: list[str]):
    """Why these fingerprints (each valid, as validate() writes them) cannot be checked: a public key missing."""
    for fingerprint in fingerprints:
        path = signing_key_path(fingerprint)
        try:
            text = path.read_text()
        except OSError:
            return (f"names {fingerprint}, whose public key is not at signing-keys/{path.name}: commit it "
                    f"there (`gpg --export --armor {fingerprint} > signing-keys/{path.name}`)")
        if "-----BEGIN PGP PUBLIC KEY BLOCK-----" not in text:
            return f"names {fingerprint}, but signing-keys/{path.name} is not an armored public key"
    return None


def is_calendar(value):
    if not isinstance(value, str) or not value.strip() or not _CALENDAR.match(value):
        return "must be a systemd calendar expression such as \"hourly\", \"daily\" or \"*-*-* 09:00\""
    return None


def config_json(settings) -> str:
    """PULL_CONFIG: what the runner and the report uploader read. report_url and report_header are the
    report's settings, null until the deploy has them."""
    config = {"repo_url": settings.pull_repo_url, "ref": settings.pull_ref, "signing_keys": settings.pull_signing_keys,
              "report_url": getattr(settings, "report_url", None),
              "report_header": getattr(settings, "report_header", None)}
    return json.dumps(config, indent=2, sort_keys=True) + "\n"


def keyring_text(settings) -> str | None:
    """PULL_KEYRING: the armored public keys of pull_signing_keys, or None without any."""
    keys = settings.pull_signing_keys
    return "".join(signing_key_path(f).read_text() for f in keys) if keys else None


def service_unit(settings) -> str:
    args = [f"CONFIG={PULL_CONFIG}", f"KEYRING={PULL_KEYRING}", f"CHECKOUT={PULL_CHECKOUT}",
            f"OUTCOME={PULL_OUTCOME}", f"APPLIED={PULL_APPLIED}", f"LOCK={RUN_LOCK}",
            f"LOCK_WAIT={settings.run_lock_timeout}"]
    return (
        "# Written by wsl-gpu-docker's deploy (tasks/pull.py): started by its timer.\n"
        "[Unit]\n"
        "Description=wsl-gpu-docker: converge this host at the team's pinned commit (pull_repo_url, pull_ref)\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        # No terminal: nothing may wait for a person.
        "StandardInput=null\n"
        "Environment=HOME=/root\n"
        f"ExecStart=/bin/sh {PULL_RUNNER} {' '.join(args)}\n"
    )


def timer_unit(settings) -> str:
    return (
        "# Written by wsl-gpu-docker's deploy (tasks/pull.py).\n"
        "[Unit]\n"
        "Description=wsl-gpu-docker: keep this host at the team's pinned commit\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={settings.pull_schedule}\n"
        f"RandomizedDelaySec={settings.pull_randomized_delay}\n"
        # A WSL distro runs only while someone uses it: a run missed meanwhile happens at its next start.
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def runner_text() -> str:
    """PULL_RUNNER: files/pull-run.sh with what it needs, and the masking rule it prints through."""
    return f"#!/bin/sh\nSED_PROGRAM={shlex.quote(SED_PROGRAM)}\n{script_text('pull-run.sh')}"


def pull_files(settings) -> dict[str, tuple[str | None, str]]:
    """{path: (its text, or None for absent; its mode)} of pull mode's files, with pull_repo_url set."""
    return {
        PULL_RUNNER: (runner_text(), "755"),
        PULL_CONFIG: (config_json(settings), "600"),
        PULL_KEYRING: (keyring_text(settings), "644"),
        PULL_SERVICE: (service_unit(settings), "644"),
        PULL_TIMER: (timer_unit(settings), "644"),
    }
