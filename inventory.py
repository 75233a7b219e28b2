"""The team's workstations for a run over SSH: groups and how to reach each host; with none listed, this machine."""

from tasks.team import team_settings

# To add a workstation:
#   1. On it, an account you can SSH to with your key, and sudo (with a password is fine, see README).
#      A WSL laptop serves sshd from inside the distro: `sudo ssh-keygen -A`, set `Port 2222` in
#      /etc/ssh/sshd_config.d/, `sudo systemctl enable --now ssh`, and make the port reachable from
#      outside Windows (WSL's mirrored networking, or a `netsh interface portproxy` rule).
#   2. Here, add ("name", {"ssh_hostname": ..., "ssh_user": ...}) to its group, named as its hostname.
#      Its settings are team.py's, the team's and its own there by that name: the same that its own
#      @local runs (setup.sh, first boot, the pull timer) read.
#   3. Run `.venv/bin/pyinfra inventory.py deploy.py --sudo`: every host converges in parallel and a
#      host that fails is named at the end. Rerun it at any time; a converged host changes nothing.

# WSL2 distros on Windows laptops, GPU served by the Windows NVIDIA driver.
wsl_laptops = (
    [
        # ("alice-laptop", {"ssh_hostname": "alice.example", "ssh_user": "alice"}),
        # ("bob-laptop", {"ssh_hostname": "10.20.0.17", "ssh_user": "bob"}),
    ],
    {
        # Port 22 is often Windows' own OpenSSH server: the distro's sshd listens on 2222.
        "ssh_port": 2222,
    },
)

# Native Ubuntu 22.04/24.04 or Debian 12 workstations with an NVIDIA GPU and its Linux driver
# installed (`sudo ubuntu-drivers install`, or Debian's nvidia-driver): the deploy installs none.
linux_workstations = (
    [
        # ("render-1", {"ssh_hostname": "render-1.corp.example", "ssh_user": "ops"}),
        # ("render-2", {"ssh_hostname": "10.20.1.2", "ssh_user": "ops"}),
    ],
    {},
)

# Each host with team.py's settings for it, which its entry here may override.
for _hosts, _ in (wsl_laptops, linux_workstations):
    _hosts[:] = [(name, {**team_settings(name), **data}) for name, data in _hosts]

# Until a workstation is listed above, the inventory is this machine, as `pyinfra @local deploy.py`.
if not wsl_laptops[0] and not linux_workstations[0]:
    this_machine = ["@local"]
