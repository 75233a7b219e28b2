"""The GPU container layer: a GPU container runs, when asked."""

from __future__ import annotations

from tasks.dockerinfo import gpu_container_command
from tasks.doctor.checks.common import NVML_BLOCKED, RESTART, WINDOWS_DRIVER_FIX
from tasks.doctor.checks.docker import check_engine
from tasks.doctor.registry import check
from tasks.findings import FAIL, INFO, PASS, WARN, Finding

LAYER = "GPU container"


# (what `docker run` says, the status, what it means, the fix, the finding's id)
GPU_ERRORS = [
    ("could not select device driver", FAIL,
     "the engine has no GPU device driver: the toolkit is missing or the engine was not restarted after it",
     "see toolkit.installed and daemon-json.loaded: rerun the deploy, or " + RESTART, "gpu.container.no-device-driver"),
    ("unknown or invalid runtime name: nvidia", FAIL,
     "the engine has not loaded the nvidia runtime",
     RESTART + " (see daemon-json.loaded)", "gpu.container.no-runtime"),
    ("Unknown runtime specified nvidia", FAIL,
     "the engine has not loaded the nvidia runtime",
     RESTART + " (see daemon-json.loaded)", "gpu.container.no-runtime"),
    ("WSL environment detected but no adapters were found", FAIL,
     "the toolkit finds no GPU adapter: WSL shares no GPU with this distro",
     WINDOWS_DRIVER_FIX + " (see driver.nvidia-smi and wsl.dxg)", "gpu.container.no-adapter"),
    ("libnvidia-ml.so.1: file exists", WARN,
     "the image ships its own libnvidia-ml.so.1, which clashes with the driver's: the image's fault, "
     "not this host's (NVIDIA/nvidia-container-toolkit#289)",
     "use an image without NVIDIA driver libraries (the default gpu_smoke_test_image), or rebuild it "
     "without them", "gpu.container.image-nvml"),
    (NVML_BLOCKED, FAIL,
     f"inside the container: {NVML_BLOCKED}",
     "see toolkit.no-cgroups: rerun the deploy (deploy.py), which sets `no-cgroups = false` in "
     "/etc/nvidia-container-runtime/config.toml", "gpu.container.nvml-blocked"),
]


@check("gpu.container", gives={"gpu.container.engine-stopped": FAIL, **{e[4]: e[1] for e in GPU_ERRORS},
                               "gpu.container.failed": FAIL})
def check_gpu_container(facts, settings) -> Finding:
    """A GPU container runs, when doctor_gpu_container asks for one; if not, why not."""
    result = facts.get("gpu")
    if result is None and facts.get("gpu_asked"):
        engine = check_engine(facts, settings)
        return Finding(FAIL, "not run: docker.service is stopped (see docker.engine)",
                       engine.fix or "start the engine (see docker.engine)", by_deploy=engine.by_deploy,
                       id="gpu.container.engine-stopped")
    if result is None:
        return Finding(INFO,
                       "not run: set doctor_gpu_container = True (or pass --data doctor_gpu_container=true) "
                       f"to run `{gpu_container_command(settings)}`")
    output = "\n".join(result["output"])
    if result["ok"]:
        return Finding(PASS, " / ".join(result["output"][-3:]) or "the GPU container ran")
    for needle, status, found, fix, id in GPU_ERRORS:
        if needle in output:
            return Finding(status, found, fix, id=id)
    return Finding(FAIL, "the GPU container failed: " + " / ".join(result["output"][-4:]),
                   "see the checks above; `docker run` says why in its last lines", id="gpu.container.failed")
