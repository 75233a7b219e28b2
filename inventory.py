"""The workstations this deploy converges; with no inventory given, `pyinfra @local deploy.py` runs on this machine."""

# Add a workstation as ("ssh-host-name", {settings...}); any setting of defaults.py can be
# overridden per host here, or for a whole group.
wsl_workstations = [
    "@local",
]
