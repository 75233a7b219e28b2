"""apt: NVIDIA's and Docker's repositories, their keys, and apt's and dpkg's errors."""

# ---------------------------------------------------------------------------
# NVIDIA Container Toolkit apt repo
# ---------------------------------------------------------------------------
# VERBATIM  NVIDIA/libnvidia-container (gh-pages) stable/deb/nvidia-container-toolkit.list (147 bytes)
NVIDIA_LIST_UPSTREAM = (
    "deb https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /\n"
    "#deb https://nvidia.github.io/libnvidia-container/experimental/deb/$(ARCH) /\n"
)
# VERBATIM  NVIDIA/cloud-native-docs container-toolkit/install-guide.md ("Configure the production repository")
NVIDIA_REPO_SETUP_CMD = (
    "curl -fsSL https://nvidia.github.io/libnvidia-container/gpgkey | sudo gpg --dearmor -o "
    "/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg \\\n"
    "  && curl -s -L https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list | \\\n"
    "    sed 's#deb https://#deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] https://#g' | \\\n"
    "    sudo tee /etc/apt/sources.list.d/nvidia-container-toolkit.list"
)
NVIDIA_GPGKEY_URL = "https://nvidia.github.io/libnvidia-container/gpgkey"  # VERBATIM (same doc)
NVIDIA_KEYRING_PATH = "/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg"  # VERBATIM (same doc)
NVIDIA_LIST_PATH = "/etc/apt/sources.list.d/nvidia-container-toolkit.list"  # VERBATIM (same doc)
# DERIVED  result of running the doc's sed over NVIDIA_LIST_UPSTREAM (sed also rewrites the commented line)
NVIDIA_LIST_AFTER_SED = (
    "deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] "
    "https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /\n"
    "#deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] "
    "https://nvidia.github.io/libnvidia-container/experimental/deb/$(ARCH) /\n"
)
NVIDIA_LIST_STABLE_LINE = NVIDIA_LIST_AFTER_SED.splitlines()[0]  # DERIVED (first line of the above)
# VERBATIM  enable experimental (same doc)
NVIDIA_ENABLE_EXPERIMENTAL_CMD = "sed -i -e '/experimental/ s/^#//g' /etc/apt/sources.list.d/nvidia-container-toolkit.list"
# VERBATIM  pinned install; docs template uses ${version}-1, rendered 1.17.8-1 seen in many public copies
NVIDIA_PINNED_INSTALL = (
    "export NVIDIA_CONTAINER_TOOLKIT_VERSION=1.17.8-1\n"
    "  sudo apt-get install -y \\\n"
    "      nvidia-container-toolkit=${NVIDIA_CONTAINER_TOOLKIT_VERSION} \\\n"
    "      nvidia-container-toolkit-base=${NVIDIA_CONTAINER_TOOLKIT_VERSION} \\\n"
    "      libnvidia-container-tools=${NVIDIA_CONTAINER_TOOLKIT_VERSION} \\\n"
    "      libnvidia-container1=${NVIDIA_CONTAINER_TOOLKIT_VERSION}"
)
NVIDIA_PINNED_PACKAGES = [  # VERBATIM order from install-guide.md
    "nvidia-container-toolkit", "nvidia-container-toolkit-base",
    "libnvidia-container-tools", "libnvidia-container1",
]
# VERBATIM  NVIDIA/cloud-native-docs container-toolkit/troubleshooting.md ("Conflicting values set for option Signed-By")
NVIDIA_SIGNED_BY_CONFLICT = (
    "E: Conflicting values set for option Signed-By regarding source "
    "https://nvidia.github.io/libnvidia-container/stable/ubuntu18.04/amd64/ /: "
    "/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg !=\n"
    "E: The list of sources could not be read."
)
# VERBATIM  same doc: the legacy files to look for (in /etc/apt/sources.list.d/)
NVIDIA_SIGNED_BY_CONFLICT_CAUSE = (
    "The most likely candidates would be one or more of the files `libnvidia-container.list`, "
    "`nvidia-docker.list`, or `nvidia-container-runtime.list` in the\nfolder `/etc/apt/sources.list.d/`."
)
NVIDIA_LEGACY_LIST_FILES = ["libnvidia-container.list", "nvidia-docker.list", "nvidia-container-runtime.list"]
# VERBATIM  same doc: how to find conflicting files
NVIDIA_FIND_CONFLICTS_CMD = 'grep -l "nvidia.github.io" /etc/apt/sources.list.d/* | grep -vE "/nvidia-container-toolkit.list\\$"'
# VERBATIM  https://github.com/NVIDIA/libnvidia-container/issues/301 (apt error when keyring missing/mismatched)
NVIDIA_NO_PUBKEY = (
    "W: GPG error: https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease: "
    "The following signatures couldn't be verified because the public key is not available: "
    "NO_PUBKEY DDCAE044F796ECB0\n"
    "E: The repository 'https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease' is not signed."
)

