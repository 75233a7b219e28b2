"""What doctor reads on a host, in one read-only command that always succeeds (files/doctor-facts.sh)."""

from __future__ import annotations

from pathlib import Path

from pyinfra.api import FactBase

from tasks.dockerinfo import DOCTOR_INFO_COMMAND
from tasks.dropins import LOOPBACK_DEVICE
from tasks.facts import WSL_LIB, parse_lines
from tasks.managed import DAEMON_JSON, ENGINE_RESTART_PENDING, LEGACY_LISTS, WSL_CONF
from tasks.shell import shell_script

# systemd starts dockerd with this PATH, so the runtime and its hook must be found on it.
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PACKAGES = ["docker-ce", "docker.io", "nvidia-container-toolkit", "nvidia-container-toolkit-base"]
# nvidia-cdi-hook on dockerd's PATH lets Docker 29.2+ run `--gpus` through CDI (moby/moby#50228).
BINARIES = ["dockerd", "nvidia-container-runtime-hook", "nvidia-container-runtime", "nvidia-ctk",
            "nvidia-cdi-hook"]
# The CDI specs an engine reads, and the files a spec mounts: YAML's `hostPath: /x` (a list item or not),
# or JSON's `"hostPath": "/x",`, one a line as nvidia-ctk writes them.
CDI_SPECS = "/etc/cdi/*.yaml /etc/cdi/*.json /var/run/cdi/*.yaml /var/run/cdi/*.json"
CDI_HOST_PATH_SED = r"""s/^[[:space:]-]*"\{0,1\}hostPath"\{0,1\}:[[:space:]]*["']\{0,1\}\([^"']*\).*/\1/p"""
# The interface of the default route in /proc/net/route: the first line with destination 0.0.0.0.
ROUTE_AWK = '$2 == "00000000" {print $1; exit}'
# Toolkit 1.19.1 and later keep /var/run/cdi/nvidia.yaml fresh with this unit, on WSL too.
CDI_REFRESH_UNIT = "nvidia-cdi-refresh.service"
CDI_REFRESH_OUTPUT = "/var/run/cdi/nvidia.yaml"
# setup.sh's own check of sudo, which owns the rule for which sudo pyinfra can drive.
SUDO_CHECK = Path(__file__).resolve().parents[2] / "files" / "sudo-check.sh"
# Keys that may repeat; every other key holds one value.
LISTS = {"smi", "ld_libcuda", "apt_date", "wsl_conf", "pkg", "bin", "dockerd", "daemon_json",
         "docker_info", "context_host", "legacy_list", "apt_err", "users", "cdi_spec", "cdi_missing",
         "sudo.fix", "restart_pending", "smi_mem", "wslconfig"}


def sudo_check_command() -> str:
    """files/sudo-check.sh's --facts as the user who runs the deploy, each key prefixed "sudo."."""
    return shell_script("doctor-sudo.sh", SUDO_CHECK.read_text())


class DoctorFacts(FactBase):
    """
    Returns {key: value} (a list for LISTS keys) of everything doctor checks beyond HostSnapshot:
    the clock and the hardware clock (rtc, empty without one), nvidia-smi, the linker's libcuda,
    apt's Release dates, WSL's version and networking mode (wslinfo), wsl.conf, packages, the
    engine with its runtimes and version, iptables backends, the users, the docker group and the
    shell's groups, the default route's interface and MTU (route_dev, route_mtu) and docker0's
    (docker0_mtu), when dockerd last started and when loopback0 appeared (engine_started_us,
    loopback0_since_us, loopback0), legacy lists, apt's own complaints, the CDI specs and
    the files they mount that are missing, whether nvidia-cdi-refresh.service is installed, and
    what files/sudo-check.sh finds of the invoking user's sudo (sudo.*; sudo_user is $SUDO_USER), and
    the lines of a restart the deploy left waiting for running containers (restart_pending), the memory
    of the VM and of each GPU, what WSL's init was started with (safe mode, the Windows profile), that
    profile's .wslconfig and drive, and the free space under Docker's root dir.
    """

    def command(self):
        return shell_script("doctor-facts.sh", WSL_LIB=WSL_LIB, PACKAGES=" ".join(PACKAGES),
                            BINARIES=" ".join(BINARIES), SERVICE_PATH=SERVICE_PATH, DAEMON_JSON=DAEMON_JSON,
                            DOCKER_INFO=DOCTOR_INFO_COMMAND,
                            LEGACY_LISTS=" ".join(LEGACY_LISTS), CDI_SPECS=CDI_SPECS,
                            CDI_HOST_PATH_SED=CDI_HOST_PATH_SED, CDI_REFRESH_UNIT=CDI_REFRESH_UNIT,
                            SUDO_CHECK=sudo_check_command(), PENDING=ENGINE_RESTART_PENDING, WSL_CONF=WSL_CONF,
                            ROUTE_AWK=ROUTE_AWK, LOOPBACK_DEVICE=LOOPBACK_DEVICE)

    def process(self, output):
        return parse_lines(output, LISTS)
