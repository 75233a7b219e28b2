"""A disposable container that looks like a WSL2 distro from inside (kernel, /dev/dxg, driver files)."""

import re
import secrets
import shlex
import subprocess
import time

from .run import run

WSL2_KERNEL = "5.15.167.4-microsoft-standard-WSL2"
# A store-fresh Ubuntu 24.04; the packages underneath stay Debian bookworm's.
UBUNTU_NOBLE = {
    "NAME": "Ubuntu",
    "VERSION": "24.04.1 LTS (Noble Numbat)",
    "ID": "ubuntu",
    "ID_LIKE": "debian",
    "PRETTY_NAME": "Ubuntu 24.04.1 LTS",
    "VERSION_ID": "24.04",
    "VERSION_CODENAME": "noble",
    "UBUNTU_CODENAME": "noble",
}
# The shape of a real WSL2 /proc/version line.
PROC_VERSION = (
    "Linux version {kernel} (root@wsl-twin) (gcc (GCC) 11.2.0, GNU ld (GNU Binutils) 2.37)"
    " #1 SMP Tue Nov 5 00:21:55 UTC 2024"
)
GPU_LINE = "GPU 0: NVIDIA GeForce RTX 3080 (UUID: GPU-5a1c3d7e-2b4f-4c6a-9e8d-0f1a2b3c4d5e)"
# WSL puts the Windows driver's directory on PATH; docker exec sees only the container's env.
WSL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/wsl/lib"

NVIDIA_SMI = f"""#!/bin/sh
# Stand-in for the Windows driver's nvidia-smi (integration-test harness).
case "$1" in
  -L|--list-gpus) echo '{GPU_LINE}' ;;
  --query-gpu=*) echo 'NVIDIA GeForce RTX 3080, 566.36, 10240 MiB' ;;
  *) echo '| NVIDIA-SMI 565.77.01    Driver Version: 566.36    CUDA Version: 12.7 |'
     echo '|   0  NVIDIA GeForce RTX 3080        On  | 00000000:01:00.0  On |  N/A |' ;;
esac
"""

# Written back into the twin by snapshot(); paths that change on their own are left out.
SNAPSHOT_SCRIPT = r"""
find /etc /usr/share/keyrings -type f ! -path /etc/ld.so.cache -print0 | sort -z | xargs -0 -r sha256sum
find /etc /usr/share/keyrings -type l ! -path /etc/mtab -printf '%l  %p\n' | sort -k2
sha256sum /var/lib/dpkg/status
"""


class Twin:
    """A WSL2 stand-in; `systemd=False` stands for a distro whose systemd is not enabled yet.

    `kernel=None`, `dxg=False` and `wsl_libs=False` take away the matching WSL trait;
    `os_release` overrides keys of /etc/os-release (see UBUNTU_NOBLE); `wsl_conf` is written
    to /etc/wsl.conf. Use as `with Twin(image) as twin:` or call start() and remove().
    """

    def __init__(
        self,
        image: str,
        *,
        systemd: bool = True,
        kernel: str | None = WSL2_KERNEL,
        dxg: bool = True,
        wsl_libs: bool = True,
        os_release: dict | None = None,
        wsl_conf: str | None = None,
    ):
        self.image = image
        self.systemd = systemd
        self.kernel = kernel
        self.dxg = dxg
        self.wsl_libs = wsl_libs
        self.os_release = os_release
        self.wsl_conf = wsl_conf
        self.name = f"wsl-twin-{secrets.token_hex(4)}"
        self.id: str | None = None

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
        args = ["docker", "run", "-d", "--name", self.name, "--network", "host"]
        args += ["--cap-add", "SYS_ADMIN", "--cgroupns=host", "--tmpfs", "/run", "--tmpfs", "/run/lock"]
        args += ["-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--label", "wsl-twin=1"]
        if self.wsl_libs:
            args += ["-e", f"PATH={WSL_PATH}"]
        args += [self.image, *(["/lib/systemd/systemd"] if self.systemd else ["sleep", "infinity"])]
        try:
            self.id = run(args).stdout.strip()
            self._look_like_wsl()
            if self.systemd:
                self.wait_systemd()
        except BaseException:
            self.remove()
            raise
        return self

    def _look_like_wsl(self) -> None:
        steps = []
        if self.kernel:
            version = PROC_VERSION.format(kernel=self.kernel)
            # Docker refuses -v mounts inside /proc, so bind from inside; read-only like the real files.
            steps.append("mkdir -p /run/wsl-twin")
            for target, text in [("/proc/sys/kernel/osrelease", self.kernel), ("/proc/version", version)]:
                source = f"/run/wsl-twin/{target.rsplit('/', 1)[1]}"
                steps.append(f"echo {shlex.quote(text)} > {source}")
                steps.append(f"mount --bind {source} {target} && mount -o remount,bind,ro {target}")
        if self.dxg:
            steps.append("mknod -m 666 /dev/dxg c 10 63")
        if self.wsl_libs:
            steps.append("mkdir -p /usr/lib/wsl/lib && cd /usr/lib/wsl/lib")
            steps.append("printf 'stand-in\\n' > libcuda.so.1 && printf 'stand-in\\n' > libdxcore.so")
            steps.append(f"printf %s {shlex.quote(NVIDIA_SMI)} > nvidia-smi && chmod 0755 nvidia-smi")
        if self.os_release:
            steps.append(f"printf %s {shlex.quote(self._os_release_text())} > /etc/os-release")
        if self.wsl_conf is not None:
            steps.append(f"printf %s {shlex.quote(self.wsl_conf)} > /etc/wsl.conf")
        if steps:
            self.exec(" && ".join(["set -e", *steps]))

    def _os_release_text(self) -> str:
        current = self.exec("cat /etc/os-release").stdout
        fields = dict(line.split("=", 1) for line in current.splitlines() if "=" in line)
        for key, value in self.os_release.items():
            fields[key] = value if re.fullmatch(r"[\w.-]+", value) else f'"{value}"'
        return "".join(f"{key}={value}\n" for key, value in fields.items())

    def wait_systemd(self, timeout: float = 60) -> str:
        """Wait until systemd reports running or degraded; returns that state."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.exec("systemctl is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                return state
            if time.monotonic() > deadline:
                failed = self.exec("systemctl --failed --no-pager", check=False).stdout
                raise TimeoutError(f"{self.name}: systemd still {state!r} after {timeout} s\n{failed}")
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

    def remove(self) -> None:
        run(["docker", "rm", "-f", "-v", self.name], check=False)
        self.id = None
