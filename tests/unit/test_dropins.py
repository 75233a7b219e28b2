"""The drop-ins for others' units: which the deploy wants, on units as systemd shows them, and the config.toml edit."""

import subprocess

import pytest

from tasks.dropins import CLOCK_TEXT, LOOPBACK_DEVICE, LOOPBACK_TEXT, clock_dropins, loopback_dropin, runs_under_wsl
from tasks.managed import CLOCK_DROPINS, LOOPBACK_DROPIN, TOOLKIT_CONFIG
from tasks.operations import sha256
from tasks.shell import shell_script
from testbed import realtext as real
from testbed.stack_examples import DEBIAN_UNITS, TIMESYNCD_FILES, UBUNTU_UNITS, stack_state

TIMESYNCD = "systemd-timesyncd.service"
OURS = CLOCK_DROPINS[TIMESYNCD]
WSL = real.WSL2_OSRELEASE_5_15_167_4
NATIVE = "6.1.0-27-amd64"


def conditions(text: str) -> list[str]:
    return [line.partition("=")[2] for line in text.splitlines() if line.startswith("ConditionVirtualization=")]


def test_debians_unit_keeps_the_time_daemon_from_wsl_and_ubuntus_drop_in_or_ours_lets_it_run():
    unit = conditions(real.DEBIAN_TIMESYNCD_UNIT_HEAD)
    assert unit == ["!container"] and not runs_under_wsl(unit)
    assert runs_under_wsl(unit + conditions(real.WSL_SETUP_TIMESYNCD_DROPIN))
    assert runs_under_wsl(unit + conditions(CLOCK_TEXT))
    assert conditions(CLOCK_TEXT) == conditions(real.WSL_SETUP_TIMESYNCD_DROPIN)  # the same lines as Ubuntu's
    assert runs_under_wsl([]) and runs_under_wsl(["wsl"]) and not runs_under_wsl(["vm"])
    assert not runs_under_wsl(["|vm", "|!container"]) and runs_under_wsl(["container", "|wsl", "|vm"])


def facts(show: dict, files: dict | None = None, *, release: str = WSL, networking: str = "nat", **more) -> dict:
    return {"osrelease": release, "wslinfo_networking": networking, "stack": stack_state(show, files)} | more


def test_on_debian_under_wsl_the_time_daemon_gets_a_drop_in_and_ubuntus_needs_none():
    debian = facts(DEBIAN_UNITS, {real.TIMESYNCD_UNIT_PATH: real.DEBIAN_TIMESYNCD_UNIT_HEAD})
    [timesyncd, chrony] = clock_dropins(debian)
    assert (timesyncd.unit, timesyncd.path, timesyncd.text) == (TIMESYNCD, OURS, CLOCK_TEXT)
    assert not timesyncd.right and timesyncd.needs_reload
    assert chrony.text is None and chrony.right and not chrony.needs_reload  # not installed
    ubuntu = facts(UBUNTU_UNITS, TIMESYNCD_FILES)
    assert all(d.text is None and not d.needs_reload for d in clock_dropins(ubuntu))


def test_a_drop_in_systemd_has_read_is_left_alone_and_one_it_has_not_read_yet_needs_a_reload():
    show = {**DEBIAN_UNITS, TIMESYNCD: DEBIAN_UNITS[TIMESYNCD].replace("DropInPaths=\n", f"DropInPaths={OURS}\n")}
    files = {real.TIMESYNCD_UNIT_PATH: real.DEBIAN_TIMESYNCD_UNIT_HEAD, OURS: CLOCK_TEXT}
    loaded = facts(show, files)
    loaded["stack"]["files"] = {OURS: sha256(CLOCK_TEXT)}
    [timesyncd, _] = clock_dropins(loaded)
    assert timesyncd.text == CLOCK_TEXT, "its own drop-in does not count as the distro's"
    assert timesyncd.right and timesyncd.loaded and not timesyncd.needs_reload
    unread = facts(DEBIAN_UNITS, files)
    unread["stack"]["files"] = {OURS: sha256(CLOCK_TEXT)}
    assert clock_dropins(unread)[0].right and clock_dropins(unread)[0].needs_reload


def test_off_wsl_or_with_the_daemon_masked_no_drop_in_is_wanted_and_one_left_over_goes():
    files = {real.TIMESYNCD_UNIT_PATH: real.DEBIAN_TIMESYNCD_UNIT_HEAD}
    native = facts(DEBIAN_UNITS, files, release=NATIVE)
    assert all(d.text is None and d.right for d in clock_dropins(native))
    native["stack"]["files"] = {OURS: sha256(CLOCK_TEXT)}
    assert not clock_dropins(native)[0].right  # removed
    masked = facts({**DEBIAN_UNITS, TIMESYNCD: DEBIAN_UNITS[TIMESYNCD].replace("=enabled", "=masked")}, files)
    assert clock_dropins(masked)[0].text is None


