"""The preflight's facts of a good WSL2 host and of a good native workstation, shared by the tests."""

from testbed import realtext as real

GOOD_FACTS = {
    "osrelease": real.WSL2_OSRELEASE_5_15_167_4,
    "dxg": "char",
    "wsl_lib": ["libcuda.so.1", "nvidia-smi"],
    "linux_driver": [],
    "distro": "ubuntu",
    "distro_version": "24.04",
    "codename": "noble",
    "arch": "amd64",
    "pid1": "systemd",
    "user": "alice",
    "docker_cli": [],
}

# VERBATIM /proc/driver/nvidia/version first lines: dylanaraps/neofetch#876 (proprietary module),
# nix-community/nixGL#186 (open module, Ubuntu 24.04 nvidia-driver-565-open).
NVRM_PROPRIETARY = "NVRM version: NVIDIA UNIX x86_64 Kernel Module  384.98  Thu Oct 26 15:16:01 PDT 2017"
NVRM_OPEN = ("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  565.57.01  Release Build  "
             "(dvs-builder@U16-A24-9-2)  Thu Oct 10 12:15:00 UTC 2024")
# VERBATIM `nvidia-smi -L`, akash-network/provider-configs#12.
SMI_LIST = "GPU 0: Quadro RTX 4000 (UUID: GPU-c7b57be0-94ff-d352-a59b-d0ee00aeed43)"
# VERBATIM nvidia-smi without a loaded driver, NVIDIA/nvidia-docker#988; exit 9 is "NVIDIA driver
# is not loaded" in nvidia-smi(1)'s RETURN VALUE list (quoted in Ricks-Lab/gpu-utils#88).
SMI_NO_DRIVER = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                 "Make sure that the latest NVIDIA driver is installed and running.")
GOOD_NATIVE = {
    **GOOD_FACTS,
    "osrelease": "6.1.0-27-amd64",
    "dxg": None,
    "wsl_lib": [],
    "distro": "debian",
    "distro_version": "12",
    "codename": "bookworm",
    "nvidia_module": NVRM_OPEN,
    "nvidia_smi": "0",
    "nvidia_smi_output": [SMI_LIST],
}
