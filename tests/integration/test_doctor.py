"""Doctor on WSL2 twins: changes nothing, reports each broken layer; the deploy turns its FAILs to PASS."""

import json
import re
from types import SimpleNamespace

import pytest

from testbed import realtext as real
from testbed.stack import NVIDIA_LIST
from testbed.twin import Twin
from tests.integration.stack import LEGACY_LIST, desktop_integration, settles
from tests.reports import chromium, looks, open_page, worst_cells

pytestmark = pytest.mark.integration

# What a converged twin cannot pass: it is root in a container, with stand-in driver files.
# A twin has no wslinfo and no CDI spec either, and no proxy for its users' config files; its engine has no
# default bridge, whose MTU daemon-json.mtu would compare.
CONVERGED_INFO = {"proxy.upstreams", "driver.libcuda-link", "linux-driver.libcuda", "docker.iptables",
                  "group.active", "gpu.container", "wsl.info", "toolkit.cdi-spec", "docker-config.proxy",
                  "daemon-json.mtu", "docker.loopback"}
DRIVER_DEB = (  # a Linux NVIDIA driver package installed inside WSL, as users do by mistake
    "mkdir -p /tmp/drv/DEBIAN && printf 'Package: nvidia-driver-550\\nVersion: 550.120-0ubuntu1\\n"
    "Architecture: all\\nMaintainer: twin <twin@example.invalid>\\nDescription: stand-in\\n'"
    " > /tmp/drv/DEBIAN/control && dpkg-deb -b /tmp/drv /tmp/drv.deb >/dev/null"
    " && dpkg -i /tmp/drv.deb >/dev/null"
)
# A host whose name is a script: the page shows it as text, and never runs it.
HOSTILE = "<script>window.__pwned = 1</script>"
# A list naming NVIDIA's repository with another keyring, as a second install guide leaves it.
RIVAL_LIST = "/etc/apt/sources.list.d/nvidia-container-toolkit-rival.list"


def engine(twin: Twin) -> dict:
    """docker.service's state and main pid, read with systemctl."""
    out = twin.exec("systemctl show docker.service -p ActiveState -p MainPID").stdout
    return dict(line.split("=", 1) for line in out.split())


def test_doctor_changes_nothing_and_a_converged_twin_passes(twin, run_doctor):
    before, engine_before = twin.snapshot(), engine(twin)
    run = run_doctor(twin, doctor_gpu_container=True, gpu_smoke_test_image="no-such-image:nbody")
    assert twin.snapshot() == before, "doctor changed the twin's files, packages or enabled units"
    assert engine(twin) == engine_before, "doctor restarted or stopped the engine"
    assert twin.exec("docker ps -aq").stdout.strip() == "", "doctor left a container behind"
    status = run.status(twin)
    assert {c for c, s in status.items() if s != "PASS"} == CONVERGED_INFO, run
    assert {s for c, s in status.items() if c in CONVERGED_INFO - {"gpu.container"}} == {"INFO"}, run
    # No container can run in a twin: the GPU check is seen in its failing form.
    gpu = run.checks(twin)["gpu.container"]
    assert gpu["status"] == "FAIL" and "no-such-image" in gpu["found"], run
    assert run.returncode != 0 and "doctor: 1 checks FAIL: gpu.container" in run.output, run
    assert "Doctor: " + twin.pyinfra_target in run.output and "JSON report of 1 host(s)" in run.output
    assert "HTML report of 1 host(s)" in run.output and twin.pyinfra_target in run.html.read_text()
    # The twin's engine is Debian's, older than 29.2: `--gpus` takes the runtime hook.
    gpu_path = run.checks(twin)["toolkit.gpu-path"]
    assert gpu_path["status"] == "PASS", run
    assert "runs through the nvidia runtime hook (Docker " in gpu_path["found"], run


