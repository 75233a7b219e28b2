"""The shell the project runs as it is (tools/lint.py's list): linted, and run as the deploy sends it."""

import os
import re
import shutil
import stat
import subprocess
import time

import pytest

from tasks.shell import shell_script
from testbed import realtext as real
from tests.traced import fsyncs_and_renames
from tools.lint import ROOT, SCRIPTS, shell

# What the scripts call besides sh's builtins: all a test's PATH holds, so no dockerd of this machine.
TOOLS = ("sh", "cat", "mv", "grep", "awk", "tail")
IDS = [str(script.relative_to(ROOT)) for script in SCRIPTS]


def test_the_list_holds_the_scripts_run_on_hosts_in_ci_and_as_the_test_command():
    assert {"setup.sh", "files/sudo-check.sh", "files/daemon-json-check.sh", "files/dockerd-reason.sh",
            ".ci/run", ".ci/setup-host.sh", "tests/run"} <= set(IDS)
    assert [shell(ROOT / s) for s in ("setup.sh", "tests/run")] == ["sh", "bash"]


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_its_shell_parses_the_script(script):
    proc = subprocess.run([shell(script), "-n", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_shellcheck_finds_nothing_in_the_script(script):
    assert shutil.which("shellcheck"), "shellcheck is missing: `apt-get install shellcheck` (.ci/setup-host.sh does)"
    proc = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture
def path(tmp_path):
    """A PATH of this machine's tools and a folder for a stand-in dockerd (tmp_path/bin)."""
    tools, stubs = tmp_path / "tools", tmp_path / "bin"
    tools.mkdir()
    stubs.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(shutil.which(tool))
    return f"{stubs}:{tools}"


def sent(command: str, path: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", command], input=stdin, capture_output=True, text=True,
                          env={**os.environ, "PATH": path})


# --- daemon-json-check.sh: dockerd --validate before a new daemon.json is put in place ------------


def dockerd(tmp_path, says: str, code: int) -> None:
    """A stand-in dockerd answering --validate as a real one did (its words on stderr)."""
    stub = tmp_path / "bin/dockerd"
    stub.write_text(f"#!/bin/sh\ncat >&2 <<'EOF'\n{says}\nEOF\nexit {code}\n")
    stub.chmod(0o755)


@pytest.fixture
def files(tmp_path):
    live, new = tmp_path / "daemon.json", tmp_path / "daemon.json.new"
    live.write_text('{"log-level": "warn"}')
    new.write_text('{"no-such-option": true}')
    return live, new, tmp_path / "daemon.json.rejected"


def check(files, path):
    live, new, rejected = files
    return sent(shell_script("daemon-json-check.sh", str(new), str(live), str(rejected)), path)


@pytest.mark.parametrize("says, code", [
    (real.DOCKERD_26_VALIDATE_OK, 0),
    (real.DOCKERD_20_VALIDATE, 1),  # no --validate before Docker 23: the restart's rollback guards
])
def test_a_file_dockerd_accepts_or_cannot_check_passes(says, code, tmp_path, files, path):
    dockerd(tmp_path, says, code)
    done = check(files, path)
    assert done.returncode == 0, done.stderr
    assert files[1].exists() and not files[2].exists()


def test_with_no_engine_yet_the_file_passes_for_its_first_start(files, path):
    done = check(files, path)
    assert done.returncode == 0, done.stderr
    assert files[1].exists()


@pytest.mark.parametrize("says", [real.DOCKERD_26_VALIDATE_UNKNOWN, real.DOCKERD_25_VALIDATE_UNKNOWN,
                                  real.DOCKERD_26_VALIDATE_LOG_LEVEL])
def test_a_file_dockerd_refuses_is_kept_aside_and_the_live_one_stays(says, tmp_path, files, path):
    dockerd(tmp_path, says, 1)
    live, new, rejected = files
    done = check(files, path)
    assert done.returncode == 1
    assert live.read_text() == '{"log-level": "warn"}'
    assert not new.exists() and rejected.read_text() == '{"no-such-option": true}'
    assert "Fix: correct docker_daemon_options" in done.stderr and f"kept as {rejected}" in done.stderr
    assert f"dockerd said: {says}" in done.stderr


# --- dockerd-reason.sh: why dockerd gave up, from its journal ----------------------------------


@pytest.mark.parametrize("journal, reason", [
    (real.JOURNAL_DOCKERD_20_LOG_LEVEL, "unable to parse logging level: nonsense"),
    (real.JOURNAL_DOCKERD_20_UNKNOWN_TAIL, "unable to configure the Docker daemon with file "
     "/etc/docker/daemon.json: the following directives don't match any configuration option: no-such-option"),
    (real.JOURNAL_DOCKERD_26_LOG_LEVEL, "unable to configure the Docker daemon with file /etc/docker/daemon.json:"
     " merged configuration validation from file and command line flags failed: invalid logging level: nonsense"),
    (real.JOURNAL_DOCKERD_GRAPHDRIVER, "failed to start daemon: error initializing graphdriver: driver not supported"),
    (real.DOCKERD_20_VALIDATE, real.DOCKERD_20_VALIDATE),  # printed plainly, two lines
])
def test_the_reason_is_dockerds_fatal_line_not_what_it_logs_and_outlives(journal, reason, path):
    done = sent(shell_script("dockerd-reason.sh"), path, journal)
    assert done.returncode == 0, done.stderr
    assert done.stdout == reason + "\n"


def test_a_journal_with_no_fatal_line_gives_no_reason(path):
    survived = real.JOURNAL_DOCKERD_20_LOG_LEVEL.split("unable to parse")[0]
    assert sent(shell_script("dockerd-reason.sh"), path, survived).stdout.strip() == ""


# --- lib/replace.sh: the one way a files/ script replaces a managed file ---------------------------


def replace(call: str, tmp_path, stdin: str = "") -> list[tuple]:
    """call, run with replace.sh's functions defined, under strace: its fsyncs and renames."""
    lib = (ROOT / "files/lib/replace.sh").read_text()
    (tmp_path / "stdin").write_text(stdin)
    with open(tmp_path / "stdin") as given:
        return fsyncs_and_renames(["sh", "-c", f"{lib}\nset -e\n{call}"], tmp_path / "strace", stdin=given)


def test_a_script_replaces_a_file_through_a_temp_of_its_own_fsynced_renamed_then_the_folder_fsynced(tmp_path):
    folder = tmp_path / "sources.list.d"
    folder.mkdir()
    path, old = folder / "docker.list", time.time() - 300
    path.write_text("deb old\n")
    killed, in_flight = folder / ".docker.list.AAAAAAAAAAAA~", folder / ".docker.list.BBBBBBBBBBBB~"
    for temp in (killed, in_flight):
        temp.write_text("deb half")
    os.utime(killed, (old, old))
    events = replace(f"written {path} 0644", tmp_path, "deb new\n")
    [(_, temp), *rest] = events
    assert re.fullmatch(r"\.docker\.list\.\w{12}~", temp.name) and temp.parent == folder, events
    assert rest == [("rename", temp, path), ("fsync", folder)]
    assert path.read_text() == "deb new\n" and stat.S_IMODE(path.stat().st_mode) == 0o644
    # The killed run's temp is gone; the one a run beside this one may be writing stays.
    assert sorted(p.name for p in folder.iterdir()) == sorted(["docker.list", in_flight.name])


def test_a_backup_is_made_under_a_temp_name_and_renamed_so_never_half_written(tmp_path):
    (tmp_path / "live").write_text("key")
    (tmp_path / "live").chmod(0o600)
    backup = tmp_path / "backups/live.bak-STAMP"
    [(_, temp), *rest] = replace(f"copied {tmp_path}/live {backup}", tmp_path)
    assert temp.parent == backup.parent and temp.name.startswith(".live.bak-STAMP.") and temp.name.endswith("~")
    assert rest == [("rename", temp, backup), ("fsync", backup.parent)]
    assert backup.read_text() == "key" and stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]


# --- ca-prune.sh: the company CAs folder keeps only the certificates listed -------------------------


def stub(tmp_path, name: str, body: str) -> None:
    (tmp_path / "bin" / name).write_text(f"#!/bin/sh\n{body}\n")
    (tmp_path / "bin" / name).chmod(0o755)


def test_a_ca_no_longer_listed_is_moved_to_the_backups_and_the_store_rebuilt(tmp_path, path):
    """With a stand-in update-ca-certificates first on PATH (the `path` fixture makes tmp_path/bin)."""
    cas, backups = tmp_path / "wsl-gpu-docker", tmp_path / "backups"
    cas.mkdir()
    for name in ("kept.crt", "gone.crt"):
        (cas / name).write_text(name)
    stub(tmp_path, "update-ca-certificates", f'echo "$@" > {tmp_path}/rebuilt')
    done = sent(shell_script("ca-prune.sh", str(cas), str(backups), "STAMP", str(cas / "kept.crt")),
                f"{tmp_path}/bin:/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"removed {cas}/gone.crt (kept in {backups})\n"
    assert [p.name for p in cas.iterdir()] == ["kept.crt"]
    assert (backups / "gone.crt.bak-STAMP").read_text() == "gone.crt"
    assert (tmp_path / "rebuilt").read_text() == "--fresh\n"


def test_with_no_ca_listed_the_folder_goes_and_the_store_is_rebuilt(tmp_path, path):
    cas, backups = tmp_path / "wsl-gpu-docker", tmp_path / "backups"
    cas.mkdir()
    (cas / "old.crt").write_text("old")
    stub(tmp_path, "update-ca-certificates", f'echo "$@" > {tmp_path}/rebuilt')
    done = sent(shell_script("ca-prune.sh", str(cas), str(backups), "STAMP"), f"{tmp_path}/bin:/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    assert not cas.exists() and (backups / "old.crt.bak-STAMP").exists()
    assert (tmp_path / "rebuilt").exists()


# --- engine-version.sh: the engine's packages move only when it may be stopped ---------------------


@pytest.mark.parametrize("running, policy, moved", [("", "when-idle", True), ("job", "when-idle", False),
                                                    ("job", "now", True)])
def test_the_engine_moves_version_only_when_no_container_runs_or_when_told(running, policy, moved, tmp_path, path):
    """With the stand-in docker and apt-get first on PATH (the `path` fixture makes tmp_path/bin)."""
    stub(tmp_path, "docker", f"echo {running}" if running else "true")
    stub(tmp_path, "apt-get", f'echo "$DEBIAN_FRONTEND $*" > {tmp_path}/installed')
    pending = tmp_path / "state/engine-restart-pending"
    done = sent(shell_script("engine-version.sh", policy, str(pending), "docker-ce to 27.5.1", "600",
                             "docker-ce", "docker-ce-cli"), f"{tmp_path}/bin:/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    if moved:
        assert (tmp_path / "installed").read_text() == (
            "noninteractive install -y -q --allow-downgrades -o DPkg::Lock::Timeout=600 docker-ce docker-ce-cli\n")
        assert not pending.exists()
    else:
        assert not (tmp_path / "installed").exists()
        assert "why=docker-ce to 27.5.1" in pending.read_text().splitlines()
        assert done.stdout == "waits: containers are running (job)\n"


# --- lib/named.sh: a script's parameters by name ------------------------------------------------


def test_named_parameters_set_their_variables_and_any_other_argument_stops_the_script():
    lib = (ROOT / "files/lib/named.sh").read_text()
    script = f'{lib}\nnamed "KEY_OK LINE\n    LIST_OK" "$@"\necho "[$KEY_OK] [$LINE] [$LIST_OK]"'
    done = subprocess.run(["sh", "-c", script, "apt-repository.sh", "KEY_OK=1", "LINE=deb [a=b] http://x/ y z"],
                          capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "[1] [deb [a=b] http://x/ y z] []\n"), done.stderr
    for wrong in ("KEY_PATH=/etc/x", "1", "=1"):
        done = subprocess.run(["sh", "-c", script, "apt-repository.sh", "KEY_OK=1", wrong],
                              capture_output=True, text=True)
        assert done.returncode == 2 and done.stdout == "", wrong
        assert done.stderr == f"apt-repository.sh: unknown argument {wrong.partition('=')[0]}\n", wrong
