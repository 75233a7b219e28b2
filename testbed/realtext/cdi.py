"""CDI: how Docker 29 runs --gpus through it, the refresh unit, and specs nvidia-ctk wrote on WSL2."""

# ---------------------------------------------------------------------------
# --gpus through CDI, and CDI specs
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/moby/moby/pull/50228 (elezar: how Docker 29.2 runs `--gpus`; the driver tries
# nvidia.cdi first, then nvidia.runtime-hook)
MOBY_GPUS_THROUGH_CDI = (
    "I renamed the existing `nvidia` device driver to `nvidia.runtime-hook` and added a new device driver "
    "`nvidia.cdi`  if the `nvidia-container-runtime-hook` and `nvidia-cdi-hook` binaries are present on the "
    "system, respectively."
)
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/1982 (the output line of
# nvidia-cdi-refresh.service as installed, commented out by the user who moved it)
CDI_REFRESH_UNIT_OUTPUT_LINE = "#Environment=NVIDIA_CTK_CDI_OUTPUT_FILE_PATH=/var/run/cdi/nvidia.yaml"
# VERBATIM  https://github.com/NVIDIA/cloud-native-docs/pull/203 (container-toolkit/cdi-support.md)
CDI_REFRESH_DOCS = (
    "The automatic service handles the following scenarios:\n"
    "- First-time driver installation\n"
    "- Driver upgrades\n"
    "- System reboots"
)
# VERBATIM (first lines)  https://github.com/docker/buildx/pull/3320 (crazy-max: `cat /etc/cdi/nvidia.yaml`
# in WSL2, as `nvidia-ctk cdi generate` wrote it; the driver store folder is nvmdi.inf_amd64_<hash>)
CDI_SPEC_WSL_YAML = """---
cdiVersion: 0.3.0
containerEdits:
  env:
  - NVIDIA_VISIBLE_DEVICES=void
  hooks:
  - args:
    - nvidia-cdi-hook
    - create-symlinks
    - --link
    - /usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/nvidia-smi::/usr/bin/nvidia-smi
    env:
    - NVIDIA_CTK_DEBUG=false
    hookName: createContainer
    path: /usr/bin/nvidia-cdi-hook
  - args:
    - nvidia-cdi-hook
    - update-ldcache
    - --folder
    - /usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f
    - --folder
    - /usr/lib/wsl/lib
    env:
    - NVIDIA_CTK_DEBUG=false
    hookName: createContainer
    path: /usr/bin/nvidia-cdi-hook
  mounts:
  - containerPath: /usr/lib/wsl/lib/libdxcore.so
    hostPath: /usr/lib/wsl/lib/libdxcore.so
    options:
    - ro
    - nosuid
    - nodev
    - bind
  - containerPath: /usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/libcuda.so.1.1
    hostPath: /usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/libcuda.so.1.1
    options:
    - ro
    - nosuid
    - nodev
    - bind
  - containerPath: /usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/libcuda_loader.so
    hostPath: /usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/libcuda_loader.so
    options:
    - ro
    - nosuid
    - nodev
    - bind
"""
# VERBATIM (the mounts)  https://github.com/NVIDIA/nvidia-container-toolkit/issues/1739 (tyeth: the spec a newer
# nvidia-ctk generated on WSL2, hostPath first and indented by four)
CDI_SPEC_WSL_YAML_HOSTPATH_FIRST = """    mounts:
        - hostPath: /usr/lib/wsl/lib/libdxcore.so
          containerPath: /usr/lib/wsl/lib/libdxcore.so
          options:
            - ro
            - nosuid
            - nodev
            - rbind
            - rprivate
        - hostPath: /usr/lib/wsl/drivers/nvfrwi.inf_amd64_63d60f682af8cba2/libcuda.so.1.1
          containerPath: /usr/lib/wsl/drivers/nvfrwi.inf_amd64_63d60f682af8cba2/libcuda.so.1.1
          options:
            - ro
            - nosuid
            - nodev
            - rbind
            - rprivate
        - hostPath: /usr/lib/wsl/drivers/nvfrwi.inf_amd64_63d60f682af8cba2/libcuda_loader.so
          containerPath: /usr/lib/wsl/drivers/nvfrwi.inf_amd64_63d60f682af8cba2/libcuda_loader.so
"""
# VERBATIM (a mount)  https://github.com/NixOS/nixpkgs/issues/473545 (/run/cdi/nvidia-container-toolkit.json,
# a JSON spec generated on WSL)
CDI_SPEC_WSL_JSON = """    "mounts": [
      {
        "hostPath": "/usr/lib/wsl/lib/libdxcore.so",
        "containerPath": "/usr/lib/wsl/lib/libdxcore.so",
        "options": [
          "ro",
          "nosuid",
          "nodev",
          "rbind",
          "rprivate"
        ]
      },
"""