def test_drift_is_reported_and_the_deploy_turns_each_fail_to_pass(twin, run_doctor, run_deploy, mirrors):
    daemon = json.loads(twin.exec("cat /etc/docker/daemon.json").stdout)
    del daemon["runtimes"]
    twin.exec("cat > /etc/docker/daemon.json", input=json.dumps(daemon))
    twin.exec("gpasswd -d dev docker && apt-get remove -y -qq nvidia-container-toolkit"
              f" && cp {NVIDIA_LIST} {LEGACY_LIST} && printf '[user]\\ndefault=dev\\n' > /etc/wsl.conf"
              f" && sed 's|signed-by=[^] ]*|signed-by=/etc/apt/keyrings/nvidia.gpg|' {NVIDIA_LIST}"
              f" > {RIVAL_LIST}"
              " && systemctl stop docker.service")
    drifted = run_doctor(twin)
    assert engine(twin)["ActiveState"] == "inactive", "doctor started the engine through docker.socket"
    checks = drifted.checks(twin)
    deploy_fixes = {"group.members", "toolkit.installed", "toolkit.legacy-lists", "daemon-json.runtime",
                    "docker.engine", "daemon-json.loaded", "toolkit.apt-sources"}
    for name in deploy_fixes:
        assert checks[name]["status"] == "FAIL" and checks[name]["by_deploy"], (name, drifted)
    sources = checks["toolkit.apt-sources"]["found"]
    assert "Conflicting values set for option Signed-By" in sources and mirrors.nvidia_repo_url in sources
    assert checks["systemd.wsl-conf"]["status"] == "WARN" and checks["systemd.wsl-conf"]["by_deploy"]
    assert set(drifted.report["hosts"][twin.pyinfra_target]["failed"]) == deploy_fixes, drifted
    assert "fix (by the deploy): rerun the deploy" in drifted.output
    assert drifted.returncode != 0

    assert run_deploy(twin).returncode == 0
    twin.exec("systemctl reset-failed docker.service")
    repaired = run_doctor(twin)
    assert repaired.returncode == 0, repaired
    assert {c for c, s in repaired.status(twin).items() if s != "PASS"} == CONVERGED_INFO, repaired
    settles(run_deploy, twin)


def test_no_engine_and_a_daemon_json_that_is_not_json_and_the_deploy_turns_both_to_pass(
        make_twin, run_doctor, run_deploy):
    fresh = make_twin()
    fresh.exec("mkdir -p /etc/docker && printf '{ not json' > /etc/docker/daemon.json")
    broken = run_doctor(fresh)
    checks = broken.checks(fresh)
    installed, valid = checks["docker.engine"], checks["daemon-json.valid"]
    assert installed["status"] == "FAIL" and installed["by_deploy"], broken
    assert installed["found"] == "Docker Engine is not installed"
    assert valid["status"] == "FAIL" and valid["by_deploy"], broken
    assert "is not a JSON object" in valid["found"]
    assert broken.returncode != 0

    deploy = run_deploy(fresh)
    assert deploy.returncode == 0, deploy
    # The fix promised a backup beside it.
    assert fresh.exec("cat /etc/docker/daemon.json.bak-*").stdout == "{ not json"
    repaired = run_doctor(fresh)
    assert repaired.returncode == 0, repaired
    assert {c for c, s in repaired.status(fresh).items() if s != "PASS"} == CONVERGED_INFO, repaired
    settles(run_deploy, fresh)


def test_an_engine_not_restarted_after_daemon_json_changed(twin, run_doctor):
    # What `nvidia-ctk runtime configure` without a restart leaves: the file right, the engine not.
    daemon = twin.exec("cat /etc/docker/daemon.json").stdout
    without = json.loads(daemon)
    del without["runtimes"]
    twin.exec("cat > /etc/docker/daemon.json && systemctl restart docker.service", input=json.dumps(without))
    twin.exec("sleep 1 && cat > /etc/docker/daemon.json", input=daemon)
    run = run_doctor(twin)
    checks = run.checks(twin)
    assert checks["daemon-json.runtime"]["status"] == "PASS", run
    loaded = checks["daemon-json.loaded"]
    assert loaded["status"] == "FAIL" and "not restarted" in loaded["found"] and not loaded["by_deploy"], run
    assert loaded["fix"] == "`sudo systemctl restart docker`"
    twin.exec("systemctl restart docker.service")