# ---------------------------------------------------------------------------
# Key fingerprints
# ---------------------------------------------------------------------------
DOCKER_APT_KEY_FPR = "9DC858229FC7DD38854AE2D88D81803C0EBFCD88"
# VERBATIM  docker/docker.github.io engine/install/ubuntu.md (older Docker docs; current docs no longer print it)
DOCKER_FPR_DOCS_QUOTE = (
    "Verify that you now have the key with the fingerprint\n"
    "    <span><code>9DC8 5822 9FC7 DD38 854A&nbsp;&nbsp;E2D8 8D81 803C 0EBF CD88</code></span>, by searching for the\n"
    "    last 8 characters of the fingerprint."
)
# VERBATIM  same doc (apt-key output)
DOCKER_APT_KEY_LISTING = (
    "pub   rsa4096 2017-02-22 [SCEA]\n"
    "      9DC8 5822 9FC7 DD38 854A  E2D8 8D81 803C 0EBF CD88\n"
    "uid           [ unknown] Docker Release (CE deb) <docker@docker.com>\n"
    "sub   rsa4096 2017-02-22 [S]"
)
NVIDIA_APT_KEY_FPR = "C95B321B61E88C1809C4F759DDCAE044F796ECB0"
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/650 (gpg listing of the gpgkey URL).
# Not printed in NVIDIA's install docs; maintainer elezar confirmed "The key is the correct one."
# in https://github.com/NVIDIA/libnvidia-container/issues/171.  Note the expired signing subkey.
NVIDIA_GPGKEY_LISTING = (
    "pub   rsa4096 2017-09-28 [SCE]\n"
    "      C95B321B61E88C1809C4F759DDCAE044F796ECB0\n"
    "uid           NVIDIA CORPORATION (Open Source Projects) <cudatools@nvidia.com>\n"
    "sub   rsa2048 2019-09-18 [S] [expired: 2021-06-16]"
)

# ---------------------------------------------------------------------------
# apt's and dpkg's errors
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/microsoft/WSL/issues/4560 (WSL2 clock drift; see also WSL#4114 / #4245)
ERR_APT_NOT_VALID_YET = (
    "E: Release file for http://security.ubuntu.com/ubuntu/dists/bionic-security/InRelease is not valid yet "
    "(invalid for another 4d 3h 29min 57s). Updates for this repository will not be applied."
)
# VERBATIM  https://github.com/BerkeleyAutomation/FogROS2/issues/20 (real pid 4750, not 1234)
ERR_DPKG_LOCK_UNATTENDED = (
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4750 (unattended-upgr)\n"
    "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?"
)
# VERBATIM prefix  https://github.com/fscarmen/warp-sh/issues/162 (apt's progress line while it waits)
ERR_DPKG_LOCK_WAITING = (
    "Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. "
    "It is held by process 7956 (unattended-upgr)"
)
# VERBATIM  Ubuntu noble InRelease header field (as quoted in a public apt-parsing test; repo not identified)
APT_RELEASE_DATE_NOBLE = "Thu, 25 Apr 2024 15:10:33 UTC"
# VERBATIM  `apt-cache policy` on the project's twin with a legacy copy of NVIDIA's list beside the current one
APT_LIST_TWICE = (
    "W: Target Packages (Packages) is configured multiple times in "
    "/etc/apt/sources.list.d/nvidia-container-toolkit.list:1 and /etc/apt/sources.list.d/nvidia-docker.list:1"
)
