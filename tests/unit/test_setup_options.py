"""setup.sh's own options and its venv stamp, on a scratch checkout with stand-in sudo, python and pyinfra;
the machine's settings file that --pull-repo-url and --pull-ref keep (tasks/localsettings.py)."""

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from tasks.localsettings import LOCAL_SETTINGS, main, problems, updated, write
from tasks.managed import PROXY_ENV, STATE_DIR
from testbed.sudo_examples import ROOT, SUDO_WS_1_9_13P3, Machine

URL = "https://git.corp.example/team/wsl-gpu-docker.git"


def _user_data_settings() -> str:
    """The settings file cloud-init's user data writes."""
    data = yaml.safe_load((ROOT / "files/cloud-init/wsl-gpu-docker.user-data").read_text())
    return next(f["content"] for f in data["write_files"] if f["path"] == f"{LOCAL_SETTINGS}/all.py")


def _values(text: str) -> dict:
    names: dict = {}
    exec(text, {}, names)
    return names


def test_setup_sh_names_the_paths_that_python_does():
    """setup.sh runs before the venv exists: it spells the paths out, and must spell them as these modules do."""
    text = (ROOT / "setup.sh").read_text()
    assert f"\nSETTINGS={LOCAL_SETTINGS}\n" in text and f"\nSTATE_DIR={STATE_DIR}\n" in text
    assert "\nPROXY_ENV=$STATE_DIR/proxy.env\n" in text and PROXY_ENV == f"{STATE_DIR}/proxy.env"


def test_the_options_replace_the_user_datas_own_lines_and_keep_every_other():
    text = _user_data_settings()
    new = updated(text, {"pull_repo_url": "git@git.corp.example:ml/wsl-gpu-docker.git", "pull_ref": "v2"})
    assert _values(new) == {**_values(text), "pull_repo_url": "git@git.corp.example:ml/wsl-gpu-docker.git",
                            "pull_ref": "v2"}
    assert [line for line in new.splitlines() if "pull_" not in line] == \
        [line for line in text.splitlines() if "pull_" not in line], "comments and other settings as they were"
    assert updated(new, {"pull_ref": "v2"}) == new, "a second run writes the same text"


def test_settings_the_file_lacks_are_added_and_every_assignment_of_one_is_replaced():
    assert updated("", {"pull_repo_url": URL}) == f"# Set by setup.sh:\npull_repo_url = {URL!r}\n"
    new = updated("docker_users = ['a']\npull_ref = 'x'\npull_ref: str = (\n  'y')", {"pull_ref": "main"})
    assert new == "docker_users = ['a']\npull_ref = 'main'\npull_ref = 'main'\n"


def test_bad_values_name_the_option_the_setting_and_a_good_value():
    said = problems({"pull_repo_url": "not a url", "pull_ref": "a..b"})
    assert said[0].startswith("--pull-repo-url 'not a url': pull_repo_url must be a git URL such as")
    assert said[1] == "--pull-ref 'a..b': pull_ref must be a branch or tag name such as \"main\" or \"v1.4\""
    assert problems({"pull_repo_url": URL, "pull_ref": "main"}) == []
    assert main(["check", "pull_repo_url=$(reboot)"]) == 2 and main(["check", f"pull_repo_url={URL}"]) == 0


def test_the_file_is_written_root_only_in_a_folder_of_its_own(tmp_path):
    folder = tmp_path / "settings"
    write(folder, {"pull_repo_url": URL})
    path = folder / "all.py"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert _values(path.read_text()) == {"pull_repo_url": URL}
    assert os.listdir(folder) == ["all.py"], "no temp file left"


@pytest.fixture
def checkout(tmp_path) -> Path:
    """setup.sh with what it runs of this checkout, and a venv whose python and pyinfra log their arguments."""
    checkout = tmp_path / "checkout"
    (checkout / "files").mkdir(parents=True)
    for path in ("setup.sh", "pyproject.toml", "files/sudo-check.sh"):
        shutil.copy2(ROOT / path, checkout / path)
    shutil.copytree(ROOT / "tasks", checkout / "tasks", ignore=shutil.ignore_patterns("__pycache__"))
    (checkout / ".venv/bin").mkdir(parents=True)
    for tool in ("python", "pyinfra"):
        Machine._write(checkout / f".venv/bin/{tool}", f'#!/bin/sh\necho "{tool} $*" >> {tmp_path}/ran\n')
    return checkout


