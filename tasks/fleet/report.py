"""A host's fleet report: built after each pull run, kept root-only, uploaded with an HTTP PUT to report_url."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from tasks.managed import FLEET_REPORT, FLEET_REPORT_UNSENT, PULL_CONFIG
from tasks.masking import masked
from tasks.preflight import wsl_generation
from tasks.privatefile import write_private

# The report's version, as schemas/fleet-report.schema.json gives it: raise it with any change that
# fleet.py (or any other reader) must know of.
SCHEMA = 1
ROOT = Path(__file__).resolve().parents[2]
# requests trusts certifi's bundle unless told otherwise; the company CA that ca_certificates installs is
# in the system's bundle only.
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# Long enough for a slow VPN, short enough that a receiver that takes the connection and never answers
# holds the timer's run for a minute at most.
TIMEOUT = (10, 50)
DOCTOR_TIMEOUT = 300
_OS_REASON = re.compile(r"\[Errno -?\d+\] [^'\")]+|Read timed out|timed out")
OUTCOME_KEYS = {"ok": bool, "error": (str, type(None)), "changed": list, "seconds": (int, float),
                "commit": (str, type(None)), "ref": (str, type(None)), "fetch_error": (str, type(None)),
                "refused": (str, type(None)), "applied_since": (str, type(None))}


def now_utc(clock: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if clock is None else clock))


def _os_release(text: str) -> dict:
    values = {}
    for line in text.splitlines():
        name, eq, value = line.partition("=")
        if eq and name.strip():
            values[name.strip()] = value.strip().strip("\"'")
    return values


def identity(os_release: str | None = None, kernel: str | None = None, hostname: str | None = None) -> dict:
    """Who this host is: its name (the report's file name on the receiver), distribution, kernel and WSL."""
    if os_release is None:
        os_release = Path("/etc/os-release").read_text(errors="replace") if Path("/etc/os-release").exists() else ""
    if kernel is None:
        # A WSL kernel's release as the distro sees it: /proc, not uname (see tests' twins).
        osrelease = Path("/proc/sys/kernel/osrelease")
        kernel = osrelease.read_text().strip() if osrelease.exists() else platform.release()
    release = _os_release(os_release)
    return {
        "hostname": hostname or socket.gethostname(),
        "distro": release.get("PRETTY_NAME") or release.get("ID") or "unknown",
        "distro_id": release.get("ID", ""),
        "distro_version": release.get("VERSION_ID", ""),
        "kernel": kernel,
        "wsl": wsl_generation(kernel),
        "arch": platform.machine(),
    }


def outcome_problems(outcome) -> list[str]:
    """What is wrong with the runner's outcome, one line each: none for a good one."""
    if not isinstance(outcome, dict):
        return ["the outcome is not a JSON object"]
    problems = [f"{key} is missing" for key in OUTCOME_KEYS if key not in outcome]
    problems += [f"{key} = {masked(repr(outcome[key]))} has the wrong type" for key, kinds in OUTCOME_KEYS.items()
                 if key in outcome and (not isinstance(outcome[key], kinds)
                                        or (kinds is bool) != isinstance(outcome[key], bool))]
    return problems


def _scrubbed(value, secrets: list[str]):
    """value with every URL's password masked and each secret replaced, through dicts and lists."""
    if isinstance(value, dict):
        return {k: _scrubbed(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, secrets) for v in value]
    if isinstance(value, str):
        value = masked(value)
        for secret in secrets:
            value = value.replace(secret, "***")
    return value


def build(outcome: dict, doctor: dict | None, doctor_error: str | None, host: dict, *,
          repository: dict, generated: str, upload: dict | None = None, secrets: list[str] = ()) -> dict:
    """The report: doctor's findings, the run's outcome, the commit applied, the time and who the host is.
    No credential reaches it: every text passes through masked() and the secrets given are replaced."""
    report = {
        "schema": SCHEMA,
        "generated": generated,
        "host": host,
        "repository": repository,
        "outcome": outcome,
        "doctor": doctor,
        "doctor_error": doctor_error,
        "upload": upload or {"failed_since": None, "last_error": None},
    }
    return _scrubbed(report, [s for s in secrets if s])


def secrets_of(config: dict) -> list[str]:
    """The literal secrets in the pull config: the URL's password and the header's value."""
    found = []
    url = config.get("report_url") or ""
    parts = urlsplit(url)
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    header = config.get("report_header") or ""
    if ":" in header:
        value = header.partition(":")[2].strip()
        found.append(value)
    return [s for s in found if len(s) >= 3]


def target(report_url: str, hostname: str) -> tuple[str, tuple[str, str] | None]:
    """The report's URL without credentials, and the basic auth the URL held (None when it held none)."""
    parts = urlsplit(report_url)
    auth = (unquote(parts.username or ""), unquote(parts.password or "")) if parts.username is not None else None
    netloc = parts.hostname if ":" not in (parts.hostname or "") else f"[{parts.hostname}]"
    if parts.port:
        netloc += f":{parts.port}"
    base = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return base + quote(hostname, safe="") + ".json", auth


def header_dict(header: str | None) -> dict:
    if not header:
        return {}
    name, _, value = header.partition(":")
    return {name.strip(): value.strip()}


def upload(body: bytes, url: str, auth, header: str | None, ca_bundle: str | None) -> str | None:
    """PUTs body to url; None when the receiver took it, else one line saying why not (no secret in it)."""
    import requests  # the runner's send alone uploads: doctor's and the deploy's runs need not load it

    verify = ca_bundle if ca_bundle and Path(ca_bundle).exists() else True
    try:
        response = requests.put(url, data=body, auth=auth, headers={"Content-Type": "application/json",
                                                                    **header_dict(header)},
                                timeout=TIMEOUT, verify=verify, allow_redirects=False)
    except requests.exceptions.SSLError as error:
        return f"TLS failed ({type(error).__name__}): is the receiver's CA in ca_certificates? {error}"
    except requests.exceptions.RequestException as error:
        # urllib3's text wraps the reason in its pools and retries: the OS's words are what a lead needs.
        reason = _OS_REASON.search(str(error))
        return f"the receiver did not answer ({type(error).__name__}): {reason[0] if reason else error}"
    if response.status_code in (200, 201, 204):
        return None
    hint = {401: "wrong credentials in report_url or report_header",
            403: "the receiver refuses this user or token the PUT",
            404: "no such folder: check report_url",
            405: "the receiver does not take PUT there: check report_url"}.get(response.status_code, "")
    return f"HTTP {response.status_code} {response.reason}" + (f" ({hint})" if hint else "")


def run_doctor(checkout: Path) -> tuple[dict | None, str | None]:
    """Doctor's findings on this host, run as the lead runs it (`pyinfra @local doctor.py`), or why none."""
    with tempfile.TemporaryDirectory(prefix="wsl-gpu-docker-doctor-") as folder:
        path = Path(folder) / "doctor-report.json"
        command = [sys.executable, "-m", "pyinfra", "@local", "doctor.py", "-y",
                   "--data", f"doctor_report_path={path}", "--data", f"doctor_report_html_path={folder}/page.html"]
        try:
            done = subprocess.run(command, cwd=checkout, capture_output=True, text=True, timeout=DOCTOR_TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"doctor did not run: {error}"
        return read_doctor(path, done.stdout + done.stderr)


def read_doctor(path: Path, said: str = "") -> tuple[dict | None, str | None]:
    """The one host's entry of a doctor JSON report ({"failed", "checks"}), or why there is none."""
    try:
        report = json.loads(path.read_text())
        (entry,) = report["hosts"].values()
        return {"failed": entry["failed"], "checks": entry["checks"]}, None
    except (OSError, ValueError, KeyError, TypeError) as error:
        tail = " | ".join(said.strip().splitlines()[-3:])
        return None, f"doctor gave no report ({type(error).__name__}: {error})" + (f": {tail}" if tail else "")


def _git_commit(checkout: Path) -> str | None:
    done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or None if done.returncode == 0 else None


def send(outcome_text: str, *, config_path: Path, report_path: Path, unsent_path: Path, checkout: Path,
         doctor_json: Path | None = None, ca_bundle: str | None = SYSTEM_CA_BUNDLE, hostname: str | None = None,
         clock: float | None = None) -> list[str]:
    """Builds this run's report, keeps it root-only and uploads it: the lines to print, never an exception
    for what a host may meet (no config, a bad outcome, a receiver that is down or refuses)."""
    said = []
    try:
        config = json.loads(config_path.read_text()) if config_path.exists() else {}
    except (OSError, ValueError) as error:
        config = {}
        said.append(f"report: {config_path} unreadable ({type(error).__name__}); the report is kept, not sent")
    secrets = secrets_of(config)
    if secrets and config_path.stat().st_mode & 0o077:
        said.append(f"report: {config_path} can be read by other users than root (mode "
                    f"{config_path.stat().st_mode & 0o777:o}), and it holds the receiver's credential: "
                    f"`chmod 600 {config_path}`, and rerun the deploy")
    try:
        outcome = json.loads(outcome_text)
    except ValueError as error:
        outcome = None
        problems = [f"not JSON: {error}"]
    else:
        problems = outcome_problems(outcome)
    if problems:
        said.append("report: the runner's outcome is not as agreed: " + "; ".join(problems))
        outcome = {"ok": False, "error": "the runner's outcome could not be read: " + "; ".join(problems),
                   "changed": [], "seconds": 0, "commit": None, "ref": config.get("ref"), "fetch_error": None,
                   "refused": None, "applied_since": None}
    doctor, doctor_error = (read_doctor(doctor_json) if doctor_json else run_doctor(checkout))
    host = identity(hostname=hostname)
    previous = {}
    if unsent_path.exists():
        try:
            previous = json.loads(unsent_path.read_text()).get("upload") or {}
        except (OSError, ValueError, AttributeError):
            previous = {}
    generated = now_utc(clock)
    repository = {"commit": _git_commit(checkout), "ref": outcome.get("ref")}
    report = build(outcome, doctor, doctor_error, host, repository=repository, generated=generated,
                   upload=previous, secrets=secrets)
    url_setting = config.get("report_url")
    if not url_setting:
        write_private(report_path, json.dumps(report, indent=2) + "\n")
        said.append(f"report: written to {report_path}; no report_url, so not uploaded")
        return said
    url, auth = target(url_setting, host["hostname"])
    error = upload(json.dumps(report, indent=2).encode() + b"\n", url, auth, config.get("report_header"),
                   ca_bundle)
    if error is None:
        write_private(report_path, json.dumps(report, indent=2) + "\n")
        unsent_path.unlink(missing_ok=True)
        said.append(f"report: sent to {masked(url)}")
    else:
        # The receiver keeps one file per host, so the next run's report replaces this one there: what is
        # carried over is since when uploads fail and why, which that report then shows.
        error = _scrubbed(error, secrets)
        report["upload"] = {"failed_since": previous.get("failed_since") or generated, "last_error": error}
        text = json.dumps(report, indent=2) + "\n"
        write_private(report_path, text)
        write_private(unsent_path, text)
        said.append(f"report: not sent to {masked(url)}: {error}; kept in {unsent_path}, sent at the next run")
    return [_scrubbed(line, secrets) for line in said]


def _outcome_text(value: str) -> str:
    """The outcome given as JSON, or as the path of the file the runner wrote it to."""
    if value.lstrip().startswith("{") or not Path(value).is_file():
        return value
    return Path(value).read_text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.fleet.report", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sender = commands.add_parser("send", help="build this run's report, keep it root-only and upload it")
    sender.add_argument("--outcome", required=True, help="the pull run's outcome: JSON, or the file holding it")
    sender.add_argument("--config", type=Path, default=Path(PULL_CONFIG), help=f"default {PULL_CONFIG}")
    sender.add_argument("--report", type=Path, default=Path(FLEET_REPORT), help=f"default {FLEET_REPORT}")
    sender.add_argument("--unsent", type=Path, default=Path(FLEET_REPORT_UNSENT),
                        help=f"default {FLEET_REPORT_UNSENT}")
    sender.add_argument("--checkout", type=Path, default=ROOT, help="the repository applied; default this one")
    sender.add_argument("--doctor-json", type=Path, help="doctor's JSON report of this host, instead of running it")
    sender.add_argument("--ca-bundle", default=SYSTEM_CA_BUNDLE, help=f"default {SYSTEM_CA_BUNDLE}")
    args = parser.parse_args(argv)
    os.umask(0o077)
    try:
        lines = send(_outcome_text(args.outcome), config_path=args.config, report_path=args.report,
                     unsent_path=args.unsent, checkout=args.checkout, doctor_json=args.doctor_json,
                     ca_bundle=args.ca_bundle)
    except Exception as error:  # noqa: BLE001 - a report that fails must never fail the run
        try:
            secrets = secrets_of(json.loads(args.config.read_text()))
        except (OSError, ValueError, AttributeError):
            secrets = []
        lines = [_scrubbed(f"report: not made ({type(error).__name__}): {error}", secrets)]
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
