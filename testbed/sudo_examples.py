"""Stand-in sudos that answer `sudo --version` as the real ones do, and a machine to run the check on."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "files" / "sudo-check.sh"

# VERBATIM  Debian 13's sudo-rs_0.2.5-5+deb13u1_amd64.deb: /usr/lib/cargo/bin/sudo --version, on stderr
SUDO_RS_0_2_5 = "sudo-rs 0.2.5\n"
# DERIVED   sudo-rs's src/sudo/mod.rs prints "sudo-rs {VERSION}", the crate's version; Ubuntu 25.10's
#           package is "based on v0.2.8" (sudo-rs README); its build may add the package revision
SUDO_RS_0_2_8 = "sudo-rs 0.2.8\n"
# VERBATIM  trifectatechfoundation/sudo-rs#1567: `sudo --version` on a clean Ubuntu 26.04 (on stdout:
#           src/sudo/mod.rs uses println there now, DERIVED)
SUDO_RS_0_2_13_UBUNTU = "sudo-rs 0.2.13-0ubuntu1\n"
# VERBATIM  Debian 12's sudo 1.9.13p3: `sudo --version` as a user (the twin image), on stdout
SUDO_WS_1_9_13P3 = (
    "Sudo version 1.9.13p3\n"
    "Sudoers policy plugin version 1.9.13p3\n"
    "Sudoers file grammar version 50\n"
    "Sudoers I/O plugin version 1.9.13p3\n"
    "Sudoers audit plugin version 1.9.13p3\n"
)
# VERBATIM  sudo.ws, and sudo-rs 0.2.5 (the Debian 13 binary), to `sudo -n true` without a cached password
NEEDS_PASSWORD = {"sudo": "sudo: a password is required", "sudo-rs": "sudo-rs: interactive authentication is required"}


class Machine:
    """A PATH of stand-ins: `sudo` (answers --version, `sudo -n ...` and logs every call), `id`, and the
    few real tools the check uses, so no real sudo or other program of this machine is in reach."""

    def __init__(self, root: Path, uid: int = 1000, user: str = "dev"):
        self.root, self.log = root, root / "sudo-calls"
        self.tools = root / "tools"
        self.tools.mkdir(parents=True)
        for tool in ("sh", "dirname", "readlink", "head"):
            (self.tools / tool).symlink_to(shutil.which(tool))
        self._write(self.tools / "id", f'#!/bin/sh\n[ "$1" = -un ] && echo {user} || echo {uid}\n')
        self.path = [self.tools]

    def sudo(self, version_text: str, *, where: str = "usr/lib/cargo/bin", stderr: bool = False,
             passwordless: bool = False) -> Path:
        """Put a stand-in sudo at root/where/sudo, first on PATH; returns its path."""
        sudo = self.root / where / "sudo"
        sudo.parent.mkdir(parents=True, exist_ok=True)
        name = version_text.split()[0]
        refusal = f"echo '{NEEDS_PASSWORD.get(name, NEEDS_PASSWORD['sudo'])}' >&2; exit 1"
        self._write(sudo, f"""#!/bin/sh
printf '%s\\n' "$*" >> {self.log}
if [ "$1" = --version ]; then
    printf %s '{version_text}' >&{2 if stderr else 1}
    exit 0
fi
{"exit 0" if passwordless else refusal}
""")
        self.path.insert(0, sudo.parent)
        return sudo

    def alternatives(self, version_text: str, *, sudo_ws: bool = True) -> Path:
        """Ubuntu's layout: usr/bin/sudo -> etc/alternatives/sudo -> usr/lib/cargo/bin/sudo (sudo-rs)."""
        target = self.sudo(version_text)
        self.path.remove(target.parent)
        (self.root / "etc/alternatives").mkdir(parents=True)
        (self.root / "etc/alternatives/sudo").symlink_to(target)
        (self.root / "usr/bin").mkdir(parents=True)
        (self.root / "usr/bin/sudo").symlink_to(self.root / "etc/alternatives/sudo")
        if sudo_ws:
            self._write(self.root / "usr/bin/sudo.ws", "#!/bin/sh\nexit 1\n")
        self.path.insert(0, self.root / "usr/bin")
        return self.root / "usr/bin/sudo"

    def run(self, script: Path = CHECK, cwd: Path | None = None, *args: str,
            env: dict | None = None) -> subprocess.CompletedProcess:
        env = {"PATH": ":".join(map(str, self.path)), "HOME": str(self.root), **(env or {})}
        return subprocess.run(["/bin/sh", str(script), *args], env=env, cwd=cwd, capture_output=True,
                              text=True, timeout=30)

    def facts(self) -> dict:
        """What `sudo-check.sh --facts` says, as {key: value}, every fix= line in "fix"."""
        proc = self.run(CHECK, None, "--facts")
        assert (proc.returncode, proc.stderr) == (0, ""), proc
        facts: dict = {"fix": []}
        for line in proc.stdout.splitlines():
            key, _, value = line.partition("=")
            facts["fix"].append(value) if key == "fix" else facts.setdefault(key, value)
        return facts

    @property
    def sudo_calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    @staticmethod
    def _write(path: Path, text: str) -> None:
        path.write_text(text)
        path.chmod(0o755)
