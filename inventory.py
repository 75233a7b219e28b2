"""The team's workstations: groups, group-wide settings, per-host overrides; with none listed, this machine."""

# To add a workstation:
#   1. On it, an account you can SSH to with your key, and sudo (with a password is fine, see README).
#      A WSL laptop serves sshd from inside the distro: `sudo ssh-keygen -A`, set `Port 2222` in
#      /etc/ssh/sshd_config.d/, `sudo systemctl enable --now ssh`, and make the port reachable from
#      outside Windows (WSL's mirrored networking, or a `netsh interface portproxy` rule).
#   2. Here, add ("name", {"ssh_hostname": ..., "ssh_user": ...}) to its group. Any setting of
#      defaults.py may follow and overrides the group's for that host only.
#   3. Run `.venv/bin/pyinfra inventory.py deploy.py --sudo`: every host converges in parallel and a
#      host that fails is named at the end. Rerun it at any time; a converged host changes nothing.

# WSL2 distros on Windows laptops, GPU served by the Windows NVIDIA driver.
wsl_laptops = (
    [
        # A host's own settings override its group's: alice's laptop needs a newer WSL kernel.
        # ("alice-laptop", {"ssh_hostname": "alice.example", "ssh_user": "alice", "min_kernel_version": "5.15.153.1"}),
        # ("bob-laptop", {"ssh_hostname": "10.20.0.17", "ssh_user": "bob", "docker_users": ["bob", "ci"]}),
    ],
    {
        # Port 22 is often Windows' own OpenSSH server: the distro's sshd listens on 2222.
        "ssh_port": 2222,
        "wsl_systemd": True,
        # The team's bar for `wsl --update` (this is the default: CUDA's minimum).
        "min_kernel_version": "5.10.43.3",
    },
)

# Native Ubuntu 22.04/24.04 or Debian 12 workstations with an NVIDIA GPU and its Linux driver
# installed (`sudo ubuntu-drivers install`, or Debian's nvidia-driver): the deploy installs none.
linux_workstations = (
    [
        # ("render-1", {"ssh_hostname": "render-1.corp.example", "ssh_user": "ops"}),
        # ("render-2", {"ssh_hostname": "10.20.1.2", "ssh_user": "ops", "nvidia_toolkit_version": "1.20.1-1"}),
    ],
    {
        # Docker Desktop is a WSL option only: native workstations run Docker Engine.
        "docker_engine": "docker-ce",
    },
)

# Until a workstation is listed above, the inventory is this machine, as `pyinfra @local deploy.py`.
if not wsl_laptops[0] and not linux_workstations[0]:
    this_machine = ["@local"]
