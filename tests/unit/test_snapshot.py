"""WslHost: the host's identity, daemon.json and the managed state, told apart in one command's output."""

import subprocess

from tasks.facts import StackState, WslHost
from tasks.shell import shell_script

SOURCES = "/etc/apt/sources.list.d/docker.list"


def test_each_section_goes_to_its_own_fact():
    output = ["osrelease=6.6.87.2-microsoft-standard-WSL2", "users=root", "users=dev", "[daemon.json]",
              "exists", "line={", 'line=    "runtimes": {}', "line=}", "[stack]",
              "pkg=ii  docker-ce 5:28.1.1-1~debian.12~bookworm", "group=docker:x:999:dev",
              f"source={SOURCES} deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian"
              " bookworm stable"]
    snapshot = WslHost().process(output)
    assert snapshot["osrelease"] == "6.6.87.2-microsoft-standard-WSL2"
    assert snapshot["users"] == ["root", "dev"]
    assert snapshot["daemon_json_file"] == ["{", '    "runtimes": {}', "}"]
    assert snapshot["stack"]["packages"] == {"docker-ce": "5:28.1.1-1~debian.12~bookworm"}
    assert snapshot["stack"]["group"] == ["dev"]
    assert snapshot["stack"]["sources"] == {SOURCES: [
        "deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable"]}


def test_an_absent_daemon_json_is_none_and_an_empty_one_has_no_lines():
    assert WslHost().process(["[daemon.json]", "[stack]"])["daemon_json_file"] is None
    assert WslHost().process(["[daemon.json]", "exists", "[stack]"])["daemon_json_file"] == []
    assert WslHost().process(["[daemon.json]", "[stack]"])["stack"] == StackState().default()


def test_a_file_is_read_line_for_line_even_without_a_last_newline(tmp_path):
    daemon_json = tmp_path / "daemon.json"
    daemon_json.write_text('{\n    "log-level": "warn"\n}')
    out = subprocess.run(["sh", "-c", shell_script("file-lines.sh", str(daemon_json))], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out == ["exists", "line={", 'line=    "log-level": "warn"', "line=}"]
    absent = subprocess.run(["sh", "-c", shell_script("file-lines.sh", str(tmp_path / "none"))],
                            capture_output=True, text=True, check=True)
    assert absent.stdout == ""
