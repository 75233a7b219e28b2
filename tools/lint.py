"""The test command's lint stage: ruff over the Python, every shell script through shellcheck and its shell's -n,
and the cloud-init templates' YAML and the shell of their runcmd."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Every shell script the project runs as it is: on hosts (setup.sh, files/), in CI, as the test command,
# as the twins' stand-ins (testbed/twin/) and as the benchmark's floor (bench/).
SCRIPTS = [ROOT / "setup.sh", *sorted((ROOT / "files").glob("**/*.sh")),
           ROOT / ".ci" / "run", *sorted((ROOT / ".ci").glob("*.sh")), ROOT / "tests" / "run",
           *sorted((ROOT / "testbed" / "twin").glob("*.sh")), *sorted((ROOT / "bench").glob("*.sh"))]

# cloud-config templates sent to hosts as they are (files/cloud-init).
USER_DATA = sorted((ROOT / "files").glob("**/*.user-data"))


def shell(script: Path) -> str:
    """The shell a script's shebang names (sh or bash), which is the one that must parse it."""
    return script.read_text().partition("\n")[0].split("/")[-1].split()[-1]


def checks() -> list[list[str]]:
    """The lint stage's commands; each must exit 0."""
    scripts = [str(s.relative_to(ROOT)) for s in SCRIPTS]
    return [[sys.executable, "-m", "ruff", "check", "--quiet", "."],
            ["shellcheck", *scripts],
            *([shell(ROOT / s), "-n", s] for s in scripts),
            *([sys.executable, "-m", "tools.lint", "--user-data", str(u.relative_to(ROOT))] for u in USER_DATA)]


def runcmd_scripts(path: Path) -> list[str]:
    """The shell in a cloud-config's runcmd: its plain strings and its `[sh, -c, SCRIPT]` items."""
    import yaml

    text = path.read_text()
    if not text.startswith("#cloud-config\n"):
        raise ValueError(f"{path}: cloud-init reads it as cloud-config only if its first line is #cloud-config")
    items = yaml.safe_load(text).get("runcmd", [])
    return [i if isinstance(i, str) else i[2] for i in items if isinstance(i, str) or i[:2] == ["sh", "-c"]]


def lint_user_data(path: Path) -> int:
    """0 when the template is cloud-config YAML whose runcmd shell passes shellcheck and sh -n."""
    failed = 0
    for script in runcmd_scripts(path):
        # Its variables come from the file the same template writes (write_files), which shellcheck cannot see.
        for command in (["shellcheck", "-s", "sh", "-e", "SC1091,SC2154", "-"], ["sh", "-n"]):
            if subprocess.run(command, input=script, text=True).returncode != 0:
                print(f"lint: {path}'s runcmd fails `{' '.join(command)}`:\n{script}", file=sys.stderr)
                failed = 1
    return failed


def main() -> int:
    failed = [c for c in checks() if subprocess.run(c, cwd=ROOT).returncode != 0]
    for command in failed:
        print(f"lint: `{' '.join(command)}` failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(lint_user_data(ROOT / sys.argv[2]) if sys.argv[1:2] == ["--user-data"] else main())
