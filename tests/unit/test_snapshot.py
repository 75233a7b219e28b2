"""HostSnapshot: the host's identity, daemon.json and the managed state, told apart in one command's output."""

import shutil
import subprocess

from tasks.facts import HostSnapshot, StackState
from tasks.shell import shell_script

SOURCES = "/etc/apt/sources.list.d/docker.list"


def test_each_section_goes_to_its_own_fact():
    output = ["osrelease=6.6.87.2-microsoft-standard-WSL2", "users=root", "users=dev", "[daemon.json]",
              "exists", "line={", 'line=    "runtimes": {}', "line=}", "[stack]",
              "pkg=ii docker-ce 5:28.1.1-1~debian.12~bookworm", "group=docker:x:999:dev",
              f"source={SOURCES} deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian"
              " bookworm stable"]
    snapshot = HostSnapshot().process(output)
    assert snapshot["osrelease"] == "6.6.87.2-microsoft-standard-WSL2"
    assert snapshot["users"] == ["root", "dev"]
    assert snapshot["daemon_json_file"] == ["{", '    "runtimes": {}', "}"]
    assert snapshot["stack"]["packages"] == {"docker-ce": "5:28.1.1-1~debian.12~bookworm"}
    assert snapshot["stack"]["group"] == ["dev"]
    assert snapshot["stack"]["sources"] == {SOURCES: [
        "deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable"]}


def test_an_absent_daemon_json_is_none_and_an_empty_one_has_no_lines():
    assert HostSnapshot().process(["[daemon.json]", "[stack]"])["daemon_json_file"] is None
    assert HostSnapshot().process(["[daemon.json]", "exists", "[stack]"])["daemon_json_file"] == []
    assert HostSnapshot().process(["[daemon.json]", "[stack]"])["stack"] == StackState().default()


def test_a_file_is_read_line_for_line_even_without_a_last_newline(tmp_path):
    daemon_json = tmp_path / "daemon.json"
    daemon_json.write_text('{\n    "log-level": "warn"\n}')
    out = subprocess.run(["sh", "-c", shell_script("file-lines.sh", str(daemon_json))], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out == ["exists", "line={", 'line=    "log-level": "warn"', "line=}"]
    absent = subprocess.run(["sh", "-c", shell_script("file-lines.sh", str(tmp_path / "none"))],
                            capture_output=True, text=True, check=True)
    assert absent.stdout == ""


def snapshot_output(tmp_path, tools: dict[str, str], **more: str) -> list[str]:
    """files/host-snapshot.sh's output with stand-in parts, on a PATH that holds only these tools."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("sh", "cat", "mktemp", "rm"):
        (bin_dir / name).symlink_to(shutil.which(name))
    for name, text in tools.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{text}\n")
        (bin_dir / name).chmod(0o755)
    command = shell_script("host-snapshot.sh", HOST="echo osrelease=6.6", DAEMON_JSON="echo exists; echo line={}",
                           STACK="echo pkg=ii docker-ce 5:28.1.1",
                           RUNTIMES=shell_script("command-result.sh", "docker info"), **more)
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=True,
                          env={"PATH": str(bin_dir)}).stdout.splitlines()


def test_the_snapshot_puts_each_part_below_its_section_and_asks_a_running_engine_for_its_runtimes(tmp_path):
    runtimes = '{"nvidia":{"path":"nvidia-container-runtime"},"runc":{"path":"runc"}}'
    out = snapshot_output(tmp_path, {"docker": f"echo '{runtimes}'", "systemctl": "exit 0"})
    assert out == ["osrelease=6.6", "[daemon.json]", "exists", "line={}", "[stack]", "pkg=ii docker-ce 5:28.1.1",
                   "[runtimes]", "ok", runtimes]
    snapshot = HostSnapshot().process(out)
    assert snapshot["runtimes"] == {"ok": True, "output": [runtimes]}
    assert snapshot["daemon_json_file"] == ["{}"] and snapshot["stack"]["packages"] == {"docker-ce": "5:28.1.1"}


def test_without_a_docker_cli_the_snapshot_has_no_runtimes(tmp_path):
    out = snapshot_output(tmp_path, {})
    assert out[-2:] == ["pkg=ii docker-ce 5:28.1.1", "[runtimes]"]
    assert HostSnapshot().process(out)["runtimes"] is None


def test_the_docker_users_configs_come_last_below_their_own_section(tmp_path):
    out = snapshot_output(tmp_path, {}, DOCKER_CONFIG="echo recorded=dev")
    assert out[-3:] == ["[runtimes]", "[docker-config]", "recorded=dev"]
    assert HostSnapshot().process(out)["docker_configs"] == {"recorded": ["dev"], "configs": {}}
    assert HostSnapshot().process(out)["runtimes"] is None
