"""Settings are validated before anything else, each bad one named with its fix."""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from defaults import DEFAULTS
from tasks.docker import install_script_command
from tasks.settings import SettingsError, validate
from tests.unit.bad_settings import BAD_VALUES


def test_every_setting_has_a_bad_value_here():
    assert BAD_VALUES.keys() == DEFAULTS.keys()


def test_defaults_are_valid():
    settings = validate({})
    assert vars(settings) == DEFAULTS


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_a_bad_value_is_named_with_its_fix(name):
    with pytest.raises(SettingsError) as error:
        validate({name: BAD_VALUES[name]})
    message = str(error.value)
    assert f"{name} = {BAD_VALUES[name]!r}" in message
    assert "Fix:" in message
    assert message.count("\n  - ") == 1, "only the bad setting is reported"
    assert [(p.id, p.status) for p in error.value.problems] == [("settings.invalid", "FAIL")]


def test_all_bad_settings_are_reported_at_once():
    with pytest.raises(SettingsError) as error:
        validate({"docker_channel": "edge", "nvidia_docker2": "no"})
    assert "docker_channel" in str(error.value) and "nvidia_docker2" in str(error.value)


def test_a_misspelt_setting_gets_a_did_you_mean():
    with pytest.raises(SettingsError, match="unknown setting docker_user: did you mean docker_users") as error:
        validate({"docker_user": ["alice"]})
    assert [p.id for p in error.value.problems] == ["settings.unknown"]


@pytest.mark.parametrize("name,meant", [("nvida_toolkit_version", "nvidia_toolkit_version"),
                                         ("dcoker_users", "docker_users")])
def test_a_misspelt_prefix_still_gets_a_did_you_mean(name, meant):
    with pytest.raises(SettingsError, match=f"unknown setting {name}: did you mean {meant}"):
        validate({name: "x"})


def test_connector_and_unrelated_data_are_left_alone():
    settings = validate({"docker_identifier": "abc123", "ssh_port": 2222, "team": "ml"})
    assert settings.docker_engine == "docker-ce"


@pytest.mark.parametrize("name", ["docker_packages", "gpu_count", "docker_edition", "nvidia_driver_version",
                                  "apt_mirror", "wsl_distro_name"])
def test_other_deploys_names_with_our_prefixes_pass_untouched(name):
    assert validate({name: "x"}).docker_engine == "docker-ce"


def test_a_plain_http_script_needs_a_sha256():
    with pytest.raises(SettingsError, match="docker_install_script_sha256") as error:
        validate({"docker_install_script_url": "http://mirror.example/get-docker.sh"})
    assert [p.id for p in error.value.problems] == ["settings.plain-http-script"]
    assert str(error.value).endswith("docker_install_script_sha256 set. Fix: use https:// or set the sha256.")
    validate({"docker_install_script_url": "http://mirror.example/get-docker.sh",
              "docker_install_script_sha256": "a" * 64})


@pytest.mark.parametrize("options,reason", [
    ({"default-runtime": "nvidia"}, "nvidia_default_runtime"),
    ({"runtimes": {"nvidia": {"path": "x"}}}, "nvidia runtime"),
])
def test_daemon_options_cannot_fight_the_runtime_settings(options, reason):
    with pytest.raises(SettingsError, match=reason):
        validate({"docker_daemon_options": options})


@pytest.mark.parametrize("options,reason", [
    ({"runtimes": 5}, "as a dict of runtime names"),
    ({"runtimes": ["crun"]}, "as a dict of runtime names"),
    ({"log-opts": {"max-size": {1, 2}}}, "only JSON values"),
    ({"max-concurrent-downloads": float("nan")}, "only JSON values"),
])
def test_daemon_options_that_cannot_become_daemon_json_are_named(options, reason):
    with pytest.raises(SettingsError, match=reason) as error:
        validate({"docker_daemon_options": options})
    assert "docker_daemon_options = " in str(error.value) and "Fix:" in str(error.value)


@pytest.mark.parametrize("size", ["1G", "512m", "2gb", "1GiB", "67108864"])
def test_a_shm_size_is_any_size_dockerd_reads(size):
    assert validate({"docker_default_shm_size": size}).docker_default_shm_size == size


@pytest.mark.parametrize("size", ["0", "1 gig", "1T B", "-1G", 1073741824, "", "1.2.3G"])
def test_a_shm_size_dockerd_cannot_read_is_named_with_an_example(size):
    with pytest.raises(SettingsError, match=r'docker_default_shm_size = .*: must be a size as dockerd reads it.*"1G"'):
        validate({"docker_default_shm_size": size})