@pytest.fixture
def machine(tmp_path) -> Machine:
    machine = Machine(tmp_path / "machine")
    machine.sudo(SUDO_WS_1_9_13P3, where="usr/bin", passwordless=True)
    for tool in ("python3", "sha256sum", "cut", "cat"):  # the system's python3, as a fresh distro has it
        (machine.tools / tool).symlink_to(shutil.which(tool, path="/usr/bin:/bin"))
    return machine


def ran(tmp_path) -> list[str]:
    return (tmp_path / "ran").read_text().splitlines() if (tmp_path / "ran").exists() else []


@pytest.mark.skipif(Path(LOCAL_SETTINGS).parent.exists(), reason="this machine has settings of its own")
def test_a_plain_run_installs_once_then_runs_pyinfra_with_sudo(checkout, machine, tmp_path):
    stamp = checkout / ".venv/wsl-gpu-docker-pyproject.sha256"
    first = machine.run(checkout / "setup.sh", checkout, "--dry")
    assert first.returncode == 0, first
    assert ran(tmp_path) == ["python -m pip --version", "python -m pip install --quiet --disable-pip-version-check .",
                             "pyinfra --sudo -y --dry @local deploy.py"]
    assert stamp.read_text().strip() == hashlib.sha256((checkout / "pyproject.toml").read_bytes()).hexdigest()
    (tmp_path / "ran").unlink()
    again = machine.run(checkout / "setup.sh", checkout, "--dry")
    assert again.returncode == 0 and ran(tmp_path) == ["pyinfra --sudo -y --dry @local deploy.py"], "no pip"
    with (checkout / "pyproject.toml").open("a") as out:
        out.write("# a new dependency\n")
    (tmp_path / "ran").unlink()
    assert machine.run(checkout / "setup.sh", checkout).returncode == 0
    assert "python -m pip install --quiet --disable-pip-version-check ." in ran(tmp_path)
    assert machine.sudo_calls == ["-n -k true", "-n -k true", "-n -k true"], "only sudo-check's question"


def test_the_options_go_to_one_sudo_that_keeps_them_and_pyinfra_gets_the_rest(checkout, machine, tmp_path):
    args = ["--pull-repo-url", URL, "--dry", "--pull-ref=v2", "--data", "x=1"]
    done = machine.run(checkout / "setup.sh", checkout, *args)
    assert done.returncode == 0, done
    assert machine.sudo_calls[-1] == ("env PYTHONDONTWRITEBYTECODE=1 .venv/bin/python -m tasks.localsettings run "
                                      f"pull_repo_url={URL} pull_ref=v2 -- .venv/bin/pyinfra -y --dry --data x=1 "
                                      "@local deploy.py")
    assert not any(line.startswith("pyinfra") for line in ran(tmp_path)), "pyinfra runs only through sudo"


@pytest.mark.parametrize("args, said", [
    (["--pull-repo-url", "ftp://x/y z"], "--pull-repo-url 'ftp://x/y z': pull_repo_url must be a git URL"),
    (["--pull-ref", "main;reboot"], "--pull-ref 'main;reboot': pull_ref must be a branch or tag name"),
    (["--dry", "--pull-ref"], "--pull-ref needs a value"),
])
def test_a_bad_option_is_refused_before_anything_runs(checkout, machine, tmp_path, args, said):
    done = machine.run(checkout / "setup.sh", checkout, *args)
    assert done.returncode == 2 and said in done.stderr and "nothing was changed" in done.stderr, done
    assert ran(tmp_path) == [] and machine.sudo_calls == [], "no pip, no pyinfra, no sudo"
    assert not (checkout / ".venv/wsl-gpu-docker-pyproject.sha256").exists()
