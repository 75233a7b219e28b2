"""What the deploy manages on a host: its files and packages, named once for the facts and the tasks."""

DAEMON_JSON = "/etc/docker/daemon.json"
# What the deploy keeps of its own on a host between runs: markers, records, reports.
VAR_DIR = "/var/lib/wsl-gpu-docker"

DOCKER_KEY = "/etc/apt/keyrings/docker.asc"
DOCKER_LIST = "/etc/apt/sources.list.d/docker.list"
DOCKER_PIN = "/etc/apt/preferences.d/docker-ce"
ENGINE_PACKAGES = [
    "docker-ce",
    "docker-ce-cli",
    "containerd.io",
    "docker-buildx-plugin",
    "docker-compose-plugin",
]

NVIDIA_KEYRING = "/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg"
NVIDIA_LIST = "/etc/apt/sources.list.d/nvidia-container-toolkit.list"
# Holds TOOLKIT_PACKAGES at nvidia_toolkit_version, so that upgrades leave them there.
TOOLKIT_PIN = "/etc/apt/preferences.d/nvidia-container-toolkit"
# Older install guides wrote these; beside the current one they make apt fail with
# "Conflicting values set for option Signed-By".
LEGACY_LISTS = [
    "/etc/apt/sources.list.d/nvidia-docker.list",
    "/etc/apt/sources.list.d/libnvidia-container.list",
    "/etc/apt/sources.list.d/nvidia-container-runtime.list",
]
TOOLKIT_PACKAGES = [
    "nvidia-container-toolkit",
    "nvidia-container-toolkit-base",
    "libnvidia-container-tools",
    "libnvidia-container1",
]
# The toolkit's own configuration, which its package scripts write (nvidia-ctk config --in-place). The deploy
# owns one key in it, no-cgroups under [nvidia-container-cli], and edits that line alone (files/no-cgroups.sh).
TOOLKIT_CONFIG = "/etc/nvidia-container-runtime/config.toml"

# The script's VERSION selects these two, and the deploy moves them to docker_version...
PINNED_PACKAGES = ["docker-ce", "docker-ce-cli"]
# ...where its pin holds them, with the rootless extras of the same release.
PIN_PACKAGES = [*PINNED_PACKAGES, "docker-ce-rootless-extras"]
# The packages whose state the deploy reads and keeps. Others the install script brings, such as
# docker-model-plugin (Docker 28.2 and later), are the engine's own: never read, held or removed.
STATE_PACKAGES = [*ENGINE_PACKAGES, *TOOLKIT_PACKAGES, "nvidia-docker2"]

# A restart of the engine that waits while containers run (files/engine-apply.sh): since when, and why.
ENGINE_RESTART_PENDING = f"{VAR_DIR}/engine-restart-pending"
# The sha256 of the daemon.json the engine last loaded through the deploy (a restart or a reload): a file
# that differs was changed behind its back, and only a restart is sure to load it.
ENGINE_LOADED = f"{VAR_DIR}/engine-loaded-daemon-json"

# The company network's files (tasks/network.py). Root-only (0700), as the proxy's credentials
# are: the environment the deploy's downloads (files/lib/fetch.sh), the install script and the engine
# (through DOCKER_PROXY_DROPIN's EnvironmentFile=) read. systemd shows an EnvironmentFile's path to
# every user, never its content, unlike Environment= lines.
STATE_DIR = "/etc/wsl-gpu-docker"
PROXY_ENV = f"{STATE_DIR}/proxy.env"
APT_PROXY = "/etc/apt/apt.conf.d/95wsl-gpu-docker-proxy"
DOCKER_PROXY_DROPIN = "/etc/systemd/system/docker.service.d/wsl-gpu-docker-proxy.conf"
# The docker users whose ~/.docker/config.json holds the proxy the deploy put there (tasks/userproxy.py),
# one a line: only theirs is taken out again. Names only, root's.
USER_PROXY_RECORD = f"{STATE_DIR}/docker-users-proxy"
# update-ca-certificates reads *.crt files below this folder, recursively.
CA_DIR = "/usr/local/share/ca-certificates/wsl-gpu-docker"

# The files StackState reads: the keys' fingerprints, the other files' sha256 (a pattern: each
# file it matches).
STATE_KEYS = [DOCKER_KEY, NVIDIA_KEYRING]
STATE_FILES = [DAEMON_JSON, DOCKER_LIST, DOCKER_PIN, NVIDIA_LIST, TOOLKIT_PIN, *LEGACY_LISTS,
               PROXY_ENV, APT_PROXY, DOCKER_PROXY_DROPIN, f"{CA_DIR}/*.crt"]