def test_ulimits_are_numbers_or_soft_colon_hard_by_dockers_names():
    ulimits = {"memlock": -1, "stack": 67108864, "nofile": "1024:524288", "core": "0"}
    assert validate({"docker_default_ulimits": ulimits}).docker_default_ulimits == ulimits


@pytest.mark.parametrize("ulimits,reason", [
    ({"memlok": -1}, "names memlok, which Docker does not know: use core, cpu"),
    ({"stack": "64M"}, r"gives stack '64M': give a number \(-1: unlimited\) or \"soft:hard\""),
    ({"memlock": -2}, "gives memlock -2"),
    ({"memlock": True}, "gives memlock True"),
    ({"nofile": "4096:1024"}, "a soft limit above its hard one"),
    ({"memlock": "-1:1024"}, "a soft limit above its hard one"),
    ([("memlock", -1)], "must be a dict of ulimit names to limits"),
])
def test_bad_ulimits_are_named_with_the_fix(ulimits, reason):
    with pytest.raises(SettingsError, match=reason) as error:
        validate({"docker_default_ulimits": ulimits})
    assert "docker_default_ulimits = " in str(error.value) and "Fix:" in str(error.value)


@pytest.mark.parametrize("mtu", [67, 65536, 1400.0, "1400", True])
def test_an_mtu_outside_68_to_65535_is_refused(mtu):
    with pytest.raises(SettingsError, match="docker_mtu = .*from 68 to 65535"):
        validate({"docker_mtu": mtu})
    assert validate({"docker_mtu": 1400}).docker_mtu == 1400


@pytest.mark.parametrize("key,setting,value", [
    ("default-shm-size", "docker_default_shm_size", "2G"),
    ("default-ulimits", "docker_default_ulimits", {"memlock": -1}),
    ("mtu", "docker_mtu", 1400),
])
def test_a_daemon_key_set_both_by_its_setting_and_docker_daemon_options_stops_naming_both(key, setting, value):
    with pytest.raises(SettingsError) as error:
        validate({setting: value, "docker_daemon_options": {key: value}})
    assert [p.id for p in error.value.problems] == ["settings.daemon-key-twice"]
    message = str(error.value)
    assert f"daemon.json's {key!r} is set twice: by {setting} and by docker_daemon_options[{key!r}]" in message
    assert f"Fix: keep one: remove {key!r} from docker_daemon_options, or unset {setting}." in message


def test_docker_daemon_options_may_set_those_keys_while_their_settings_are_unset():
    options = {"default-shm-size": "2G", "mtu": 1400, "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 9,
                                                                                  "Soft": 9}}}
    assert validate({"docker_daemon_options": options, "docker_default_shm_size": None}).docker_mtu is None


def test_root_is_never_a_docker_user():
    with pytest.raises(SettingsError, match="root"):
        validate({"docker_users": ["alice", "root"]})


def test_values_are_normalised():
    settings = validate({
        "docker_gpg_fingerprint": "9dc8 5822 9fc7 dd38 854a  e2d8 8d81 803c 0ebf cd88",
        "nvidia_repo_url": "https://mirror.example/nvidia/",
    })
    assert settings.docker_gpg_fingerprint == "9DC858229FC7DD38854AE2D88D81803C0EBFCD88"
    assert settings.nvidia_repo_url == "https://mirror.example/nvidia"


@pytest.mark.parametrize("url,https_only", [("https://get.docker.com", True),
                                           ("http://127.0.0.1:8080/get-docker.sh", False)])
