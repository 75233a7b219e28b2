"""The test command's lint stage: ruff over the Python, and every shell script through shellcheck and its shell's -n."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Every shell script the project runs as it is: on hosts (setup.sh, files/), in CI, as the test command
# and as the twins' stand-ins (tests/twin/).
SCRIPTS = [ROOT / "setup.sh", *sorted((ROOT / "files").glob("**/*.sh")),
           ROOT / ".ci" / "run", *sorted((ROOT / ".ci").glob("*.sh")), ROOT / "tests" / "run",
           *sorted((ROOT / "tests" / "twin").glob("*.sh"))]


def shell(script: Path) -> str:
    """The shell a script's shebang names (sh or bash), which is the one that must parse it."""
    return script.read_text().partition("\n")[0].split("/")[-1].split()[-1]


def checks() -> list[list[str]]:
    """The lint stage's commands; each must exit 0."""
    scripts = [str(s.relative_to(ROOT)) for s in SCRIPTS]
    return [[sys.executable, "-m", "ruff", "check", "--quiet", "."],
            ["shellcheck", *scripts],
            *([shell(ROOT / s), "-n", s] for s in scripts)]


def main() -> int:
    failed = [c for c in checks() if subprocess.run(c, cwd=ROOT).returncode != 0]
    for command in failed:
        print(f"lint: `{' '.join(command)}` failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