# The time daemons a distro may bring, whose units refuse to start in a container, as systemd counts WSL
# (ConditionVirtualization=!container); Ubuntu's wsl-setup lets them run under WSL with a drop-in each, which
# the deploy writes where the distro has none, so that the clock heals after the computer sleeps.
TIME_UNITS = ["systemd-timesyncd.service", "chrony.service"]
CLOCK_DROPINS = {unit: f"/etc/systemd/system/{unit}.d/wsl-gpu-docker-clock.conf" for unit in TIME_UNITS}
# With WSL's mirrored networking, docker.service starts after loopback0 appears (moby/moby#53382).
LOOPBACK_DROPIN = "/etc/systemd/system/docker.service.d/wsl-gpu-docker-loopback.conf"
STATE_FILES += [*CLOCK_DROPINS.values(), LOOPBACK_DROPIN]
# Where the deploy keeps what it moves aside: apt keys and lists, the proxy's files, company CA
# certificates and users' docker config.json, each as <name>.bak-<stamp>; outside apt's folders,
# where apt warns about any stray file.
BACKUP_DIR = "/var/backups/wsl-gpu-docker"

WSL_CONF = "/etc/wsl.conf"

# Under /run, where only root makes files, so no other user can take the name first; gone at boot,
# with every run it could name. files/lib/run-lock.sh takes it in HostSnapshot's command.
RUN_LOCK = "/run/wsl-gpu-docker.lock"

# Where a root-only file's upload lands first (with this run's token after it). Over SSH with sudo,
# pyinfra's connector writes it as the login user, then copies it as root: a folder only that user
# may enter keeps it from the others. Under /run, where only root creates, so that no one else can
# make the folder first.
UPLOAD_DIR = "/run/wsl-gpu-docker-upload"

# Where the candidates are put for the upstream check, before any file above changes.
CHECK_DIR = "/var/tmp/wsl-gpu-docker-check"

# Pull mode (tasks/pull.py): the timer that keeps this host at the team's pinned commit, the service it
# starts, and the runner that service runs (files/pull-run.sh, installed here so that it does not move
# with the checkout it updates).
PULL_SERVICE = "/etc/systemd/system/wsl-gpu-docker-pull.service"
PULL_TIMER = "/etc/systemd/system/wsl-gpu-docker-pull.timer"
# `systemctl enable` makes this link: its presence is the timer's enabled state in the snapshot.
PULL_TIMER_LINK = "/etc/systemd/system/timers.target.wants/wsl-gpu-docker-pull.timer"
PULL_RUNNER = "/usr/local/lib/wsl-gpu-docker/pull-run.sh"
# The runner's and the report uploader's settings (repo_url, ref, signing_keys, report_url, report_header):
# root-only, as a URL may carry credentials.
PULL_CONFIG = f"{STATE_DIR}/pull.json"
# The public keys of pull_signing_keys (armored), which the runner verifies fetched commits and tags with.
PULL_KEYRING = f"{STATE_DIR}/pull-signing-keys.asc"
# The checkout the runner fetches into and deploys from: root's, readable by root only; where
# cloud-init's first boot clones this repository.
PULL_CHECKOUT = "/opt/wsl-gpu-docker"
# What the runner's last run did (JSON, for the report step), and the commit it last applied and since when.
PULL_OUTCOME = f"{VAR_DIR}/pull-outcome.json"
PULL_APPLIED = f"{VAR_DIR}/pull-applied"
PULL_FILES = [PULL_SERVICE, PULL_TIMER, PULL_TIMER_LINK, PULL_RUNNER, PULL_CONFIG, PULL_KEYRING]
STATE_FILES += PULL_FILES
# What the runner needs besides the stack (gpg comes with every Ubuntu and Debian).
PULL_PACKAGES = ["git"]
STATE_PACKAGES += PULL_PACKAGES
# The host's fleet report as last built (root-only), and the one the receiver has not taken yet: kept until an
# upload succeeds, so that the next run sends it first.
FLEET_REPORT = f"{VAR_DIR}/fleet-report.json"
FLEET_REPORT_UNSENT = f"{VAR_DIR}/fleet-report.unsent.json"
