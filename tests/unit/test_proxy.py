"""The proxy's and CAs' files as rendered from the settings, and doctor's reading of each layer's proxy."""

import json
import shlex
import subprocess

import pytest

from tasks.docker import install_script_command
from tasks.doctor.checks.proxy import check_layers, check_upstreams, classify
from tasks.doctor.network import NetworkFacts, image_registry, proxy_probes
from tasks.doctor.report import report_json, table
from tasks.managed import PROXY_ENV
from tasks.proxy import apt_proxy, docker_dropin, proxy_env, secret_mode
from tasks.settings import validate
from tasks.shell import FILES
from testbed.doctor_examples import CORP_PROXY, GOOD, behind, run

SECRET = "hunter2"


def test_the_proxy_files_carry_every_setting():
    s = validate({**CORP_PROXY, "no_proxy": "localhost,.corp.example"})
    env = proxy_env(s)
    assert 'https_proxy="http://alice:hunter2@proxy.corp.example:3128"\n' in env
    assert 'NO_PROXY="localhost,.corp.example"\n' in env
    assert 'Acquire::https::Proxy "http://alice:hunter2@proxy.corp.example:3128";' in apt_proxy(s)
    # apt has no no_proxy: a plain host goes DIRECT, a domain suffix cannot.
    assert 'Acquire::http::Proxy::localhost "DIRECT";' in apt_proxy(s) and "corp.example\" " not in apt_proxy(s)
    assert "EnvironmentFile=-/etc/wsl-gpu-docker/proxy.env" in docker_dropin(s)
    assert SECRET not in docker_dropin(s), "systemd shows a unit's Environment= to every user"
    assert secret_mode(s) == "600" and secret_mode(validate({"http_proxy": "http://proxy:3128"})) == "644"


def test_without_a_proxy_there_are_no_files():
    s = validate({"no_proxy": "localhost"})
    assert proxy_env(s) is None and apt_proxy(s) is None and docker_dropin(s) is None


def test_sh_reads_the_environment_file_as_systemd_does(tmp_path):
    env = tmp_path / "proxy.env"
    env.write_text(proxy_env(validate({**CORP_PROXY, "no_proxy": "localhost,127.0.0.1"})))
    out = subprocess.run(["sh", "-c", f"set -a; . {env}; echo \"$HTTPS_PROXY|$no_proxy\""],
                         capture_output=True, text=True, check=True).stdout
    assert out == "http://alice:hunter2@proxy.corp.example:3128|localhost,127.0.0.1\n"


# Stand-ins for what doctor-network.sh asks on a host whose apt and engine name other proxies, each
# with the password: `apt-config dump`, `docker info` (an engine that does not hide it) and curl
# (an error line naming the proxy).
TOOLS = {
    "apt-config": """echo 'Acquire::http::Proxy "http://alice:hunter2@old-proxy.corp.example:3128";'""",
    "systemctl": "exit 0",
    "docker": "echo 'http://alice:hunter2@old-proxy.corp.example:3128|http://bob:hunter2@p.example:3128|localhost'",
    "curl": """echo 'curl: (56) http://alice:hunter2@proxy.corp.example:3128 refused' >&2; printf '000 407'; exit 56""",
}


