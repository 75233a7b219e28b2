"""Read and validate the deploy's settings before anything touches the host."""

from __future__ import annotations

import difflib
import functools
import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

from packaging.version import InvalidVersion, Version
from pyinfra.api.connectors import get_all_connectors
from pyinfra.api.exceptions import PyinfraError

from defaults import DEFAULTS
from tasks.daemon import OWN_DAEMON_KEYS, ULIMIT_NAMES, UNLIMITED, own_keys, ram_in_bytes, ulimit_pair
from tasks.findings import FAIL, Finding, failure, line
from tasks.masking import masked_setting
from tasks.pullmode import is_calendar, is_git_url, is_ref, signing_keys_problem

# ca_certificates are read relative to the deploy's folder.
DEPLOY_DIR = Path(__file__).resolve().parent.parent

# How alike an unknown name must be to one of ours to be its typo (difflib's ratio): docker_user,
# nvida_toolkit_version and dcoker_users are; other deploys' docker_packages and gpu_count are not.
_TYPO_CUTOFF = 0.85
_HEX40 = re.compile(r"^[0-9A-F]{40}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DEB_VERSION = re.compile(r"^[0-9][A-Za-z0-9.+~:]*(-[A-Za-z0-9.+~]+)?$")
# A proxy URL lands in sh, systemd and apt files: these characters must be percent-encoded.
# RFC 9110's token: the characters a header's name may hold.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_UNSAFE_IN_URL = re.compile(r"[\s\"'$`\\;]")
_NO_PROXY_ENTRY = re.compile(r"^[A-Za-z0-9.*_:\[\]/-]+$")
_USER = re.compile(r"^[a-z_][a-z0-9_-]*\$?$")
_RESERVED_DAEMON_KEYS = {
    "default-runtime": "set nvidia_default_runtime instead",
}


# The findings the settings check may give, each a FAIL.
INVALID, UNKNOWN, PLAIN_HTTP_SCRIPT = "settings.invalid", "settings.unknown", "settings.plain-http-script"
DAEMON_KEY_TWICE = "settings.daemon-key-twice"
IDS = {INVALID: FAIL, UNKNOWN: FAIL, PLAIN_HTTP_SCRIPT: FAIL, DAEMON_KEY_TWICE: FAIL}


class SettingsError(PyinfraError):
    """One or more settings are invalid; the message lists each with its fix."""

    def __init__(self, problems: list[Finding]):
        self.problems = problems
        super().__init__("invalid settings:\n  - " + "\n  - ".join(line(p) for p in problems))


@functools.cache
def _connector_keys() -> set[str]:
    keys: set[str] = set()
    for connector in get_all_connectors().values():
        keys.update(getattr(connector, "data_meta", {}) or {})
    return keys


def _is_bool(value):
    return None if isinstance(value, bool) else "must be true or false"


def _is_url(value):
    if not isinstance(value, str):
        return "must be a URL string"
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return "must be an http:// or https:// URL"
    return None


def _is_proxy_url(value):
    if not isinstance(value, str):
        return "must be a proxy URL string such as \"http://proxy.corp.example:3128\""
    if _UNSAFE_IN_URL.search(value):
        return "must not contain spaces, quotes, $, `, ; or \\ (percent-encode them in credentials)"
    parsed = urlparse(value)
    try:
        port = parsed.port
    except ValueError:
        return "must have a port between 1 and 65535"
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "must be an http:// or https:// URL with a host, e.g. \"http://proxy.corp.example:3128\""
    if port == 0 or parsed.path not in ("", "/") or parsed.query or parsed.fragment:
        return "must be only scheme://[user:password@]host[:port], with no path"
    return None


def _is_no_proxy(value):
    entries = value.split(",") if isinstance(value, str) else None
    if not entries or not all(_NO_PROXY_ENTRY.match(e.strip()) for e in entries):
        return "must be comma-separated hosts and domains, e.g. \"localhost,127.0.0.1,.corp.example\""
    return None


def ca_certificate_path(name: str) -> Path:
    """Where a ca_certificates entry is read, on the machine running pyinfra."""
    return DEPLOY_DIR / name


def _is_ca_certificates(value):
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        return "must be a list of PEM file paths, e.g. [\"certs/corp-root-ca.pem\"]"
    for name in value:
        path = ca_certificate_path(name)
        try:
            from cryptography import x509  # only with a CA to read: a tenth of a no-op rerun's imports

            if not x509.load_pem_x509_certificates(path.read_bytes()):
                raise ValueError
        except OSError as error:
            return f"names {name}, which cannot be read ({error.strerror})"
        except ValueError:
            return f"names {name}, which is not a PEM certificate (-----BEGIN CERTIFICATE-----)"
    names = [Path(p).stem for p in value]
    if len(set(names)) != len(names):
        return "names two files with the same name: each is installed under its own"
    return None


def fingerprint(value: str) -> str:
    """A key fingerprint as the deploy compares it: no spaces, upper case."""
    return value.replace(" ", "").upper()


def _is_fingerprint(value):
    if not isinstance(value, str) or not _HEX40.match(fingerprint(value)):
        return "must be a full key fingerprint: 40 hex digits"
    return None


def _is_signing_keys(value):
    if not isinstance(value, list) or any(_is_fingerprint(f) for f in value):
        return "must be a list of full key fingerprints (40 hex digits each), e.g. [\"0123...CDEF\"]"
    return signing_keys_problem([fingerprint(f) for f in value])


def _is_version(value):
    if not isinstance(value, str):
        return "must be a version string such as \"5.10.43.3\""
    try:
        Version(value)
    except InvalidVersion:
        return "must be a version such as \"5.10.43.3\""
    return None


def _optional(check):
    return lambda value: None if value is None else check(value)


def _is_sha256(value):
    if not isinstance(value, str) or not _HEX64.match(value.lower()):
        return "must be a sha256 digest: 64 hex digits"
    return None


def _is_deb_version(value):
    if not isinstance(value, str) or not _DEB_VERSION.match(value):
        return "must be an apt package version such as \"1.20.1-1\""
    return None


def _one_of(*choices):
    def check(value):
        if value not in choices:
            return "must be one of " + ", ".join(f'"{c}"' for c in choices)
        return None

    return check


def _is_users(value):
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        return "must be a list of user names, e.g. [\"alice\"]"
    bad = [u for u in value if not _USER.match(u)]
    if bad:
        return f"has invalid user names {bad}"
    if "root" in value:
        return "must not contain root, which needs no docker group"
    return None


def _is_daemon_options(value):
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        return "must be a dict of daemon.json keys, e.g. {\"log-level\": \"warn\"}"
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        return f"must hold only JSON values (strings, numbers, true/false, lists, dicts): {error}"
    for key, fix in _RESERVED_DAEMON_KEYS.items():
        if key in value:
            return f"must not set {key!r}: {fix}"
    runtimes = value.get("runtimes", {})
    if not isinstance(runtimes, dict):
        return "must give \"runtimes\" as a dict of runtime names, as daemon.json does"
    if "nvidia" in runtimes:
        return "must not define the nvidia runtime: the deploy writes it"
    return None


def _is_shm_size(value):
    if not isinstance(value, str) or not ram_in_bytes(value):
        return 'must be a size as dockerd reads it: bytes, or a number with k, m or g (binary units), e.g. "1G"'
    return None


def _is_ulimits(value):
    example = '{"memlock": -1, "stack": 67108864} (-1: unlimited; "soft:hard" for two values, e.g. "1024:4096")'
    if not isinstance(value, dict):
        return f"must be a dict of ulimit names to limits, e.g. {example}"
    unknown = sorted(str(name) for name in value if name not in ULIMIT_NAMES)
    if unknown:
        return f"names {', '.join(unknown)}, which Docker does not know: use {', '.join(sorted(ULIMIT_NAMES))}"
    for name, limit in value.items():
        pair = ulimit_pair(limit)
        if pair is None or any(n < UNLIMITED for n in pair):
            return f"gives {name} {limit!r}: give a number (-1: unlimited) or \"soft:hard\", e.g. {example}"
        soft, hard = (float("inf") if n == UNLIMITED else n for n in pair)
        if soft > hard:
            return (f"gives {name} a soft limit above its hard one ({limit!r}): "
                    "the soft limit comes first, \"soft:hard\"")
    return None


def _is_mtu(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 68 <= value <= 65535:
        return "must be a whole number of bytes from 68 to 65535, e.g. 1400 (the MTU of the VPN's interface)"
    return None


def _is_seconds(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return "must be a whole number of seconds, 0 or more"
    return None


def _is_gigabytes(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 10**6:
        return "must be a number of GB, 0 or more (e.g. 20; 0 turns the warning off)"
    return None


def _is_text(value):
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    return None


def _is_report_url(value):
    problem = _is_url(value)
    if problem:
        return problem + ", the folder the reports go into, e.g. \"https://dav.corp.example/reports/\""
    if not value.endswith("/"):
        return "must end with / (each host puts <report_url><hostname>.json)"
    if _UNSAFE_IN_URL.search(value):
        return "must not contain spaces, quotes, $, `, ; or \\ (percent-encode them in credentials)"
    return None


def _is_header(value):
    name, colon, content = value.partition(":") if isinstance(value, str) else ("", "", "")
    if not colon or not _HEADER_NAME.match(name) or not content.strip() or "\n" in value or "\r" in value:
        return "must be one HTTP header, \"Name: value\", e.g. \"PRIVATE-TOKEN: glpat-...\""
    return None


def _is_days(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return "must be a number of days, more than 0"
    return None


_CHECKS = {
    "preflight_strict": _is_bool,
    "min_kernel_version": _is_version,
    "apt_lock_timeout": _is_seconds,
    "run_lock_timeout": _is_seconds,
    "http_proxy": _optional(_is_proxy_url),
    "https_proxy": _optional(_is_proxy_url),
    "no_proxy": _optional(_is_no_proxy),
    "ca_certificates": _is_ca_certificates,
    "docker_users_proxy": _is_bool,
    "docker_engine": _one_of("docker-ce", "docker-desktop"),
    "docker_install_script_url": _is_url,
    "docker_install_script_sha256": _optional(_is_sha256),
    "docker_download_url": _is_url,
    "docker_channel": _one_of("stable", "test"),
    "docker_version": _optional(_is_version),
    "docker_gpg_fingerprint": _is_fingerprint,
    "docker_users": _optional(_is_users),
    "docker_daemon_options": _is_daemon_options,
    "docker_default_shm_size": _optional(_is_shm_size),
    "docker_default_ulimits": _is_ulimits,
    "docker_mtu": _optional(_is_mtu),
    "engine_restart": _one_of("when-idle", "now"),
    "nvidia_repo_url": _is_url,
    "nvidia_gpg_fingerprint": _is_fingerprint,
    "nvidia_toolkit_version": _optional(_is_deb_version),
    "nvidia_docker2": _is_bool,
    "nvidia_default_runtime": _is_bool,
    "wsl_systemd": _is_bool,
    "gpu_smoke_test": _is_bool,
    "gpu_smoke_test_image": _is_text,
    "gpu_smoke_test_command": _is_text,
    "pull_repo_url": _optional(is_git_url),
    "pull_ref": is_ref,
    "pull_signing_keys": _is_signing_keys,
    "pull_schedule": is_calendar,
    "pull_randomized_delay": _is_seconds,
    "doctor_report_path": _optional(_is_text),
    "doctor_report_html_path": _optional(_is_text),
    "doctor_gpu_container": _is_bool,
    "doctor_min_free_disk_gb": _is_gigabytes,
    "report_url": _optional(_is_report_url),
    "report_header": _optional(_is_header),
    "fleet_stale_days": _is_days,
}
assert _CHECKS.keys() == DEFAULTS.keys(), "every setting needs a check"


def _unknown_names(data: dict) -> list[Finding]:
    errors = []
    for name in sorted(data):
        if name in DEFAULTS:
            continue
        # Other deploys' data may share the inventory: only a near miss of ours is a typo. The
        # connectors' own keys, slow to list (every package's entry points), are asked only then.
        close = difflib.get_close_matches(name, DEFAULTS, n=1, cutoff=_TYPO_CUTOFF)
        if close and name not in _connector_keys():
            errors.append(failure(UNKNOWN, f"unknown setting {name}: did you mean {close[0]}?"))
    return errors


def _cross_checks(s: dict) -> list[Finding]:
    errors = []
    url = s["docker_install_script_url"]
    if isinstance(url, str) and url.startswith("http://") and not s["docker_install_script_sha256"]:
        errors.append(failure(PLAIN_HTTP_SCRIPT, f"docker_install_script_url = {url!r}: a script over plain http is "
                              "run only with docker_install_script_sha256 set", "use https:// or set the sha256."))
    for key in sorted(own_keys(SimpleNamespace(**s)).keys() & s["docker_daemon_options"].keys()):
        name = OWN_DAEMON_KEYS[key]
        errors.append(failure(DAEMON_KEY_TWICE, f"daemon.json's {key!r} is set twice: by {name} and by "
                              f"docker_daemon_options[{key!r}]",
                              f"keep one: remove {key!r} from docker_daemon_options, or unset {name}."))
    return errors


def validate(data: dict) -> SimpleNamespace:
    """Return the settings (defaults overridden by data), or raise SettingsError naming each bad one."""
    merged = {name: data.get(name, default) for name, default in DEFAULTS.items()}
    errors = _unknown_names(data)
    for name, check in _CHECKS.items():
        problem = check(merged[name])
        if problem:
            errors.append(failure(INVALID, f"{name} = {masked_setting(name, repr(merged[name]))}: {problem}",
                                  f"correct it in inventory.py, or remove it to use the default {DEFAULTS[name]!r}."))
    if not errors:
        errors = _cross_checks(merged)
    if errors:
        raise SettingsError(errors)

    for name in ("docker_gpg_fingerprint", "nvidia_gpg_fingerprint"):
        merged[name] = fingerprint(merged[name])
    merged["pull_signing_keys"] = [fingerprint(f) for f in merged["pull_signing_keys"]]
    for name in ("docker_download_url", "nvidia_repo_url"):
        merged[name] = merged[name].rstrip("/")
    if merged["docker_install_script_sha256"]:
        merged["docker_install_script_sha256"] = merged["docker_install_script_sha256"].lower()
    return SimpleNamespace(**merged)