def test_a_stale_cdi_spec_and_wsl_conf_values_wsl_ignores_and_the_deploy_rewrites_systemd_in_place(
        twin, run_doctor, run_deploy):
    conf = "[boot]\nsystemd=yes\n[automount]\ncgroups=v1\n[interop]\nenabled=no\n"
    original = twin.exec("cat /etc/wsl.conf").stdout
    twin.exec("mkdir -p /var/run/cdi && cat > /var/run/cdi/nvidia.yaml", input=real.CDI_SPEC_WSL_YAML)
    twin.exec("cat > /etc/wsl.conf", input=conf)
    try:
        run = run_doctor(twin)
        checks = run.checks(twin)
        spec = checks["toolkit.cdi-spec"]
        assert spec["status"] == "WARN", run
        gone = "/usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/"
        assert spec["found"].startswith(f"/var/run/cdi/nvidia.yaml mounts {gone}libcuda.so.1.1, "
                                        f"{gone}libcuda_loader.so, which do not exist"), run
        assert spec["fix"] == "`sudo nvidia-ctk cdi generate --output=/var/run/cdi/nvidia.yaml`"
        systemd = checks["systemd.wsl-conf"]
        assert systemd["status"] == "WARN" and "systemd=yes, which WSL ignores" in systemd["found"], run
        assert systemd["by_deploy"]
        assert checks["wsl.cgroups"]["status"] == "WARN" and checks["wsl.conf-booleans"]["status"] == "WARN"
        assert "[interop] enabled=no" in checks["wsl.conf-booleans"]["found"]

        assert run_deploy(twin).returncode == 0
        assert twin.exec("cat /etc/wsl.conf").stdout == conf.replace("systemd=yes", "systemd=true")
        assert run_doctor(twin).checks(twin)["systemd.wsl-conf"]["status"] == "PASS"
        settles(run_deploy, twin)
    finally:
        twin.exec("rm -f /var/run/cdi/nvidia.yaml /etc/wsl.conf.bak-* && cat > /etc/wsl.conf", input=original)


def test_systemd_off_and_the_deploy_sets_wsl_conf(make_twin, run_doctor, run_deploy):
    twin = make_twin(systemd=False)
    before = run_doctor(twin).checks(twin)
    assert before["systemd.pid1"]["status"] == "FAIL" and "rerun the deploy" in before["systemd.pid1"]["fix"]
    assert before["systemd.wsl-conf"]["status"] == "FAIL" and before["systemd.wsl-conf"]["by_deploy"]
    assert run_deploy(twin).returncode == 0
    after = run_doctor(twin).checks(twin)
    assert after["systemd.wsl-conf"]["status"] == "PASS"
    assert after["systemd.pid1"]["status"] == "FAIL"
    assert after["systemd.pid1"]["fix"] == "run `wsl.exe --shutdown` from Windows and open the distro again"
    settles(run_deploy, twin)


# --- the team: two twins broken low in the stack, the converged one and a host not reached --------

@pytest.fixture(scope="module")
def team(platform_twin, converged, run_doctor):
    """The module's converged twin, two twins broken low in the stack and a host that cannot be
    reached, whose name is a script: doctored in one run, each twin's snapshot taken before it."""
    shared, first = converged
    assert first.returncode == 0, first
    shared.exec("systemctl reset-failed docker.service")
    with platform_twin(kernel="4.4.0-19041-Microsoft") as wsl1, \
            platform_twin(kernel="5.4.72-microsoft-standard-WSL2", dxg=False, wsl_libs=False) as bare:
        wsl1.exec(DRIVER_DEB)
        desktop_integration(wsl1)
        before = {t.name: t.snapshot() for t in (wsl1, bare)}
        run = run_doctor([shared, wsl1, bare], unreachable=[HOSTILE])
        yield SimpleNamespace(converged=shared, wsl1=wsl1, bare=bare, before=before, run=run)


