"""Every setting of the deploy, with its default: override any of them per host or group in inventory.py."""

DEFAULTS = {
    # --- preflight ---------------------------------------------------------
    # A failed preflight check stops the run before any change; False turns
    # failures into warnings (image builds, test twins without a GPU).
    "preflight_strict": True,
    # The oldest WSL kernel accepted: NVIDIA and Microsoft require 5.10.43.3+ for CUDA.
    "min_kernel_version": "5.10.43.3",
    # --- package manager -------------------------------------------------
    # How long to wait for another apt or dpkg (e.g. unattended-upgrades) to let go of
    # the package manager's locks, in seconds.
    "apt_lock_timeout": 600,
    # --- one run at a time -------------------------------------------------
    # How long a run waits for another run of this deploy on the same host (a person's, cron's,
    # first boot's) to end, in seconds, before it stops without changing anything; 0: not at all.
    "run_lock_timeout": 600,
    # --- company network ---------------------------------------------------
    # The proxy every layer uses (the deploy's downloads, apt, get.docker.com's script, the
    # engine's pulls), e.g. "http://proxy.corp.example:3128"; it may carry credentials
    # ("http://user:secret@proxy:3128"), which are shown masked and kept in root-only files.
    "http_proxy": None,
    "https_proxy": None,
    # Hosts and domains reached directly, comma-separated ("localhost,.corp.example").
    "no_proxy": None,
    # PEM files (paths on the machine running pyinfra, relative to the deploy) that the host must
    # trust, e.g. the company's TLS-inspecting CA: installed under /usr/local/share/ca-certificates.
    "ca_certificates": [],
    # Also give the proxy to the containers and `docker build` of docker_users: `proxies.default` in each
    # one's ~/.docker/config.json, merged in, every other key kept (a previous file kept as a backup);
    # False takes the deploy's out again. That file is the user's own: a proxy password there is
    # readable by that user (by no other: the deploy takes the group's and others' access away).
    "docker_users_proxy": False,
    # --- Docker Engine -----------------------------------------------------
    # "docker-ce": install Docker Engine in the distro; "docker-desktop": use
    # Docker Desktop's WSL integration and install no engine.
    "docker_engine": "docker-ce",
    # The install script that performs the first installation of the engine.
    "docker_install_script_url": "https://get.docker.com",
    # When set, the script must have this sha256 or it is not run.
    "docker_install_script_sha256": None,
    # Docker's package site (the script's DOWNLOAD_URL).
    "docker_download_url": "https://download.docker.com",
    # The script's CHANNEL: "stable" or "test".
    "docker_channel": "stable",
    # The script's VERSION (e.g. "27.3.1"); the engine packages are pinned to it.
    "docker_version": None,
    # Full fingerprint of Docker's apt signing key.
    "docker_gpg_fingerprint": "9DC858229FC7DD38854AE2D88D81803C0EBFCD88",
    # Members of the docker group; None means the user running the deploy (never root).
    "docker_users": None,
    # Extra keys merged into /etc/docker/daemon.json. The three settings below each own a key of it: a key set
    # both here and by its setting stops the run before any change.
    "docker_daemon_options": {},
    # Every container's /dev/shm unless it asks for its own (`--shm-size`): daemon.json's default-shm-size, as
    # dockerd reads it ("1G", "512m"). Docker gives 64 MiB, too little for PyTorch's DataLoader workers, which
    # die with "Bus error" or "unable to write to file </torch_...>"; NVIDIA's NGC containers ask for
    # `--shm-size=1g`. It is a cap, not a reservation: /dev/shm is tmpfs, and what a container writes there
    # counts against its own memory limit and the distro's RAM. The deploy sets 1G, which the engine reloads
    # live (no restart) and containers created after take; doctor warns at 64 MiB. None leaves daemon.json's
    # key as it is.
    "docker_default_shm_size": "1G",
    # Every container's ulimits unless it asks for its own (`--ulimit`): daemon.json's default-ulimits, by name,
    # a number for soft and hard alike (-1: unlimited) or "soft:hard". NGC's containers ask for
    # {"memlock": -1, "stack": 67108864}: unlimited locked memory lets CUDA and NCCL pin host memory for
    # fast copies, at the price that a container may lock RAM the distro cannot then swap out; a 64 MiB stack
    # suits deep recursion in compilers and data loaders. Loaded only when the engine restarts (which waits
    # while containers run, see engine_restart), hence off unless asked. Empty leaves daemon.json's key as it is.
    "docker_default_ulimits": {},
    # The MTU of the engine's default bridge and its containers (daemon.json's mtu, 68 to 65535): set it to the
    # distro's own MTU where that is below 1500 (a VPN's, some Wi-Fi), or TLS handshakes from containers stall
    # (moby#13475). Loaded only when the engine restarts. None leaves daemon.json's key as it is.
    "docker_mtu": None,
    # When the engine may restart to load a change it cannot reload live (a restart stops every
    # container; `systemctl daemon-reload` takes running containers' GPUs away): "when-idle" waits
    # while containers run, says so, and the next run with none running restarts it, once; "now"
    # restarts it at once, stopping them (for a maintenance window). Engine package upgrades,
    # whose scripts restart it, wait the same way, and so does the daemon-reload that has systemd read
    # the deploy's drop-ins for a time daemon or for the engine's order (the files are written at once).
    "engine_restart": "when-idle",
    # --- NVIDIA Container Toolkit -----------------------------------------
    # Root of NVIDIA's apt repository.
    "nvidia_repo_url": "https://nvidia.github.io/libnvidia-container",
    # Full fingerprint of NVIDIA's apt signing key.
    "nvidia_gpg_fingerprint": "C95B321B61E88C1809C4F759DDCAE044F796ECB0",
    # Install the four toolkit packages at this apt version (e.g. "1.20.1-1") and pin them there
    # (/etc/apt/preferences.d/nvidia-container-toolkit), so that upgrades leave them.
    "nvidia_toolkit_version": None,
    # Also install the deprecated nvidia-docker2 meta-package.
    "nvidia_docker2": False,
    # Make nvidia the engine's default runtime.
    "nvidia_default_runtime": False,
    # --- WSL ---------------------------------------------------------------
    # Manage `[boot] systemd=true` in /etc/wsl.conf.
    "wsl_systemd": True,
    # --- verification -----------------------------------------------------
    # Run a GPU container at the end of the deploy.
    "gpu_smoke_test": False,
    "gpu_smoke_test_image": "nvcr.io/nvidia/k8s/cuda-sample:nbody",
    "gpu_smoke_test_command": "nbody -gpu -benchmark",
    # --- pull mode ---------------------------------------------------------
    # The git URL of the team's copy of this repository (https://, ssh:// or git@host:path; a password
    # in it is shown masked and kept in root-only files). When set, a systemd timer on the host fetches
    # pull_ref from it, refuses what pull_signing_keys did not sign, and runs the deploy as root from
    # that commit with team.py's settings; None: no timer (the deploy removes one it installed).
    "pull_repo_url": None,
    # The branch or tag to follow.
    "pull_ref": "main",
    # Full fingerprints of the keys that may sign what the host applies: a commit at the tip of pull_ref,
    # or the tag pull_ref names. Each key's public part is committed as signing-keys/<FINGERPRINT>.asc
    # (`gpg --export --armor FINGERPRINT`). Empty: nothing is checked.
    "pull_signing_keys": [],
    # When the timer runs, as systemd's OnCalendar= reads it ("hourly", "daily", "*-*-* 09:00").
    # Persistent: a run missed while the distro was off happens when it next starts.
    "pull_schedule": "hourly",
    # Each run starts up to this many seconds late, at random, so that a fleet does not reach the git
    # server in the same minute.
    "pull_randomized_delay": 1800,
    # --- doctor.py ---------------------------------------------------------
    # Where doctor.py writes its JSON report on the machine running pyinfra (relative to
    # where it runs); None writes no file.
    "doctor_report_path": "doctor-report.json",
    # Where doctor.py writes the same report as one page for a browser (self-contained HTML:
    # a grid of hosts by layers), on the machine running pyinfra; None writes no page.
    "doctor_report_html_path": "doctor-report.html",
    # doctor.py also runs a GPU container (gpu_smoke_test_image), pulling the image if absent.
    "doctor_gpu_container": False,
    # doctor.py warns when the filesystem that holds Docker's images (its DockerRootDir), or on WSL
    # the Windows drive of the user's profile, has fewer GB (10^9 bytes) free than this: CUDA images
    # weigh 5-20 GB, and a pull needs room for the compressed layers and the unpacked ones at once.
    "doctor_min_free_disk_gb": 20,
    # --- fleet reports --------------------------------------------------------
    # The folder every host's pull run uploads its report to, as an HTTP PUT of <report_url><hostname>.json,
    # and fleet.py reads back with WebDAV's PROPFIND: a WebDAV folder, Nextcloud, Artifactory or Nexus raw,
    # GitLab's generic packages. It may carry basic auth ("https://user:password@dav.corp.example/reports/"):
    # a secret, masked in all output and kept on hosts in root-only files only. None: no upload.
    "report_url": None,
    # A header sent with each upload and listing, "Name: value", for receivers that take a token
    # ("PRIVATE-TOKEN: glpat-...", "Authorization: Bearer ..."); its value is a secret, as above.
    "report_header": None,
    # fleet.py marks a host stale when its last report is older than this many days.
    "fleet_stale_days": 3,
}
