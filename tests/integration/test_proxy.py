"""Behind a company proxy and CA: every layer goes through Debian's tinyproxy and trusts a throwaway CA."""

import json
import time

import pytest
import testinfra

from testbed.stack import assert_converged
from testbed.twin import Twin
from testbed.twin.network import CompanyCA, HttpsMirrors, Registry, Squid, TinyProxy
from tests.integration.stack import engine_pid, settles
from tests.integration.test_faults import commands_sent

pytestmark = pytest.mark.integration

SECRET = "Pr0xy-s3cret-7f1c"
PROXY_ENV = "/etc/wsl-gpu-docker/proxy.env"
APT_PROXY = "/etc/apt/apt.conf.d/95wsl-gpu-docker-proxy"
DROPIN = "/etc/systemd/system/docker.service.d/wsl-gpu-docker-proxy.conf"
BACKUPS = "/var/backups/wsl-gpu-docker"
# dev's docker client config, which docker_users_proxy merges the proxy into; ana has none yet.
DEV_CONFIG = "/home/dev/.docker/config.json"
USERS_PROXY = "Docker users' proxy | "
DEV_OWN = {"auths": {"registry.corp.invalid:5000": {"auth": "ZGV2OmRldi10b2tlbg=="}}, "detachKeys": "ctrl-x,x"}
# Where a file the deploy wrote can be; the secret may be only in root-only files there.
WRITTEN = "/etc /var/backups /usr/local/share/ca-certificates /root /home /run /var/log /tmp /var/tmp"
# The company's registry: only the proxy resolves its name, and the company CA signs its certificate.
REGISTRY_NAME = "registry.corp.invalid"
IMAGE = "nvidia/cuda-sample:nbody"


@pytest.fixture(scope="module")
def registry(company_ca, docker_engine):
    served = Registry(company_ca, REGISTRY_NAME).start()
    try:
        yield served.push(IMAGE)
    finally:
        served.stop()


@pytest.fixture(scope="module")
def proxy(registry):
    running = TinyProxy(user="dev-proxy", password=SECRET, hosts={registry.name: "127.0.0.1"}).start()
    yield running
    running.stop()


def corporate(proxy, ca) -> dict:
    """The shared twin's settings: the proxy, and the company CA that signs the registry's certificate."""
    return {"http_proxy": proxy.url, "https_proxy": proxy.url, "ca_certificates": [str(ca.cert)]}


def restarts_since(host, since: float) -> int:
    out = host.check_output(f"journalctl -u docker.service --since @{int(since)} --no-pager -o cat")
    return sum(1 for line in out.splitlines() if line.startswith("Stopped docker.service")
               or line.startswith("Stopped Docker Application"))


def secret_holders(host) -> list[str]:
    """Every file holding the secret, as 'mode owner path'."""
    out = host.run(f"grep -rlsF -- {SECRET} {WRITTEN} | xargs -r stat -c '%a %U %n'").stdout
    return sorted(out.splitlines())


@pytest.fixture(scope="module")
def proxied(base_image, run_deploy, proxy, company_ca):
    """A twin converged through the proxy and trusting the company CA, with its first run."""
    with Twin(base_image) as twin:
        yield twin, run_deploy(twin, **corporate(proxy, company_ca))


def test_a_twin_converges_through_the_proxy_and_a_rerun_changes_nothing(proxied, proxy, company_ca, mirrors,
                                                                         run_deploy):
    twin, first = proxied
    assert first.returncode == 0, first
    host = testinfra.get_host(twin.testinfra_target)
    assert_converged(host, mirrors)
    asked = proxy.requests()
    for path in ("/get-docker.sh", "/docker/linux/debian/gpg", "/nvidia/gpgkey", "/InRelease", "/Packages",
                 ".deb"):
        assert any(r.startswith("GET ") and mirrors.url in r and path in r for r in asked), (path, asked)
    assert any("deb.debian.org" in r for r in asked), "apt's Debian indexes bypassed the proxy"
    before, pid = twin.snapshot(), engine_pid(host)
    again = run_deploy(twin, **corporate(proxy, company_ca))
    assert again.returncode == 0 and again.changed == [], again
    assert twin.snapshot() == before and engine_pid(host) == pid