def test_broken_lower_layers_on_two_twins_and_the_teams_summary(team):
    wsl1, bare, run = team.wsl1, team.bare, team.run
    assert {t.name: t.snapshot() for t in (wsl1, bare)} == team.before
    assert run.returncode != 0
    first, second = run.checks(wsl1), run.checks(bare)
    assert first["wsl.version"]["status"] == "FAIL" and "is WSL1" in first["wsl.version"]["found"], run
    assert first["wsl.kernel"]["status"] == "INFO"
    assert first["linux-driver.packages"]["status"] == "FAIL"
    assert first["linux-driver.packages"]["fix"] == "`sudo apt-get purge nvidia-driver-550`"
    assert first["docker.desktop"]["status"] == "FAIL" and "WSL integration" in first["docker.desktop"]["fix"]
    assert second["wsl.kernel"]["status"] == "FAIL" and "5.4.72" in second["wsl.kernel"]["found"], run
    assert second["wsl.dxg"]["status"] == "FAIL" and "/dev/dxg is missing" in second["wsl.dxg"]["found"]
    assert second["driver.libraries"]["status"] == "FAIL" and second["driver.nvidia-smi"]["status"] == "FAIL"
    assert second["wsl.version"]["status"] == "PASS" and second["docker.desktop"]["status"] == "PASS"
    assert run.report["hosts"][team.converged.pyinfra_target]["failed"] == [], run
    fails = run.report["fails"]
    assert fails["wsl.version"] == [wsl1.pyinfra_target] and fails["wsl.dxg"] == [bare.pyinfra_target]
    assert sorted(fails["toolkit.installed"]) == sorted([wsl1.pyinfra_target, bare.pyinfra_target])
    assert run.report["unreachable"] == [HOSTILE]
    assert "Doctor summary: 3 hosts" in run.output and f"{HOSTILE}: not reached, no report" in run.output
    assert f"wsl.dxg fails on 1: {bare.pyinfra_target}" in run.output, run
    assert "HTML report of 3 host(s)" in run.output


def test_the_teams_page_in_chromium(team, tmp_path):
    wsl1, bare, run = team.wsl1, team.bare, team.run
    with chromium() as browser:
        opened = open_page(browser, run.html)
        page = opened.page
        assert opened.requests == [page.url] and opened.errors == [] and opened.dialogs == []
        assert page.evaluate("typeof window.__pwned") == "undefined", "the host's name ran as a script"
        summary = re.sub(r"\s+", " ", page.locator("#summary").inner_text())
        assert summary.startswith("3 hosts: 2 fail, 0 warn, 1 pass, 1 not reached. Report made "), summary
        assert page.locator("#unreachable li").all_text_contents() == [HOSTILE]
        cells = opened.grid()
        assert cells == worst_cells(run.report)
        assert cells[wsl1.pyinfra_target]["WSL"] == "FAIL" and cells[wsl1.pyinfra_target]["Linux driver"] == "FAIL"
        assert cells[bare.pyinfra_target]["Windows driver"] == "FAIL" and cells[bare.pyinfra_target]["WSL"] == "FAIL"
        assert set(cells[team.converged.pyinfra_target].values()) == {"PASS", "INFO"}

        size, commonest, colours = looks(opened.screenshot(tmp_path / "page.png"))
        assert size == (1400, 900) and commonest < 0.8 and colours > 50, (size, commonest, colours)

        fix = run.checks(wsl1)["linux-driver.packages"]["fix"]
        details = page.locator("#details")
        assert fix.strip("`") not in details.inner_text()
        opened.row(wsl1.pyinfra_target).locator("td button[title$=': Linux driver FAIL']").click()
        shown = details.locator("section:visible")
        assert shown.locator("h2").inner_text() == f"{wsl1.pyinfra_target}: Linux driver"
        assert f"fix: {fix.strip('`')}" in shown.inner_text(), shown.inner_text()

        page.locator("#only-failing").check()
        failing = [name for name, host in run.report["hosts"].items() if host["failed"]]
        assert sorted(failing) == sorted([wsl1.pyinfra_target, bare.pyinfra_target])
        assert opened.visible_rows() == failing + [HOSTILE]


