"""Build a twin base image: a Debian suite plus what a fresh Ubuntu WSL distro already has."""

import glob
import hashlib
import json
import os
import re
import secrets
import shlex
import tempfile
from pathlib import Path

from .run import run

# The default suite, and the one this machine's apt names its Debian mirror for.
SUITE = "bookworm"
# Where a registry is reachable, set these to e.g. ubuntu:24.04 to skip debootstrap for a suite.
BASE_IMAGE_ENV = {"bookworm": "WSL_TWIN_BASE_IMAGE", "trixie": "WSL_TWIN_BASE_IMAGE_TRIXIE"}
# A fresh Ubuntu WSL distro has these (procps too: ps, pgrep); Docker and NVIDIA stay out,
# installing them is the deploy's job.
PACKAGES = "ca-certificates curl gnupg sudo lsb-release python3 systemd systemd-sysv dbus procps".split()
# Ubuntu's WSL images have shipped openssh-server too, without host keys (ubuntu/WSL#382); a team
# that rolls out over SSH sets it up. Twins serve it only when asked, on their own port.
PACKAGES.append("openssh-server")
EXTRA_CAS = "/usr/local/share/ca-certificates/*.crt"

# Each layer installs its packages the same way: quietly, and with no service started.
INSTALL_PACKAGES = r"""
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# No service starts while building: this container shares the machine's network (sshd on port 22).
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
apt-get install -y -qq --no-install-recommends {packages} >/dev/null
rm /usr/sbin/policy-rc.d"""
SECOND_LAYER = INSTALL_PACKAGES + r"""
# Test harness only: trust this machine's extra CAs so HTTPS (pip) works from inside a twin.
cp /tmp/twin-ca/*.crt /usr/local/share/ca-certificates/ 2>/dev/null || true
rm -rf /tmp/twin-ca
update-ca-certificates >/dev/null
# A fixed machine-id: with an empty one systemd treats every boot as the first and applies presets.
systemd-machine-id-setup
# WSL's first-run user: in group sudo, and sudo asks for the password.
useradd --create-home --shell /bin/bash --groups sudo dev
echo dev:dev | chpasswd
# No host keys and no sshd at boot (it would take port 22 of this machine): Twin(ssh_port=...) starts one.
rm -f /etc/ssh/ssh_host_*
systemctl disable ssh.service
# Package lists stay, as on a used distro, so each twin's apt-get update only revalidates them.
apt-get clean
"""

COMMIT_CHANGES = ['CMD ["/lib/systemd/systemd"]']


def debian_mirror() -> str:
    """The Debian mirror this machine's apt uses for bookworm; it serves the other suites too."""
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for stanza in Path(path).read_text().split("\n\n"):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, re.M))
            if fields.get("Enabled", "yes") != "no" and SUITE in fields.get("Suites", "").split():
                return fields["URIs"].split()[0]
    for path in ["/etc/apt/sources.list", *sorted(glob.glob("/etc/apt/sources.list.d/*.list"))]:
        text = Path(path).read_text() if os.path.exists(path) else ""
        match = re.search(rf"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+{SUITE}\s", text, re.M)
        if match:
            return match.group(1)
    return "http://deb.debian.org/debian"


def _base_override(suite: str) -> str | None:
    name = BASE_IMAGE_ENV.get(suite)
    return os.environ.get(name) if name else None


def _recipe(suite: str) -> dict:
    return {
        "base": _base_override(suite) or f"debootstrap --variant=minbase {suite} {debian_mirror()}",
        "packages": PACKAGES,
        "script": SECOND_LAYER,
        "changes": COMMIT_CHANGES,
        "cas": {p: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in sorted(glob.glob(EXTRA_CAS))},
    }


def image_tag(suite: str = SUITE) -> str:
    digest = hashlib.sha256(json.dumps(_recipe(suite), sort_keys=True).encode()).hexdigest()
    return f"wsl-twin:{suite}-{digest[:12]}"


def ensure_base_image(suite: str = SUITE) -> str:
    """Return the tag of `suite`'s twin base image, building it only if its recipe changed."""
    tag = image_tag(suite)
    if run(["docker", "image", "inspect", tag], check=False).returncode == 0:
        return tag
    base = _base_override(suite) or _import_debootstrap(suite)
    return _layer(base, SECOND_LAYER.format(packages=" ".join(PACKAGES)), tag, _copy_extra_cas)


def _copy_extra_cas(name: str) -> None:
    with tempfile.TemporaryDirectory() as cas:
        for crt in glob.glob(EXTRA_CAS):
            Path(cas, os.path.basename(crt)).write_bytes(Path(crt).read_bytes())
        run(["docker", "cp", f"{cas}/.", f"{name}:/tmp/twin-ca"])


def _layer(base: str, script: str, tag: str, before=lambda name: None) -> str:
    """tag: base with script run in it (on the host's network), committed with COMMIT_CHANGES; before(name)
    prepares the build container before the script starts."""
    name = f"wsl-twin-build-{secrets.token_hex(4)}"
    try:
        run(["docker", "create", "--network", "host", "--name", name, base, "sh", "-c", script])
        before(name)
        run(["docker", "start", "--attach", name], timeout=900)
        changes = [arg for change in COMMIT_CHANGES for arg in ("--change", change)]
        run(["docker", "commit", *changes, name, tag])
    finally:
        run(["docker", "rm", "-f", name], check=False)
    return tag


def _import_debootstrap(suite: str) -> str:
    """Debootstrap a minimal `suite` and import it; returns the untagged image id."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        rootfs = f"{tmp}/rootfs"
        run(["debootstrap", "--variant=minbase", suite, rootfs, debian_mirror()], timeout=900)
        imported = run(["bash", "-o", "pipefail", "-c", f"tar -C {rootfs} -c . | docker import -"])
    return imported.stdout.strip()


# A layer over a base image for the first-boot test: cloud-init as Ubuntu's WSL images ship it (with git),
# told what WSL's datasource would tell it. NoCloud's seed directory stands in for Windows' .cloud-init folder.
CLOUD_INIT_PACKAGES = ["cloud-init", "git"]
CLOUD_INIT_CFG = """\
# wsl-twin: as under WSL, cloud-init configures no network and keeps the hostname; the seed is NoCloud's.
datasource_list: [NoCloud, None]
network: {config: disabled}
preserve_hostname: true
"""
CLOUD_INIT_LAYER = INSTALL_PACKAGES + r"""
printf %s {cfg} > /etc/cloud/cloud.cfg.d/90-wsl-twin.cfg
apt-get clean
"""


def ensure_cloud_init_image(suite: str = SUITE) -> str:
    """The tag of `suite`'s base image with cloud-init added, built only if its recipe changed."""
    base = ensure_base_image(suite)
    script = CLOUD_INIT_LAYER.format(packages=" ".join(CLOUD_INIT_PACKAGES), cfg=shlex.quote(CLOUD_INIT_CFG))
    digest = hashlib.sha256(json.dumps([base, script]).encode()).hexdigest()
    tag = f"wsl-twin:{suite}-cloud-init-{digest[:12]}"
    if run(["docker", "image", "inspect", tag], check=False).returncode == 0:
        return tag
    return _layer(base, script, tag)