def test_the_engine_names_the_proxy_and_pulls_through_it(proxied, proxy, registry):
    twin, _ = proxied
    host = testinfra.get_host(twin.testinfra_target)
    environ = host.check_output(f"tr '\\0' '\\n' < /proc/{engine_pid(host)}/environ")
    assert f"HTTPS_PROXY={proxy.url}" in environ.splitlines(), environ
    info = host.check_output("docker info --format '{{.HTTPProxy}} {{.HTTPSProxy}}'").split()
    assert [f"127.0.0.1:{proxy.port}" in url for url in info] == [True, True], info
    assert SECRET not in " ".join(info), "docker info shows the password"
    # Only the proxy resolves the registry's name; the company CA the deploy installed signs its certificate.
    assert host.run(f"getent hosts {registry.name}").rc != 0
    pull = host.run(f"timeout 120 docker pull {registry.address}/{IMAGE}")
    assert pull.rc == 0, pull
    assert host.run(f"docker image inspect {registry.address}/{IMAGE}").rc == 0
    assert f"CONNECT {registry.address}" in proxy.requests(), proxy.requests()


def read_json(host, path: str):
    """path's JSON as python3 on the twin reads it: not the deploy's code."""
    script = "import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))"
    return json.loads(host.check_output(f"python3 -c '{script}' {path}"))


def test_docker_users_proxy_merges_the_proxy_into_their_config_keeping_their_keys(proxied, proxy, company_ca,
                                                                                  mirrors, run_deploy, tmp_path):
    twin, _ = proxied
    host = testinfra.get_host(twin.testinfra_target)
    twin.exec("useradd --create-home ana")
    broken_json = '{"auths": '
    twin.exec(f"install -d -o dev -g dev -m 700 /home/dev/.docker && printf '%s' '{broken_json}' > {DEV_CONFIG}"
              f" && chown dev:dev {DEV_CONFIG} && chmod 644 {DEV_CONFIG}")
    on = {**corporate(proxy, company_ca), "docker_users": ["dev", "ana"], "docker_users_proxy": True}
    before = twin.snapshot()
    broken = run_deploy(twin, **on)
    assert broken.returncode != 0 and broken.changed == [], broken
    assert f"docker_users_proxy: {DEV_CONFIG} is not valid JSON (Expecting value: line 1 column 11" in broken.output
    assert "Fix: correct it or move it away" in broken.output, broken
    assert twin.snapshot() == before and host.file(DEV_CONFIG).content_string == broken_json

    twin.exec(f"printf '%s' '{json.dumps(DEV_OWN)}' > {DEV_CONFIG}")
    run = run_deploy(twin, **on)
    assert run.returncode == 0, run
    merged = {f"{USERS_PROXY}{user}'s docker client uses the proxy" for user in ("dev", "ana")}
    assert merged <= set(run.changed), run
    assert SECRET not in run.output
    default = {"httpProxy": proxy.url, "httpsProxy": proxy.url}
    assert read_json(host, DEV_CONFIG) == {**DEV_OWN, "proxies": {"default": default}}
    # The owner stays; the mode loses other readers, since the proxy carries a password.
    assert host.check_output(f"stat -c '%a %U %G' {DEV_CONFIG}") == "600 dev dev"
    assert host.check_output("stat -c '%a %U %G' /home/ana/.docker /home/ana/.docker/config.json").splitlines() == [
        "700 ana ana", "600 ana ana"]
    assert read_json(host, "/home/ana/.docker/config.json") == {"proxies": {"default": default}}
    [backup] = host.check_output(f"ls {BACKUPS}/dev-docker-config.json.bak-*").split()
    assert read_json(host, backup) == DEV_OWN and host.check_output(f"stat -c '%a %U' {backup}") == "600 root"
    # The rerun reads every file within the one snapshot and changes nothing.
    assert len(commands_sent(twin, mirrors, tmp_path, **on)) == 1
    assert read_json(host, DEV_CONFIG) == {**DEV_OWN, "proxies": {"default": default}}


