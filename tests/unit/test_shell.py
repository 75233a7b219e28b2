"""Every shell script the project runs as it is (setup.sh, files/**/*.sh) parses and passes shellcheck."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [ROOT / "setup.sh", *sorted((ROOT / "files").glob("**/*.sh"))]
IDS = [str(script.relative_to(ROOT)) for script in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_sh_parses_the_script(script):
    proc = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_shellcheck_finds_nothing_in_the_script(script):
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is not installed (.ci/setup-host.sh installs it)")
    proc = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