@pytest.mark.parametrize("mode, wanted", [("mirrored", LOOPBACK_TEXT), ("nat", None), ("", None)])
def test_the_engine_is_ordered_after_loopback0_in_mirrored_mode_only(mode, wanted):
    dropin = loopback_dropin(facts(UBUNTU_UNITS, TIMESYNCD_FILES, networking=mode))
    assert (dropin.unit, dropin.path, dropin.text) == ("docker.service", LOOPBACK_DROPIN, wanted)
    assert dropin.needs_reload == (wanted is not None)
    assert loopback_dropin(facts(UBUNTU_UNITS, release=NATIVE, networking="mirrored")).text is None


def test_the_loopback_drop_in_waits_for_the_device_without_binding_the_engine_to_it():
    lines = LOOPBACK_TEXT.splitlines()
    assert f"Wants={LOOPBACK_DEVICE}" in lines and f"After={LOOPBACK_DEVICE}" in lines
    assert not any(line.startswith(("BindsTo=", "Requires=", "Requisite=")) for line in lines)


# --- config.toml's no-cgroups, edited on its one line -------------------------------------------------------

# The toolkit's rendered config (the shape `nvidia-ctk config` writes: commented defaults), with a line
# and a comment of the user's, and a last line without its newline.
TRUE, FALSE = "[nvidia-container-cli]\nno-cgroups = true", "[nvidia-container-cli]\nno-cgroups = false"
CONFIG = (real.TOOLKIT_CONFIG_NO_CGROUPS_TRUE + "ldconfig = \"@/sbin/ldconfig.real\"  # mine\n\n"
          "[nvidia-container-runtime]\n#debug = \"/var/log/nvidia-container-runtime.log\"\nno-cgroups = true")


def edited(tmp_path, text: str) -> tuple[str, list[str]]:
    config = tmp_path / "config.toml"
    config.write_text(text)
    config.chmod(0o640)
    command = shell_script("no-cgroups.sh", CONFIG=str(config), VALUE="false", BACKUP=str(tmp_path / "b/config.bak"))
    subprocess.run(["sh", "-c", command], check=True, capture_output=True)
    assert config.stat().st_mode & 0o777 == 0o640
    backups = sorted(p.name for p in (tmp_path / "b").iterdir()) if (tmp_path / "b").exists() else []
    return config.read_text(), backups


def test_no_cgroups_is_set_on_its_line_under_nvidia_container_cli_and_every_other_byte_stays(tmp_path):
    text, backups = edited(tmp_path, CONFIG)
    assert text == CONFIG.replace(TRUE, FALSE) and CONFIG.count(TRUE) == 1
    assert text.endswith("\nno-cgroups = true"), "another section's key, and the missing last newline, stay"
    assert backups == ["config.bak"] and (tmp_path / "b/config.bak").read_text() == CONFIG
    assert str(TOOLKIT_CONFIG) == "/etc/nvidia-container-runtime/config.toml"


def test_a_config_already_right_or_without_the_key_is_not_touched(tmp_path):
    right = CONFIG.replace(TRUE, FALSE)
    assert edited(tmp_path, right) == (right, [])
    commented = "[nvidia-container-cli]\n#no-cgroups = true\n"
    assert edited(tmp_path, commented) == (commented, [])


# --- systemd reads the drop-ins only while no container runs ------------------------------------------------

FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "$LOG"
case "$(basename "$0") $1" in "docker ps") printf '%s' "$RUNNING" ;; esac
"""


@pytest.mark.parametrize("running, policy, reloaded", [("", "when-idle", True), ("job\n", "when-idle", False),
                                                       ("job\n", "now", True)])
def test_the_units_are_reloaded_and_the_daemon_started_only_when_no_container_runs(tmp_path, running, policy,
                                                                                   reloaded):
    for tool in ("docker", "systemctl"):
        (tmp_path / tool).write_text(FAKE)
        (tmp_path / tool).chmod(0o755)
    log = tmp_path / "log"
    command = shell_script("units-reload.sh", POLICY=policy, START=TIMESYNCD)
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=True,
                          env={"PATH": f"{tmp_path}:/usr/bin:/bin", "LOG": str(log), "RUNNING": running})
    calls = log.read_text().splitlines()
    assert calls[0].startswith("docker ps")
    if reloaded:
        assert calls[1:] == ["systemctl daemon-reload", f"systemctl start {TIMESYNCD}"]
    else:
        assert calls[1:] == [] and "waits: containers are running (job)" in done.stdout