def test_the_secret_is_only_in_root_only_files_and_the_docker_users_own(proxied, proxy, company_ca, mirrors,
                                                                     run_doctor):
    twin, first = proxied
    host = testinfra.get_host(twin.testinfra_target)
    assert SECRET not in first.output
    doctor = run_doctor(twin, **corporate(proxy, company_ca))
    assert SECRET not in doctor.output and SECRET not in json.dumps(doctor.report)
    checks = doctor.checks(twin)
    assert checks["proxy.layers"]["status"] == "PASS", doctor
    # The users' files the deploy wrote its proxy in, which it takes out again with the setting off, it can change.
    assert checks["docker-config.proxy"]["status"] == "PASS", doctor
    assert "dev-proxy:***@" in checks["proxy.layers"]["found"], doctor
    # The mirrors answer through the proxy; the smoke test's registry (nvcr.io) is out of reach here.
    upstreams = checks["proxy.upstreams"]
    assert upstreams["status"] == "FAIL" and upstreams["found"].startswith("https://nvcr.io/v2/: "), doctor
    assert mirrors.url not in upstreams["found"], doctor
    holders = secret_holders(host)
    assert {h.split()[2] for h in holders} >= {PROXY_ENV, APT_PROXY}, holders
    # docker_users_proxy put it in the docker users' own files too, which each of them alone can read.
    users_own = {f"600 dev {DEV_CONFIG}", "600 ana /home/ana/.docker/config.json"}
    assert users_own <= set(holders), holders
    assert all(h.startswith("600 root ") for h in set(holders) - users_own), holders
    assert host.file("/etc/wsl-gpu-docker").mode == 0o700


def test_turning_docker_users_proxy_off_takes_the_proxy_out_keeping_the_rest_and_a_backup(proxied, proxy, company_ca,
                                                                                         run_deploy):
    twin, _ = proxied
    host = testinfra.get_host(twin.testinfra_target)
    off = run_deploy(twin, **corporate(proxy, company_ca))
    assert off.returncode == 0, off
    assert f"{USERS_PROXY}dev's docker client no longer uses the proxy" in off.changed, off
    assert read_json(host, DEV_CONFIG) == DEV_OWN
    assert host.check_output(f"stat -c '%a %U %G' {DEV_CONFIG}") == "600 dev dev"
    assert read_json(host, "/home/ana/.docker/config.json") == {}
    backups = host.check_output(f"grep -lF -- {SECRET} {BACKUPS}/dev-docker-config.json.bak-*").split()
    assert len(backups) == 1 and read_json(host, backups[0])["proxies"]["default"]["httpProxy"] == proxy.url
    assert SECRET not in host.run("cat /home/*/.docker/config.json").stdout
    settles(run_deploy, twin, **corporate(proxy, company_ca))