def test_the_doctor_script_masks_every_proxy_it_shows(tmp_path, monkeypatch):
    """doctor's own command, with every layer naming a proxy with its password: neither what the host
    prints nor doctor's results and JSON report hold the password; each shows the proxy masked."""
    for name, body in TOOLS.items():
        (tmp_path / name).write_text(f"#!/bin/sh\n{body}\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setattr("tasks.doctor.network.PROXY_ENV", str(tmp_path / "absent.env"))
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "https_proxy": CORP_PROXY["https_proxy"]}
    command = NetworkFacts().command(proxy_probes(validate(CORP_PROXY)))
    out = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=env).stdout
    facts = NetworkFacts().process(out.splitlines())
    assert facts["net.env.https_proxy"] == "http://alice:***@proxy.corp.example:3128"
    assert facts["net.apt.http_proxy"] == "http://alice:***@old-proxy.corp.example:3128"
    assert facts["net.dockerd.https_proxy"] == "http://bob:***@p.example:3128"
    assert len(facts["net.reach"]) == 3 and "curl: (56) http://alice:***@proxy" in facts["net.reach"][0]
    assert SECRET not in out
    results = run(facts, CORP_PROXY)
    report = json.dumps(report_json({"laptop": results}, []))
    assert SECRET not in report and SECRET not in table("laptop", results)
    layers = {r.check: r for r in results}["proxy.layers"]
    assert layers.status == "FAIL" and "apt's http proxy is http://alice:***@old-proxy" in layers.found, layers
    assert check_layers({**GOOD, **facts, **behind(CORP_PROXY)}, validate(CORP_PROXY)).status == "PASS"


@pytest.mark.parametrize("rc, code, connect, proxy, kind", [
    (56, "000", "407", "http://p:3128", "407"), (0, "407", "000", "http://p:3128", "407"),
    (60, "000", "200", "http://p:3128", "tls"), (60, "000", "000", None, "tls"),
    (7, "000", "000", "http://p:3128", "proxy"), (5, "000", "000", "http://p:3128", "proxy"),
    (7, "000", "000", None, "down"), (56, "000", "503", "http://p:3128", "down"),
    (0, "200", "200", "http://p:3128", None), (0, "401", "200", "http://p:3128", None),
])
def test_a_failed_head_request_is_told_by_its_cause(rc, code, connect, proxy, kind):
    assert classify(rc, code, connect, proxy) == kind


def test_upstreams_that_answer_pass_and_none_are_asked_without_a_proxy():
    assert check_upstreams({**GOOD, **behind(CORP_PROXY)}, validate(CORP_PROXY)).status == "PASS"
    assert check_upstreams(GOOD, validate({})).status == "INFO"
    r = check_upstreams({**GOOD, **behind(CORP_PROXY, "7 000 000 https://download.docker.com/linux/ x")},
                        validate(CORP_PROXY))
    assert r.status == "FAIL" and SECRET not in r.found and "alice:***@" in r.found


@pytest.mark.parametrize("image, registry", [
    ("nvcr.io/nvidia/k8s/cuda-sample:nbody", "nvcr.io"), ("ubuntu:24.04", "registry-1.docker.io"),
    ("library/ubuntu", "registry-1.docker.io"), ("localhost:5000/x", "localhost:5000"),
])
def test_the_smoke_tests_registry(image, registry):
    assert image_registry(image) == registry


def test_the_install_scripts_download_is_given_the_deploys_own_proxy_file():
    assert f"PROXY_ENV={PROXY_ENV}" in shlex.split(install_script_command(validate({})))


def test_fetch_takes_the_proxy_from_the_file_it_is_given_and_exports_it(tmp_path):
    curl = tmp_path / "curl"
    curl.write_text('#!/bin/sh\necho "$https_proxy $*"\n')
    curl.chmod(0o755)
    env = tmp_path / "proxy.env"
    env.write_text('https_proxy="http://proxy.corp.example:3128"\n')
    fetch = (FILES / "lib" / "fetch.sh").read_text()
    said = [subprocess.run(["sh", "-c", f'{fetch}\nfetch https://x/gpg /tmp/d "$0"', str(given)], text=True,
                           capture_output=True, env={"PATH": f"{tmp_path}:/usr/bin:/bin"}, check=True).stdout
            for given in (env, tmp_path / "absent")]
    assert said == ["http://proxy.corp.example:3128 -fsSL --retry 2 --proto-redir =https -o /tmp/d https://x/gpg\n",
                    " -fsSL --retry 2 --proto-redir =https -o /tmp/d https://x/gpg\n"]
