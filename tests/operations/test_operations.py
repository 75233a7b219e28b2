"""Our operations on fake facts, as pyinfra tests its own: tests/operations/<op>/<case>.json, facts in, commands out."""

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pyinfra.api import Config, FileUploadCommand, FunctionCommand, Inventory, State, StringCommand
from pyinfra.api.util import get_kwargs_str
from pyinfra.context import ctx_host, ctx_state

from tasks import apt, docker, operations, toolkit, units, userproxy
from tasks.findings import Finding
from tasks.shell import FILES, script_text, shell_script
from tests.traced import fsyncs_and_renames

ROOT = Path(__file__).resolve().parents[2]

OPERATIONS = {op.__name__: op for op in (operations.file_content, operations.checks_pass,
                                         apt.package_manager_ready, apt.absent_with_backup,
                                         apt.repository, userproxy.docker_config_proxies, toolkit.no_cgroups_set,
                                         units.units_reloaded, docker.docker_group_has)}
CASES = sorted(Path(__file__).parent.glob("*/*.json"))


def as_line(line: str):
    """A shell line, or a files/ script sent whole (tasks/shell.py) as ["files/<name>", *args]."""
    words = shlex.split(line) if line.startswith(("sh -c ", "python3 -c ")) else []
    if words[:1] == ["sh"] and len(words) > 3 and words[2] == script_text(words[3]):
        return [f"files/{words[3]}", *words[4:]]
    python = [path.name for path in FILES.glob("*.py") if words[:1] == ["python3"] and path.read_text() == words[2]]
    return [f"files/{python[0]}", *words[3:]] if python else line


def as_sent(line) -> str:
    """A case's shell line as the host gets it: a ["files/<name>", *args] is sent whole again."""
    return shell_script(line[0].removeprefix("files/"), *line[1:]) if isinstance(line, list) else line


def as_json(command):
    """A command as the cases write it: a shell line, ["files/<script>", *args], ["upload", text, dest,
    where an SSH login without root's rights uploads it first] or [function, args]."""
    if isinstance(command, str):
        return as_line(command)
    if isinstance(command, StringCommand):
        return as_line(command.get_raw_value())
    if isinstance(command, FileUploadCommand):
        return ["upload", command.src.getvalue(), command.dest, command.remote_temp_filename]
    if isinstance(command, FunctionCommand):
        return [command.function.__name__, list(command.args)]
    raise TypeError(f"{command!r} is no command the cases know")


def run(name: str, case: dict, monkeypatch) -> tuple[list, list]:
    """(commands, no-op messages) of operation name on a host whose facts are case's."""
    state = State(Inventory((["fake-host"], {})), Config())
    host = state.inventory.get_host("fake-host")
    noops = []

    def get_fact(cls, **kwargs):
        by_args = case["facts"][cls.name]
        key = get_kwargs_str(kwargs)
        if key not in by_args:
            raise KeyError(f"the case gives no {cls.name} for ({key})")
        return by_args[key]

    monkeypatch.setattr(host, "get_fact", get_fact)
    monkeypatch.setattr(host, "noop", noops.append)
    monkeypatch.setattr(operations, "BACKUP_STAMP", "STAMP")  # the run's backup stamp
    monkeypatch.setattr(operations, "RUN_TOKEN", "RUN")  # the run's temp files' token
    monkeypatch.setattr(userproxy, "BACKUP_STAMP", "STAMP")
    kwargs = dict(case["kwargs"])
    if name == "checks_pass":  # its problems are findings, which the cases write as their fields
        kwargs["problems"] = [Finding(**p) for p in kwargs["problems"]]
    with ctx_state.use(state), ctx_host.use(host):
        commands = [as_json(c) for c in OPERATIONS[name]._inner(**kwargs)]
    return commands, noops


def test_every_operation_has_cases():
    assert {case.parent.name for case in CASES} == set(OPERATIONS)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_the_operation_yields_the_commands_and_no_op_message_of_its_case(case, monkeypatch):
    data = json.loads(case.read_text())
    commands, noops = run(case.parent.name, data, monkeypatch)
    assert commands == data["commands"]
    assert noops == ([data["noop"]] if "noop" in data else [])


SECRET = "hunter2"


