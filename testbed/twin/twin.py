"""A disposable container that looks like a WSL2 distro, or a native GPU workstation, from inside."""

import io
import json
import re
import secrets
import shlex
import socket
import subprocess
import tarfile
import time
import warnings
from dataclasses import KW_ONLY, dataclass, field

from .image import COMMIT_CHANGES
from .run import run

WSL2_KERNEL = "5.15.167.4-microsoft-standard-WSL2"
# Debian 12's kernel: a native workstation.
NATIVE_KERNEL = "6.1.0-27-amd64"
# The shape of a real WSL2 /proc/version line, and of a Debian kernel's.
PROC_VERSION = (
    "Linux version {kernel} (root@wsl-twin) (gcc (GCC) 11.2.0, GNU ld (GNU Binutils) 2.37)"
    " #1 SMP Tue Nov 5 00:21:55 UTC 2024"
)
NATIVE_PROC_VERSION = (
    "Linux version {kernel} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0,"
    " GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)"
)
GPU_LINE = "GPU 0: NVIDIA GeForce RTX 3080 (UUID: GPU-5a1c3d7e-2b4f-4c6a-9e8d-0f1a2b3c4d5e)"
# WSL puts the Windows driver's directory on PATH; docker exec sees only the container's env.
WSL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/wsl/lib"
# What Docker gives a container whose image sets no PATH, as the base images do.
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

NVIDIA_SMI = f"""#!/bin/sh
# Stand-in for the Windows driver's nvidia-smi (integration-test harness).
case "$1" in
  -L|--list-gpus) echo '{GPU_LINE}' ;;
  --query-gpu=memory.total) echo '10240' ;;
  --query-gpu=*) echo 'NVIDIA GeForce RTX 3080, 566.36, 10240 MiB' ;;
  *) echo '| NVIDIA-SMI 565.77.01    Driver Version: 566.36    CUDA Version: 12.7 |'
     echo '|   0  NVIDIA GeForce RTX 3080        On  | 00000000:01:00.0  On |  N/A |' ;;
esac
"""

# WSL's wslinfo (a link to its init in a real distro), answering only what the deploy asks it.
WSLINFO = """#!/bin/sh
# Stand-in for WSL's wslinfo (integration-test harness).
case "$1" in
  --networking-mode) echo '{mode}' ;;
  *) echo "wslinfo stand-in: '$*' is not emulated" >&2; exit 1 ;;
esac
"""

# The native driver's /proc/driver/nvidia/version, and an nvidia-smi that, like the real one,
# fails without that loaded module.
NATIVE_DRIVER = "550.120"
NVRM_VERSION = (
    f"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  {NATIVE_DRIVER}  Release Build"
    "  (dvs-builder@U16-I3-B03-4-3)  Fri Sep 13 10:10:01 UTC 2024"
)
NATIVE_NVIDIA_SMI = f"""#!/bin/sh
# Stand-in for the native driver's nvidia-smi (integration-test harness).
if [ ! -e /proc/driver/nvidia/version ]; then
  echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."
  exit 9
fi
case "$1" in
  -L|--list-gpus) echo '{GPU_LINE}' ;;
  *) echo '| NVIDIA-SMI {NATIVE_DRIVER}    Driver Version: {NATIVE_DRIVER}    CUDA Version: 12.4 |' ;;
esac
"""
# Named as Ubuntu's driver packages: on native Linux a Linux driver is what serves the GPU, so a
# deploy must accept them there (and refuse them inside WSL).
NATIVE_DRIVER_PACKAGES = {
    "nvidia-utils-550": (None, {"usr/bin/nvidia-smi": NATIVE_NVIDIA_SMI}),
    "nvidia-driver-550": ("nvidia-utils-550", {}),
}

# Written back into the twin by snapshot(); paths that change on their own are left out.
SNAPSHOT_SCRIPT = r"""
find /etc /usr/share/keyrings -type f ! -path /etc/ld.so.cache -print0 | sort -z | xargs -0 -r sha256sum
find /etc /usr/share/keyrings -type l ! -path /etc/mtab -printf '%l  %p\n' | sort -k2
sha256sum /var/lib/dpkg/status
"""


def new_name() -> str:
    """A container name no other twin has."""
    return f"wsl-twin-{secrets.token_hex(4)}"