def test_changing_the_proxy_restarts_once_and_removing_it_leaves_backups(proxied, company_ca, mirrors, run_deploy,
                                                                        tmp_path):
    twin, _ = proxied
    host = testinfra.get_host(twin.testinfra_target)
    twin.exec("systemctl reset-failed docker.service")
    other = TinyProxy().start()
    try:
        since = time.time() - 1
        run = run_deploy(twin, **corporate(other, company_ca))
        assert run.returncode == 0, run
        assert restarts_since(host, since) == 1, run
        assert f"HTTP_PROXY={other.url}" in host.check_output(f"tr '\\0' '\\n' < /proc/{engine_pid(host)}/environ")
        settles(run_deploy, twin, **corporate(other, company_ca))
        noop_proxied = commands_sent(twin, mirrors, tmp_path, **corporate(other, company_ca))
    finally:
        other.stop()
    since = time.time() - 1
    removed = run_deploy(twin)
    assert removed.returncode == 0, removed
    assert restarts_since(host, since) == 1, removed
    for path in (PROXY_ENV, APT_PROXY, DROPIN):
        assert not host.file(path).exists, path
    backups = host.check_output(f"ls {BACKUPS}")
    assert "95wsl-gpu-docker-proxy.bak-" in backups and "proxy.env.bak-" in backups, backups
    assert "HTTP_PROXY" not in host.check_output(f"tr '\\0' '\\n' < /proc/{engine_pid(host)}/environ")
    settles(run_deploy, twin)
    # The proxy's files are read with the rest of the state: a no-op rerun sends as many commands.
    assert len(noop_proxied) == len(commands_sent(twin, mirrors, tmp_path)), noop_proxied
    assert all(h.startswith("600 root ") for h in secret_holders(host)), secret_holders(host)


def test_a_proxy_asking_407_and_a_dead_port_each_stop_the_run_leaving_apt_working(make_twin, run_deploy):
    twin = make_twin()
    host = testinfra.get_host(twin.testinfra_target)
    before = twin.snapshot()
    wants = Squid(user="dev-proxy", password=SECRET).start()
    wrong = wants.url_for("dev-proxy", "not-the-password")
    try:
        refused = run_deploy(twin, http_proxy=wrong, https_proxy=wrong)
        denied = wants.denials()
    finally:
        wants.stop()
    assert refused.returncode != 0, refused
    shown = wants.url_for("dev-proxy", "***")
    assert f"the proxy {shown} refused" in refused.output and "407 Proxy Authentication Required" in refused.output
    assert "not-the-password" not in refused.output
    assert any(" TCP_DENIED/407 " in line and " dev-proxy " in line for line in denied), denied
    assert "Fix: give http_proxy the proxy's credentials" in refused.output, refused
    dead = TinyProxy()  # never started: nothing listens on its port
    dead.stop()
    down = run_deploy(twin, http_proxy=dead.url, https_proxy=dead.url)
    assert down.returncode != 0, down
    assert f"cannot reach the proxy {dead.url} (http_proxy)" in down.output, down
    assert "407 Proxy Authentication Required" not in down.output  # a port number may hold "407"
    assert twin.snapshot() == before
    assert host.run("apt-get update").rc == 0


def test_a_company_ca_is_needed_and_then_trusted(make_twin, mirrors, run_deploy):
    ca = CompanyCA()
    https = HttpsMirrors(mirrors, ca)
    try:
        twin = make_twin()
        host = testinfra.get_host(twin.testinfra_target)
        before = twin.snapshot()
        untrusted = run_deploy(twin, **https.settings())
        assert untrusted.returncode != 0, untrusted
        assert f"TLS certificate verification failed for {https.url}/" in untrusted.output, untrusted
        assert twin.snapshot() == before
        since = time.time() - 1
        trusted = run_deploy(twin, **https.settings(), ca_certificates=[str(ca.cert)])
        assert trusted.returncode == 0, trusted
        installed = "/usr/local/share/ca-certificates/wsl-gpu-docker/ca.crt"
        assert host.file(installed).content_string == ca.cert.read_text()
        store = host.file("/etc/ssl/certs/ca-certificates.crt").content_string
        assert ca.cert.read_text().strip().splitlines()[1] in store
        assert host.run(f"curl -fsS -o /dev/null {https.url}/nvidia/gpgkey").rc == 0, "the store lacks the CA"
        assert restarts_since(host, since) == 1, trusted
        settles(run_deploy, twin, **https.settings(), ca_certificates=[str(ca.cert)])
    finally:
        https.stop()
        ca.remove()