def test_a_script_from_https_never_follows_a_redirect_to_plain_http(url, https_only):
    settings = validate({"docker_install_script_url": url, "docker_install_script_sha256": "a" * 64})
    # The command as the deploy sends it, with a curl that only says how it was called.
    with tempfile.TemporaryDirectory() as folder:
        curl = Path(folder) / "curl"
        curl.write_text('#!/bin/sh\necho "curl $*" >&2\nexit 1\n')
        curl.chmod(0o755)
        sent = subprocess.run(["sh", "-c", install_script_command(settings)], capture_output=True, text=True,
                              env={**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"})
    command = sent.stderr
    assert command.startswith("curl ") and "could not download the Docker install script" in command
    assert ("--proto-redir =https" in command) == https_only
    # The real curl refuses such a redirect: the option is one it knows.
    proc = subprocess.run(["curl", "--proto-redir", "=https", "--version"], capture_output=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("url", ["http://proxy.corp.example:3128", "https://10.1.2.3", "http://u:p%40ss@proxy:8080/"])
def test_a_proxy_url_is_scheme_host_and_port(url):
    assert validate({"http_proxy": url, "https_proxy": url}).https_proxy == url


@pytest.mark.parametrize("url", ["socks5://proxy:1080", "http://:3128", "http://proxy:99999",
                                 "http://proxy:3128/x", "http://u:p$ss@proxy:3128", "http://proxy:3128?a=1"])
def test_a_bad_proxy_url_is_refused_naming_the_setting(url):
    with pytest.raises(SettingsError, match=r"https_proxy = .*Fix:"):
        validate({"https_proxy": url})


def test_a_bad_proxy_url_with_credentials_is_named_masked():
    with pytest.raises(SettingsError) as error:
        validate({"http_proxy": "http://alice:hunter2@proxy:3128/path"})
    assert "hunter2" not in str(error.value)
    assert "http://alice:***@proxy:3128/path" in str(error.value)


def test_a_ca_file_that_is_not_pem_is_named(tmp_path):
    bad = tmp_path / "corp.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    with pytest.raises(SettingsError, match=rf"ca_certificates = .*names {bad}, which is not a PEM certificate"):
        validate({"ca_certificates": [str(bad)]})
    with pytest.raises(SettingsError, match="cannot be read"):
        validate({"ca_certificates": [str(tmp_path / "absent.pem")]})


@pytest.mark.parametrize("url", ["https://git.corp.example/team/wsl-gpu-docker.git",
                                 "https://ci:s3cret@git.corp.example/team/wsl-gpu-docker.git",
                                 "ssh://git@git.corp.example:2222/team/wsl-gpu-docker.git",
                                 "git@git.corp.example:team/wsl-gpu-docker.git", "http://127.0.0.1:8080/wsl.git"])
def test_pull_repo_url_takes_gits_url_forms(url):
    assert validate({"pull_repo_url": url}).pull_repo_url == url


@pytest.mark.parametrize("url", ["git.corp.example/team", "ftp://git.corp.example/x.git", "https://h/x.git; true",
                                 "https://h/$(id).git", 42])
def test_pull_repo_url_refuses_what_git_would_not_read_or_a_shell_would(url):
    with pytest.raises(SettingsError, match="pull_repo_url = .*: must be a git URL"):
        validate({"pull_repo_url": url})


def test_a_password_in_pull_repo_url_is_masked_in_the_error():
    with pytest.raises(SettingsError) as error:
        validate({"pull_repo_url": "https://ci:s3cret@git.corp.example/team repo.git"})
    assert "s3cret" not in str(error.value) and "ci:***@" in str(error.value)


@pytest.mark.parametrize("ref", ["main", "release/2026.12", "v1.4", "team-pin_3"])
def test_pull_ref_takes_branch_and_tag_names(ref):
    assert validate({"pull_ref": ref}).pull_ref == ref


@pytest.mark.parametrize("ref", ["", "-main", "a..b", "main.lock", "release/", "/main", "main branch", "a//b"])
def test_pull_ref_refuses_what_git_check_ref_format_refuses(ref):
    with pytest.raises(SettingsError, match="pull_ref = .*: must be a branch or tag name"):
        validate({"pull_ref": ref})


@pytest.mark.parametrize("spec", ["hourly", "daily", "*-*-* 09:00", "Mon..Fri *-*-* 08:30", "*:0/15"])
def test_pull_schedule_takes_systemd_calendar_expressions(spec):
    assert validate({"pull_schedule": spec}).pull_schedule == spec


def test_pull_signing_keys_need_each_keys_public_part_committed(tmp_path, monkeypatch):
    import tasks.pullmode

    fingerprint = "0123456789ABCDEF0123456789ABCDEF01234567"
    monkeypatch.setattr(tasks.pullmode, "SIGNING_KEYS_DIR", tmp_path)
    with pytest.raises(SettingsError) as error:
        validate({"pull_signing_keys": [fingerprint]})
    assert f"not at signing-keys/{fingerprint}.asc" in str(error.value)
    assert f"gpg --export --armor {fingerprint} > signing-keys/{fingerprint}.asc" in str(error.value)
    (tmp_path / f"{fingerprint}.asc").write_text("not a key\n")
    with pytest.raises(SettingsError, match="is not an armored public key"):
        validate({"pull_signing_keys": [fingerprint.lower()]})
    (tmp_path / f"{fingerprint}.asc").write_text("-----BEGIN PGP PUBLIC KEY BLOCK-----\n...\n")
    assert validate({"pull_signing_keys": [fingerprint]}).pull_signing_keys == [fingerprint]