def exposed(root: Path) -> list[str]:
    """The files below root holding SECRET that others may read: o+r on it, o+x on each folder to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and SECRET in p.read_text() and p.stat().st_mode & 0o004
                  and all(d.stat().st_mode & 0o001 for d in p.parents if d.is_relative_to(root)))


def upload(connector: str, text: str, dest: str, temp: str, controller: Path):
    """The steps by which pyinfra 3's connector puts text at dest (connectors/ssh.py and local.py,
    put_file), each a moment to look at: SFTP creates a file with its default mode, 0666 less the umask.
    Some `cp`s (uutils', on Ubuntu 26.04) give an existing dest their source's mode: `--preserve=mode`
    stands for them."""
    def sftp_write(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        os.write(fd, text.encode())
        os.close(fd)
    cp = ["cp", "--preserve=mode"] if connector.endswith("mode-copying cp") else ["cp"]
    if connector == "ssh as root":
        yield sftp_write(dest)
    elif connector.startswith("ssh with sudo"):  # as the login user to temp, then `cp` as root
        yield sftp_write(temp)
        yield subprocess.run([*cp, temp, dest], check=True)
        yield os.remove(temp)
    else:  # @local: mkstemp (0600) on this machine, then `cp`
        _, local = tempfile.mkstemp(dir=controller)
        Path(local).write_text(text)
        yield subprocess.run([*cp, local, dest], check=True)
        yield os.remove(local)


@pytest.fixture
def umask_022():
    """The umask of a Debian or Ubuntu login, for everything the test makes."""
    umask = os.umask(0o022)
    yield
    os.umask(umask)


@pytest.mark.parametrize("connector", ["ssh with sudo", "ssh with sudo, mode-copying cp", "ssh as root", "@local"])
def test_a_root_only_file_is_readable_by_others_at_no_moment_of_its_writing(connector, tmp_path, monkeypatch,
                                                                              umask_022):
    """The commands of private.json, run in a folder standing for /, with each upload step between."""
    root, controller = tmp_path / "root", tmp_path / "controller"
    for folder in (root / "etc/apt/apt.conf.d", root / "run", controller):
        folder.mkdir(parents=True)
    monkeypatch.setattr(operations, "UPLOAD_DIR", f"{root}/run/wsl-gpu-docker-upload")
    monkeypatch.delenv("SUDO_USER", raising=False)
    case = json.loads((Path(__file__).parent / "file_content/private.json").read_text())
    dest = root / case["kwargs"]["dest"].lstrip("/")
    dest.write_text(f"the previous proxy, {SECRET}\n")
    dest.chmod(0o600)
    key = get_kwargs_str({"path": str(dest)})
    case = {"kwargs": {**case["kwargs"], "dest": str(dest), "backup_dir": f"{root}/var/backups/wsl-gpu-docker"},
            "facts": {"files.Sha256File": {key: "2" * 64}}}
    commands, _ = run("file_content", case, monkeypatch)
    assert any(c[0] == "upload" for c in commands) and " && mv -f " in commands[-1], commands
    for n, command in enumerate(commands):
        steps = upload(connector, *command[1:], controller) if command[0] == "upload" else [
            subprocess.run(["sh", "-c", as_sent(command)], check=True)]
        for _ in steps:
            assert exposed(root) == [], f"after command {n}: {command}"
    assert dest.read_text() == case["kwargs"]["text"] and dest.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in (root / "var/backups/wsl-gpu-docker").iterdir()) == [
        "95wsl-gpu-docker-proxy.bak-STAMP"]
    assert os.listdir(dest.parent) == [dest.name]  # no temp left beside it
    assert not list((root / "run").iterdir()) and not list(controller.iterdir())


def test_each_run_names_its_temp_files_apart_beside_the_file_in_a_name_apt_skips_silently(tmp_path):
    """Two runs started at once never share a temp name; one a killed run leaves in apt.conf.d makes apt say
    nothing, where the `.new` of before made it print a notice on every run."""
    names = [subprocess.run([sys.executable, "-c", "from tasks.operations import temp_path as t; "
                             "print(t('/etc/apt/apt.conf.d/95wsl-gpu-docker-proxy'))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip() for _ in range(2)]
    assert names[0] != names[1], names
    assert all(re.fullmatch(r"/etc/apt/apt\.conf\.d/\.95wsl-gpu-docker-proxy\.[0-9a-f]{12}~", n) for n in names)
    parts = tmp_path / "apt.conf.d"
    parts.mkdir()
    config = tmp_path / "apt.conf"
    config.write_text(f'Dir::Etc::Parts "{parts}";\n')

    def apt_says() -> str:
        done = subprocess.run(["apt-config", "dump"], env={**os.environ, "APT_CONFIG": str(config)},
                              capture_output=True, text=True)
        return done.stderr + "".join(line for line in done.stdout.splitlines(True) if line[:2] in ("E:", "W:", "N:"))

    (parts / names[0].rpartition("/")[2]).write_text('Acquire::http::Proxy "http://half-writ')
    assert apt_says() == ""
    (parts / "95wsl-gpu-docker-proxy.new").write_text("")
    assert "Ignoring file '95wsl-gpu-docker-proxy.new'" in apt_says()


def test_a_file_is_written_beside_itself_fsynced_renamed_then_its_folder_fsynced_and_killed_runs_temps_go(
        tmp_path, monkeypatch):
    """different.json's commands, run under strace on a folder standing for /etc/docker: the new file and
    the backup each reach their name only by a rename after an fsync, and each folder is fsynced after."""
    folder, backups = tmp_path / "etc/docker", tmp_path / "var/backups/wsl-gpu-docker"
    for f in (folder, backups):
        f.mkdir(parents=True)
    dest = folder / "daemon.json"
    dest.write_text('{"log-level": "warn"}\n')
    old = time.time() - 300
    killed = [folder / ".daemon.json.0a1b2c3d4e5f~", backups / ".daemon.json.bak-20261201-101010.0a1b2c3d4e5f~"]
    in_flight, others = folder / ".daemon.json.99aa99aa99aa~", folder / ".daemon.json.rejected"
    for path in (*killed, in_flight, others):
        path.write_text("{")
        if path != in_flight:
            os.utime(path, (old, old))
    case = json.loads((Path(__file__).parent / "file_content/different.json").read_text())
    case["kwargs"].update(dest=str(dest), backup_dir=str(backups))
    case["facts"]["files.Sha256File"] = {get_kwargs_str({"path": str(dest)}): "0" * 64}
    commands, _ = run("file_content", case, monkeypatch)
    temp, backup = folder / ".daemon.json.RUN~", backups / "daemon.json.bak-STAMP"
    kept = backups / ".daemon.json.bak-STAMP.RUN~"
    events = []
    for n, command in enumerate(commands):
        if command[0] == "upload":
            assert command[2] == str(temp)
            Path(command[2]).write_text(command[1])  # as the connector's upload would
        else:
            events += fsyncs_and_renames(["sh", "-c", command], tmp_path / f"strace-{n}")
    assert events == [("fsync", temp), ("fsync", kept), ("rename", kept, backup), ("fsync", backups),
                      ("rename", temp, dest), ("fsync", folder)]
    assert dest.read_text() == case["kwargs"]["text"] and backup.read_text() == '{"log-level": "warn"}\n'
    assert not any(p.exists() for p in killed) and in_flight.exists() and others.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted([dest.name, in_flight.name, others.name])


def test_a_file_longer_than_a_command_may_carry_is_uploaded_instead(monkeypatch):
    """absent.json's file, were it longer than INLINE_MAX: its text goes by an upload, not in a command, and
    the same commands around it write it."""
    case = json.loads((Path(__file__).parent / "file_content/absent.json").read_text())
    case["facts"]["server.TmpDir"] = {"": "/tmp"}
    (inline,) = case["commands"]
    monkeypatch.setattr(operations, "INLINE_MAX", len(case["kwargs"]["text"]) - 1)
    commands, _ = run("file_content", case, monkeypatch)
    assert [c[0] if isinstance(c, list) else c.split()[0] for c in commands] == ["mkdir", "upload", "chmod"], commands
    assert commands[1][1:3] == [case["kwargs"]["text"], "/etc/docker/.daemon.json.RUN~"], commands
    assert case["kwargs"]["text"] not in commands[0] + commands[2]
    assert inline.startswith(commands[0]) and inline.endswith(commands[2].partition(" && ")[2]), commands
