"""The NVIDIA driver for Windows as WSL shows it: nvidia-smi, libcuda and ldconfig."""

# ---------------------------------------------------------------------------
# nvidia-smi
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/microsoft/WSL/issues/14339 (also #9938, #10289, #12859; #9962 = inside docker)
ERR_NVML_BLOCKED = (
    "Failed to initialize NVML: GPU access blocked by the operating system\n"
    "Failed to properly shut down NVML: GPU access blocked by the operating system"
)
# VERBATIM  https://github.com/psalias2006/gpu-hot/issues/64 (bare-metal Linux; format is the same in WSL)
NVIDIA_SMI_L_4GPU = (
    "GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-e1924eea-b9bb-d537-39f2-b345087fa145)\n"
    "GPU 1: NVIDIA GeForce RTX 3090 (UUID: GPU-899c71bf-27be-b6a0-ae8f-d8afe5ba0f85)\n"
    "GPU 2: NVIDIA GeForce RTX 3090 (UUID: GPU-acd314e9-4c7a-4824-eb0f-b6e38b1ec38c)\n"
    "GPU 3: NVIDIA GeForce RTX 3090 (UUID: GPU-2639988f-1756-0583-db8f-faee38effce2)"
)
NVIDIA_SMI_L_LINE = NVIDIA_SMI_L_4GPU.splitlines()[0]
# DERIVED  WSL2 single-GPU line; name + UUID VERBATIM from `nvidia-smi -a` in
# https://github.com/NVIDIA/nvidia-docker/issues/1604 (WSL2, driver 510.06), assembled into -L format
NVIDIA_SMI_L_WSL_DERIVED = "GPU 0: NVIDIA GeForce GTX 1650 Ti with Max-Q Design (UUID: GPU-b5e386b4-3e71-5837-aca5-80c5914cf07f)"
NVIDIA_SMI_WSL_PATH = "/usr/lib/wsl/lib/nvidia-smi"  # VERBATIM  https://github.com/microsoft/WSL/issues/8174
# VERBATIM  https://github.com/microsoft/WSL/issues/13027 (`nvidia-smi` in WSL, one GPU in TCC mode)
ERR_SMI_NO_DEVICES = (
    "Unable to determine the device handle for GPU0: 0000:C1:00.0: Unknown Error\n"
    "Unable to determine the device handle for GPU1: 0000:E1:00.0: Unknown Error\n"
    "No devices were found"
)

# ---------------------------------------------------------------------------
# libcuda and ldconfig
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/microsoft/WSL/issues/11229 (printed by ldconfig on every dpkg trigger)
ERR_LIBCUDA_NOT_SYMLINK = "ldconfig: /usr/lib/wsl/lib/libcuda.so.1 is not a symbolic link"
# VERBATIM  https://github.com/mahbub-aumi/tensorflow-cuda-wsl-ubuntu24.04/issues/2 (Ubuntu's ldconfig.real prefix)
ERR_LIBCUDA_NOT_SYMLINK_REAL = "/sbin/ldconfig.real: /usr/lib/wsl/lib/libcuda.so.1 is not a symbolic link"
# VERBATIM  https://github.com/microsoft/WSL/issues/6014 (`ldconfig -p | grep cuda` in WSL2)
LDCONFIG_P_WSL = (
    "        libicudata.so.66 (libc6,x86-64) => /lib/x86_64-linux-gnu/libicudata.so.66\n"
    "        libcuda.so.1 (libc6,x86-64) => /usr/lib/wsl/lib/libcuda.so.1"
)
# VERBATIM  triton-lang/triton third_party/nvidia/backend/driver.py (comment: "each line looks like the
# following:"), the libcuda of a Linux driver package
LDCONFIG_P_LINUX_DRIVER = "libcuda.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcuda.so.1"

# ---------------------------------------------------------------------------
# GPU memory (nvidia-smi --query-gpu)
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/Syllo/nvtop/issues/432 (WSL2, driver 591.44: `nvidia-smi --query-gpu=name,memory.total,
# memory.used --format=csv,noheader,nounits`)
SMI_QUERY_NAME_MEMORY_4070TIS = "NVIDIA GeForce RTX 4070 Ti SUPER, 16376, 14360"
# DERIVED  the same query with memory.total alone: its second field above
SMI_QUERY_MEMORY_TOTAL_4070TIS = SMI_QUERY_NAME_MEMORY_4070TIS.split(", ")[1]
