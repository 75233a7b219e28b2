"""The team's settings in one place, every host's and a host's own by hostname: inventory.py and @local runs read it."""

# Any setting of defaults.py, for every host: the lead's SSH run (inventory.py) and each host's own
# `pyinfra @local deploy.py` (setup.sh, cloud-init's first boot, the pull timer) read them from here,
# so that one commit changes them everywhere; with pull_repo_url set, every host has it within one
# pull_schedule period.
settings = {
    # "pull_repo_url": "https://git.corp.example/team/wsl-gpu-docker.git",
    # "pull_ref": "main",
    # "pull_signing_keys": ["0123456789ABCDEF0123456789ABCDEF01234567"],
    # The team's bar for `wsl --update` (this is the default: CUDA's minimum).
    "min_kernel_version": "5.10.43.3",
    # NGC's ulimits for every container, as `--ulimit memlock=-1 --ulimit stack=67108864` (defaults.py says
    # what they cost); the engine restarts to load them, once no container runs.
    # "docker_default_ulimits": {"memlock": -1, "stack": 67108864},
}

# A host's own settings, over the team's, by its hostname (`hostname` on it; over SSH, its name in
# inventory.py). Case does not matter: WSL takes its hostname from Windows, often in capitals.
hosts = {
    # alice's laptop needs a newer WSL kernel.
    # "alice-laptop": {"min_kernel_version": "5.15.153.1"},
    # "bob-laptop": {"docker_users": ["bob", "ci"]},
    # "render-2": {"nvidia_toolkit_version": "1.20.1-1"},
}