@dataclass(eq=False)
class Twin:
    """A WSL2 stand-in; `systemd=False` stands for a distro whose systemd is not enabled yet.

    `kernel=None`, `dxg=False` and `wsl_libs=False` take away the matching WSL trait;
    `os_release` overrides keys of /etc/os-release (see platforms.py), and an Ubuntu one writes
    /etc/lsb-release to match; `wsl_conf` is written to /etc/wsl.conf. A native GPU workstation
    is `kernel=NATIVE_KERNEL, dxg=False, wsl_libs=False, nvidia_driver=True`: Ubuntu-named
    driver packages with a stand-in nvidia-smi, and the loaded module's
    /proc/driver/nvidia/version (unload_nvidia_module() takes it away). `ssh_port` serves sshd
    on 127.0.0.1:ssh_port with the twin's own host keys (see known_hosts()), where `dev` logs in
    with `authorized_key`; `sudo_nopasswd` lets `dev` sudo without its password, as an
    automation account often may. `boot_files` ({path: text}) are in place before systemd first
    boots, and so is the WSL look, which a unit then applies at every boot, before cloud-init's.
    `containers` lets the twin's own engine run containers (an unconfined seccomp and AppArmor profile,
    NET_ADMIN); its engine must still create no bridge and touch no firewall (TWIN_SETTINGS). `wslinfo`
    puts a stand-in /usr/bin/wslinfo that reports it as WSL's networking mode ("mirrored", "nat").
    Use as `with Twin(image) as twin:` or call start() and remove().
    """

    image: str
    _: KW_ONLY
    systemd: bool = True
    kernel: str | None = WSL2_KERNEL
    dxg: bool = True
    wsl_libs: bool = True
    os_release: dict | None = None
    wsl_conf: str | None = None
    nvidia_driver: bool = False
    ssh_port: int | None = None
    authorized_key: str | None = None
    sudo_nopasswd: bool = False
    boot_files: dict[str, str] | None = None
    containers: bool = False
    wslinfo: str | None = None
    name: str = field(init=False, default_factory=new_name)
    id: str | None = field(init=False, default=None)

    def __enter__(self) -> "Twin":
        return self if self.id else self.start()

    def __exit__(self, *exc) -> None:
        self.remove()

    @property
    def pyinfra_target(self) -> str:
        return f"@docker/{self.id}"

    @property
    def testinfra_target(self) -> str:
        return f"docker://{self.id}"

    def start(self) -> "Twin":
        try:
            return self._start()
        except SystemdDidNotBoot as failure:
            # The container's systemd, not the code under test, failed (once in ~1000 boots in CI, with
            # nothing in the twin's output to say why): say so, then boot a new container once.
            warnings.warn(f"a twin's systemd did not boot; booting a new one\n{failure}", stacklevel=2)
            self.name = new_name()
            return self._start()

    def _start(self) -> "Twin":
        args = ["docker", "run", "-d", "--name", self.name, "--network", "host"]
        args += ["--cap-add", "SYS_ADMIN", "--cgroupns=host", "--tmpfs", "/run", "--tmpfs", "/run/lock"]
        args += ["-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--label", "wsl-twin=1"]
        if self.containers:
            args += ["--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
                     "--cap-add", "NET_ADMIN"]
        if self.wsl_libs:
            args += ["-e", f"PATH={WSL_PATH}"]
        args += [self.image, *(["/lib/systemd/systemd"] if self.systemd else ["sleep", "infinity"])]
        try:
            if self.boot_files is not None:
                self.id = run(["docker", "create", *args[3:]]).stdout.strip()
                self._look_the_part_at_boot()
                run(["docker", "start", self.id])
            else:
                self.id = run(args).stdout.strip()
                self._look_the_part()
            # A twin that boots with boot_files may be busy booting for minutes (cloud-init): its test waits.
            if self.systemd and self.boot_files is None:
                self.wait_systemd()
            if self.ssh_port:
                self._serve_ssh()
        except BaseException:
            self.remove()
            raise
        return self

    def _look_the_part(self) -> None:
        steps = []
        if self.kernel:
            shape = PROC_VERSION if "microsoft" in self.kernel.lower() else NATIVE_PROC_VERSION
            version = shape.format(kernel=self.kernel)
            # Docker refuses -v mounts inside /proc, so bind from inside; read-only like the real files.
            steps.append("mkdir -p /run/wsl-twin")
            for target, text in [("/proc/sys/kernel/osrelease", self.kernel), ("/proc/version", version)]:
                source = f"/run/wsl-twin/{target.rsplit('/', 1)[1]}"
                steps.append(f"echo {shlex.quote(text)} > {source}")
                steps.append(f"mount --bind {source} {target} && mount -o remount,bind,ro {target}")
        if self.dxg:
            steps.append("mknod -m 666 /dev/dxg c 10 63")
        if self.nvidia_driver:
            steps += self._native_driver_steps()
        if self.wsl_libs:
            steps.append("mkdir -p /usr/lib/wsl/lib && cd /usr/lib/wsl/lib")
            steps.append("printf 'stand-in\\n' > libcuda.so.1 && printf 'stand-in\\n' > libdxcore.so")
            steps.append(f"printf %s {shlex.quote(NVIDIA_SMI)} > nvidia-smi && chmod 0755 nvidia-smi")
        if self.wslinfo:
            steps.append(f"printf %s {shlex.quote(WSLINFO.format(mode=self.wslinfo))} > /usr/bin/wslinfo"
                         " && chmod 0755 /usr/bin/wslinfo")
        if self.os_release:
            steps.append(f"printf %s {shlex.quote(self._os_release_text())} > /etc/os-release")
            if self.os_release.get("ID") == "ubuntu":
                steps.append(f"printf %s {shlex.quote(self._lsb_release_text())} > /etc/lsb-release")
        if self.wsl_conf is not None:
            steps.append(f"printf %s {shlex.quote(self.wsl_conf)} > /etc/wsl.conf")
        if self.sudo_nopasswd:
            steps.append("echo 'dev ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/dev && chmod 0440 /etc/sudoers.d/dev")
        if steps:
            self.exec(" && ".join(["set -e", *steps]))

    def _look_the_part_at_boot(self) -> None:
        """The look's files, the boot_files and a unit that mounts and makes the look's devices at every
        boot, written into the created container; then systemd boots it as WSL would."""
        if self.nvidia_driver or self.ssh_port or self.sudo_nopasswd or self.wslinfo:
            raise ValueError("boot_files: a twin that boots as it looks is a WSL one, without sshd, sudo or wslinfo "
                             "options")
        steps = ["set -e"]
        if self.kernel:
            steps.append("mkdir -p /run/wsl-twin")
            for target, text in [("/proc/sys/kernel/osrelease", self.kernel),
                                 ("/proc/version", PROC_VERSION.format(kernel=self.kernel))]:
                source = f"/run/wsl-twin/{target.rsplit('/', 1)[1]}"
                steps.append(f"echo {shlex.quote(text)} > {source}")
                steps.append(f"mount --bind {source} {target} && mount -o remount,bind,ro {target}")
        if self.dxg:
            steps.append("[ -e /dev/dxg ] || mknod -m 666 /dev/dxg c 10 63")
        unit = ("[Unit]\nDescription=wsl-twin: look like WSL2 from inside (test harness)\nDefaultDependencies=no\n"
                "Before=sysinit.target cloud-init-local.service\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
                "ExecStart=/bin/sh /usr/local/sbin/wsl-twin-look\n")
        files = {"/usr/local/sbin/wsl-twin-look": ("\n".join(steps) + "\n", 0o755),
                 "/etc/systemd/system/wsl-twin-look.service": (unit, 0o644)}
        if self.wsl_libs:
            files |= {"/usr/lib/wsl/lib/libcuda.so.1": ("stand-in\n", 0o644),
                      "/usr/lib/wsl/lib/libdxcore.so": ("stand-in\n", 0o644),
                      "/usr/lib/wsl/lib/nvidia-smi": (NVIDIA_SMI, 0o755)}
        if self.os_release:
            current = subprocess.run(["docker", "cp", f"{self.id}:/usr/lib/os-release", "-"],
                                     capture_output=True, check=True).stdout
            files["/usr/lib/os-release"] = (self._os_release_text(tar_member(current)), 0o644)
            if self.os_release.get("ID") == "ubuntu":
                files["/etc/lsb-release"] = (self._lsb_release_text(), 0o644)
        if self.wsl_conf is not None:
            files["/etc/wsl.conf"] = (self.wsl_conf, 0o644)
        files |= {path: (text, 0o644) for path, text in self.boot_files.items()}
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            for path, (text, mode) in files.items():
                data = text.encode()
                info = tarfile.TarInfo(path.lstrip("/"))
                info.size, info.mode = len(data), mode
                tar.addfile(info, io.BytesIO(data))
            link = tarfile.TarInfo("etc/systemd/system/sysinit.target.wants/wsl-twin-look.service")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/systemd/system/wsl-twin-look.service"
            tar.addfile(link)
        subprocess.run(["docker", "cp", "-", f"{self.id}:/"], input=archive.getvalue(), check=True,
                       capture_output=True)

    def restart(self, timeout: float = 120) -> None:
        """Halt systemd, as `wsl --terminate` ends a distro, and start the container again; the boot goes on."""
        run(["docker", "kill", "--signal", "SIGRTMIN+3", self.id])
        run(["docker", "wait", self.id], timeout=timeout)
        run(["docker", "start", self.id])

    @staticmethod
    def _native_driver_steps() -> list[str]:
        q = shlex.quote
        # /proc/driver is the kernel's; a tmpfs over it holds the module's file, read-only as the real one.
        steps = ["mount -t tmpfs -o size=64k,mode=0755 tmpfs /proc/driver", "mkdir /proc/driver/nvidia",
                 f"echo {q(NVRM_VERSION)} > /proc/driver/nvidia/version",
                 # Not /tmp, for dpkg-deb's temporary files too: systemd empties it while it boots,
                 # which may be now.
                 "mount -o remount,ro /proc/driver", "d=$(mktemp -d /var/tmp/wsl-twin-XXXXXX)",
                 'export TMPDIR="$d"']
        for name, (depends, files) in NATIVE_DRIVER_PACKAGES.items():
            control = "".join(f"{line}\n" for line in [
                f"Package: {name}", f"Version: {NATIVE_DRIVER}-0ubuntu1", "Architecture: all",
                "Maintainer: wsl-twin test harness <stand-in@example.invalid>",
                *([f"Depends: {depends}"] if depends else []), f"Description: stand-in for {name}",
            ])
            steps += [f'mkdir -p "$d/{name}/DEBIAN"', f'printf %s {q(control)} > "$d/{name}/DEBIAN/control"']
            for path, text in files.items():
                steps += [f'mkdir -p "$(dirname "$d/{name}/{path}")"',
                          f'printf %s {q(text)} > "$d/{name}/{path}"', f'chmod 0755 "$d/{name}/{path}"']
            steps.append(f'dpkg-deb --root-owner-group -b "$d/{name}" "$d/{name}.deb" >/dev/null')
        return steps + ['dpkg -i "$d"/*.deb >/dev/null', 'rm -rf "$d"', 'unset TMPDIR']

    def start_job(self, name: str = "job") -> str:
        """A long job in the twin's engine, as a training run would be: a container of the twin's own
        /bin/sleep (no registry here), on no network. Returns when it started."""
        self.exec(
            "set -e; d=$(mktemp -d); cp -L --parents /bin/sleep $(ldd /bin/sleep | grep -o '/[^ ]*') \"$d\";"
            " docker image inspect local/job:1 >/dev/null 2>&1 || tar -C \"$d\" -c . | docker import - local/job:1"
            f" >/dev/null; rm -rf \"$d\"; docker run -d --name {name} --network none local/job:1 /bin/sleep 100000"
        )
        return self.exec(f"docker inspect -f '{{{{.State.StartedAt}}}}' {name}").stdout.strip()

    def unload_nvidia_module(self) -> None:
        """The native driver stays installed but its kernel module is gone, as before a reboot."""
        self.exec("umount /proc/driver")

    def _serve_ssh(self) -> None:
        q = shlex.quote
        config = f"Port {self.ssh_port}\nListenAddress 127.0.0.1\nPasswordAuthentication no\n"
        # Fresh host keys: the image has none, as Ubuntu's WSL images (ubuntu/WSL#382).
        steps = ["set -e", "ssh-keygen -A >/dev/null",
                 f"printf %s {q(config)} > /etc/ssh/sshd_config.d/wsl-twin.conf",
                 "install -d -m 0700 -o dev -g dev /home/dev/.ssh"]
        if self.authorized_key:
            steps += [f"printf '%s\\n' {q(self.authorized_key)} > /home/dev/.ssh/authorized_keys",
                      "chown dev:dev /home/dev/.ssh/authorized_keys"]
        steps.append("systemctl start ssh.service" if self.systemd else "mkdir -p /run/sshd && /usr/sbin/sshd")
        self.exec(" && ".join(steps))
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.ssh_port), timeout=2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name}: sshd does not answer on 127.0.0.1:{self.ssh_port}")
                time.sleep(0.2)

    def known_hosts(self) -> str:
        """known_hosts lines for this twin's sshd: its host keys at [127.0.0.1]:ssh_port."""
        keys = self.exec("cat /etc/ssh/ssh_host_*_key.pub").stdout.splitlines()
        return "".join(f"[127.0.0.1]:{self.ssh_port} {' '.join(k.split()[:2])}\n" for k in keys)

    def _os_release_text(self, current: str | None = None) -> str:
        current = self.exec("cat /etc/os-release").stdout if current is None else current
        fields = dict(line.split("=", 1) for line in current.splitlines() if "=" in line)
        for key, value in self.os_release.items():
            fields[key] = value if re.fullmatch(r"[\w.-]+", value) else f'"{value}"'
        return "".join(f"{key}={value}\n" for key, value in fields.items())

    def _lsb_release_text(self) -> str:
        """Ubuntu's /etc/lsb-release for the same release: get.docker.com takes Ubuntu's codename from it."""
        o = self.os_release
        return (f"DISTRIB_ID={o['NAME']}\nDISTRIB_RELEASE={o['VERSION_ID']}\n"
                f"DISTRIB_CODENAME={o['VERSION_CODENAME']}\nDISTRIB_DESCRIPTION=\"{o['PRETTY_NAME']}\"\n")

    def wait_systemd(self, timeout: float = 60) -> str:
        """Wait until systemd reports running or degraded; returns that state."""
        deadline = time.monotonic() + timeout
        while True:
            asked = self.exec("systemctl is-system-running", check=False)
            state = asked.stdout.strip()
            if state in ("running", "degraded"):
                return state
            if time.monotonic() > deadline:
                failed = self.exec("systemctl --failed --no-pager", check=False).stdout
                container = run(["docker", "inspect", "-f", "{{json .State}}", self.name], check=False)
                logs = run(["docker", "logs", "--tail", "40", self.name], check=False)
                raise SystemdDidNotBoot(
                    f"{self.name}: systemd still {state!r} after {timeout} s ({asked.stderr.strip()})\n"
                    f"{failed}\ncontainer: {container.stdout.strip()}\n{logs.stdout}{logs.stderr}")
            time.sleep(0.5)

    def exec(
        self, cmd: str, user: str | None = None, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess:
        """Run `sh -c cmd` in the twin (as root unless `user` is given)."""
        args = ["docker", "exec", *(["-i"] if input is not None else [])]
        args += [*(["-u", user] if user else []), self.id, "sh", "-c", cmd]
        return run(args, check=check, input=input)

    def snapshot(self) -> dict:
        """Digests of /etc, the keyrings and dpkg's status, plus the installed and enabled lists."""
        shot = {}
        for line in self.exec(SNAPSHOT_SCRIPT).stdout.splitlines():
            digest, path = line.split("  ", 1)
            shot[path] = digest
        shot["dpkg-query -W"] = self.exec("dpkg-query -W").stdout
        if self.systemd:
            units = self.exec("systemctl list-unit-files --state=enabled --no-legend --no-pager")
            shot["systemctl list-unit-files --state=enabled"] = units.stdout
        return shot

    def commit(self, tag: str, labels: dict[str, str] | None = None) -> str:
        """Commit the twin's filesystem as tag, which Twin(tag) boots like the base image. What lives on
        the tmpfs /run (pid files, sockets) and what start() mounts or makes (the WSL kernel's /proc
        files, /dev/dxg) is not in it: each twin started from it makes its own. The PATH given at
        start is not kept either, so that a twin's options alone decide it."""
        changes = [*COMMIT_CHANGES, f"ENV PATH={DEFAULT_PATH}"]
        changes += [f"LABEL {key}={json.dumps(value)}" for key, value in (labels or {}).items()]
        run(["docker", "commit", *[arg for change in changes for arg in ("--change", change)], self.id, tag],
            timeout=600)
        return tag

    def remove(self) -> None:
        run(["docker", "rm", "-f", "-v", self.name], check=False)
        self.id = None


class SystemdDidNotBoot(TimeoutError):
    """A twin's systemd never reported running or degraded."""


def tar_member(archive: bytes) -> str:
    """The one file `docker cp CONTAINER:PATH -` wrote as a tar stream."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return tar.extractfile(tar.getmembers()[0]).read().decode()