def test_low_disk_gpu_keys_off_and_safe_mode_are_seen_through_wsls_own_signs(twin, run_doctor):
    # Stand-ins for what WSL gives a distro: its init running with the environment WSL starts it with
    # (safe mode, the VM owner's Windows profile), that profile through the automount with a .wslconfig as
    # Windows editors write it (a byte-order mark, CRLF), and a wsl.conf that turns ldconfig off.
    free_kb = int(twin.exec("df -Pk /var/lib/docker | awk 'NR == 2 {print $4}'").stdout)
    ram_kb = int(twin.exec("awk '$1 == \"MemTotal:\" {print $2}' /proc/meminfo").stdout)
    vram_mib = int(twin.exec("/usr/lib/wsl/lib/nvidia-smi --query-gpu=memory.total"
                             " --format=csv,noheader,nounits").stdout)
    conf = twin.exec("cat /etc/wsl.conf").stdout
    pid = twin.exec(
        "cp /bin/sleep /init && mkdir -p /mnt/c/Users/dev"
        " && printf '\\357\\273\\277[wsl2]\\r\\nmemory=6GB\\r\\n' > /mnt/c/Users/dev/.wslconfig"
        " && printf '[boot]\\nsystemd=true\\n[automount]\\nldconfig=false\\n' > /etc/wsl.conf"
        " && { env WSL2_SAFE_MODE=1 'WSL2_USER_PROFILE=C:\\Users\\dev' /init 600 >/dev/null 2>&1 & echo $!; }"
    ).stdout.strip()
    try:
        threshold = free_kb * 1024 // 10**9 + 100
        run = run_doctor(twin, doctor_min_free_disk_gb=threshold)
    finally:
        twin.exec(f"kill {pid}; rm -rf /init /mnt/c && cat > /etc/wsl.conf", input=conf)
    checks = run.checks(twin)
    disk = checks["docker.disk"]
    assert disk["status"] == "WARN" and disk["id"] == "docker.disk.low", run
    assert disk["found"].startswith("/var/lib/docker (DockerRootDir) is on "), run
    assert f"less than doctor_min_free_disk_gb ({threshold} GB)" in disk["found"], run
    assert "docker system prune" in disk["fix"] and "docker builder prune" in disk["fix"], run
    gpu_conf = checks["wsl.gpu-conf"]
    assert gpu_conf["status"] == "WARN" and gpu_conf["id"] == "wsl.gpu-conf.ldconfig-off", run
    assert "indeed lists no libcuda.so.1" in gpu_conf["found"], run
    safe = checks["wsl.safe-mode"]
    assert safe["status"] == "FAIL" and "WSL2_SAFE_MODE=1" in safe["found"], run
    assert f"(/proc/{pid})" in safe["found"], run
    memory = checks["wsl.memory"]
    assert "/mnt/c/Users/dev/.wslconfig sets [wsl2] memory=6GB;" in memory["found"] + ";", run
    assert memory["status"] == ("WARN" if ram_kb < vram_mib * 1024 else "PASS"), run
    assert twin.exec("ls /init /mnt/c 2>/dev/null; true").stdout == ""
