"""Every shell script the project runs as it is (tools/lint.py's list) parses and passes shellcheck."""

import shutil
import subprocess

import pytest

from tools.lint import ROOT, SCRIPTS, shell

IDS = [str(script.relative_to(ROOT)) for script in SCRIPTS]


def test_the_list_holds_the_scripts_run_on_hosts_in_ci_and_as_the_test_command():
    assert {"setup.sh", "files/sudo-check.sh", ".ci/run", ".ci/setup-host.sh", "tests/run"} <= set(IDS)
    assert [shell(ROOT / s) for s in ("setup.sh", "tests/run")] == ["sh", "bash"]


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_its_shell_parses_the_script(script):
    proc = subprocess.run([shell(script), "-n", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_shellcheck_finds_nothing_in_the_script(script):
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is not installed (.ci/setup-host.sh installs it)")
    proc = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
