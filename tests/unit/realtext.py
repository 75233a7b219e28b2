"""Real-world text for unit tests: WSL2 + Docker Engine + NVIDIA Container Toolkit.

Every constant has a one-line comment naming where the text came from.
Convention:
  * VERBATIM   -- copied character-for-character from the cited source.
  * DERIVED    -- not seen verbatim; computed from the cited source code or
                  template (e.g. a variable substituted).  Treat as a best
                  reconstruction, not as an observed artefact.
Sources were read through a stored index of public GitHub repos / issue
threads / doc pages, not the live web; "as stored" versions may lag upstream.
"""

# ---------------------------------------------------------------------------
# 1. Kernel strings  (/proc/sys/kernel/osrelease == `uname -r`)
# ---------------------------------------------------------------------------

# VERBATIM  https://github.com/microsoft/WSL/issues/12859 ("Kernel Version" field, WSL 2.4.13.0)
WSL2_OSRELEASE_5_15_167_4 = "5.15.167.4-microsoft-standard-WSL2"
# VERBATIM  https://github.com/dorssel/usbipd-win/issues/727 (title: "... not found in tags"; user's `uname -r`)
WSL2_OSRELEASE_5_15_90_1 = "5.15.90.1-microsoft-standard-WSL2"
# VERBATIM  https://github.com/docker/for-win/issues/12642 ("$ uname -r" output)
WSL2_OSRELEASE_5_10_102_1 = "5.10.102.1-microsoft-standard-WSL2"
# VERBATIM  https://github.com/leoheck/kiri/pull/28 (from the user's /proc/version)
WSL2_OSRELEASE_5_4_72 = "5.4.72-microsoft-standard-WSL2"
# VERBATIM  https://github.com/dockcross/dockcross/issues/451 (pre-"-WSL2" suffix era, lower-case "microsoft")
WSL2_OSRELEASE_4_19_128 = "4.19.128-microsoft-standard"
# VERBATIM  https://github.com/kivy/buildozer/pull/1220 ("For WSL 2: uname()[2] = '4.19.104-microsoft-standard'")
WSL2_OSRELEASE_4_19_104 = "4.19.104-microsoft-standard"
# VERBATIM  https://github.com/openai/codex/issues/16211 ("Linux 6.6.87.2-microsoft-standard-WSL2 x86_64 x86_64")
WSL2_OSRELEASE_6_6_87_2 = "6.6.87.2-microsoft-standard-WSL2"
# VERBATIM  https://github.com/microsoft/WSL/issues/10289 (WSL 2 user, custom-looking kernel WITHOUT "-WSL2" suffix)
WSL2_OSRELEASE_6_1_38_NO_SUFFIX = "6.1.38-microsoft-standard"
# NOTE: "5.10.16.3-microsoft-standard-WSL2" appears in many public repos (code search), and
# NVIDIA/nvidia-container-toolkit#289 says "Linux version is 5.10.16.3", but no citable
# issue/doc with the full osrelease string was found.  Kept for convenience, NOT sourced:
WSL2_OSRELEASE_5_10_16_3_UNSOURCED = "5.10.16.3-microsoft-standard-WSL2"

# VERBATIM  https://github.com/microsoft/WSL/issues/5145 ("/lib/modules/4.4.0-19041-Microsoft/build"); also WSL#5554
WSL1_OSRELEASE_19041 = "4.4.0-19041-Microsoft"
# VERBATIM  https://github.com/openai/codex/issues/16076 ("Linux 4.4.0-22621-Microsoft x86_64 x86_64", WSL1)
WSL1_OSRELEASE_22621 = "4.4.0-22621-Microsoft"
# VERBATIM  https://github.com/kivy/buildozer/pull/1220 and https://github.com/paulirish/git-open/pull/158
WSL1_OSRELEASE_18362 = "4.4.0-18362-Microsoft"
# VERBATIM  https://github.com/4U6U57/wsl-open/pull/4 (`uname -r` in WSL1)
WSL1_OSRELEASE_18985 = "4.4.0-18985-Microsoft"

# VERBATIM  https://github.com/nullpo-head/wsl-distrod/issues/69 ("Linux kernel version" field, `uname -a` on WSL1)
WSL1_UNAME_A_19041 = (
    "Linux WSL1 4.4.0-19041-Microsoft #1237-Microsoft Sat Sep 11 14:32:00 PST 2021 "
    "x86_64 x86_64 x86_64 GNU/Linux"
)

# VERBATIM  https://github.com/microsoft/WSL/issues/4555 (comment by therealkenc: "So WSL1 looks like:")
WSL1_PROC_VERSION = (
    "Linux version 4.4.0-18985-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) "
    "#1-Microsoft Fri Sep 13 14:26:00 PST 2019"
)
# VERBATIM  https://github.com/microsoft/WSL/issues/4555 (same comment: "While WSL2:")
WSL2_PROC_VERSION_4_19_67 = (
    "Linux version 4.19.67-microsoft-standard (oe-user@oe-host) (gcc version 8.2.0 (GCC)) "
    "#1 SMP Sun Aug 18 13:37:54 UTC 2019"
)
# VERBATIM  https://github.com/dockcross/dockcross/issues/451
WSL2_PROC_VERSION_4_19_128 = (
    "Linux version 4.19.128-microsoft-standard (oe-user@oe-host) (gcc version 8.2.0 (GCC)) "
    "#1 SMP Tue Jun 23 12:58:10 UTC 2020"
)
# VERBATIM  https://github.com/leoheck/kiri/pull/28
WSL2_PROC_VERSION_5_4_72 = (
    "Linux version 5.4.72-microsoft-standard-WSL2 (oe-user@oe-host) (gcc version 8.2.0 (GCC)) "
    "#1 SMP Wed Oct 28 23:40:43 UTC 2020"
)
# VERBATIM  https://github.com/microsoft/WSL/issues/14339 ("Kernel Version" field; note TWO spaces in "Jun  5")
WSL2_PROC_VERSION_6_6_87_2 = (
    "Linux version 6.6.87.2-microsoft-standard-WSL2 (root@439a258ad544) (gcc (GCC) 11.2.0, "
    "GNU ld (GNU Binutils) 2.37) #1 SMP PREEMPT_DYNAMIC Thu Jun  5 18:30:46 UTC 2025"
)
# VERBATIM  https://github.com/microsoft/WSL/issues/8361 (self-built kernel: builder is a user@host, not oe-user)
WSL2_PROC_VERSION_CUSTOM_4_19_104 = (
    "Linux version 4.19.104-microsoft-standard (jkp@DESKTOP-DKG6ENQ) "
    "(gcc version 7.5.0 (Ubuntu 7.5.0-3ubuntu1~18.04)) #5 SMP Mon Jun 15 23:43:17 CEST 2020"
)

# Minimum WSL kernel for CUDA.  VERBATIM from Microsoft Learn "Enable NVIDIA CUDA on WSL"
# https://learn.microsoft.com/en-us/windows/ai/directml/gpu-cuda-in-wsl (text seen via copies in the index)
MS_CUDA_MIN_KERNEL_QUOTE = (
    "For these features, you need a kernel version of 5.10.43.3 or higher. "
    "You can check the version number by running the following command in PowerShell."
)
MS_CUDA_MIN_KERNEL = "5.10.43.3"  # from the quote above (Microsoft's statement, not NVIDIA's)
# VERBATIM  https://docs.nvidia.com/cuda/archive/11.4.4/wsl-user-guide/index.html (NVIDIA's older, lower bar)
NVIDIA_CUDA_WSL_OLD_KERNEL_QUOTE = "Ensure you are on the latest WSL Kernel or at least 4.19.121+."

# ---------------------------------------------------------------------------
# 2. nvidia-ctk runtime configure --runtime=docker  ->  /etc/docker/daemon.json
# ---------------------------------------------------------------------------
# Code facts (NVIDIA/nvidia-container-toolkit):
#  * cmd/nvidia-ctk/runtime/configure/configure.go: default --nvidia-runtime-path is
#    defaultNVIDIARuntimeExecutable = "nvidia-container-runtime" (bare name, NOT absolute, for docker;
#    containerd/crio get /usr/bin/nvidia-container-runtime); default name "nvidia";
#    --set-as-default is an alias of --nvidia-set-as-default (default false);
#    defaultDockerConfigFilePath = "/etc/docker/daemon.json".
#  * pkg/config/engine/docker/option.go: missing file -> empty map ("Config file does not exist; using
#    empty config"); existing file -> json.NewDecoder(...).Decode(&cfg) into map[string]interface{}
#    (so a 0-byte file yields io.EOF and the command fails -- inferred from code, not observed).
#  * pkg/config/engine/docker/docker.go AddRuntime: keeps all other keys, replaces runtimes[name]
#    with {"path": path, "args": []string{}}; sets "default-runtime" only when setAsDefault.
#  * Save: json.MarshalIndent(c, "", "    ")  -> 4-space indent, map keys sorted, "args": [] present,
#    Go HTML-escapes <,>,& as \u003c etc., numbers round-trip through float64.
#  * pkg/config/engine/config.go Write: f.Write(output) -- NO trailing newline when writing a file
#    (a "\n" is only added when printing to stdout for --dry-run); MkdirAll(dir, 0755); os.Create.

# VERBATIM  NVIDIA/nvidia-container-toolkit pkg/config/engine/docker/docker.go (AddRuntime body)
NVIDIA_CTK_DOCKER_ADDRUNTIME_GO = '''\t// Add / update the runtime definitions
\truntimes[name] = map[string]interface{}{
\t\t"path": path,
\t\t"args": []string{},
\t}

\tconfig["runtimes"] = runtimes

\tif setAsDefault {
\t\tconfig["default-runtime"] = name
\t}'''
# VERBATIM  NVIDIA/nvidia-container-toolkit pkg/config/engine/docker/docker.go (Save)
NVIDIA_CTK_DOCKER_SAVE_GO = '\toutput, err := json.MarshalIndent(c, "", "    ")'
# VERBATIM  NVIDIA/nvidia-container-toolkit pkg/config/engine/config.go (Write, file branch ends with)
NVIDIA_CTK_CONFIG_WRITE_GO = "\treturn f.Write(output)"

# Empty/absent daemon.json, no --set-as-default.  Content VERBATIM as posted in
# https://github.com/NVIDIA/nvidia-container-toolkit/issues/378 (after `sudo nvidia-ctk runtime configure
# --runtime=docker`); exact bytes (no trailing newline) DERIVED from config.go Write.
DAEMON_JSON_NVIDIA_CTK_FRESH = (
    '{\n'
    '    "runtimes": {\n'
    '        "nvidia": {\n'
    '            "args": [],\n'
    '            "path": "nvidia-container-runtime"\n'
    '        }\n'
    '    }\n'
    '}'
)
# DERIVED  same code path with --set-as-default (sorted keys: "default-runtime" < "runtimes")
DAEMON_JSON_NVIDIA_CTK_FRESH_DEFAULT = (
    '{\n'
    '    "default-runtime": "nvidia",\n'
    '    "runtimes": {\n'
    '        "nvidia": {\n'
    '            "args": [],\n'
    '            "path": "nvidia-container-runtime"\n'
    '        }\n'
    '    }\n'
    '}'
)
# Input VERBATIM from NVIDIA/nvidia-container-toolkit pkg/config/engine/docker/docker_test.go
# (TestUpdateConfigRuntimes case with exec-opts/log-driver/log-opts/storage-driver)
DAEMON_JSON_EXISTING_INPUT = (
    '{"exec-opts": ["native.cgroupdriver=systemd"], "log-driver": "json-file", '
    '"log-opts": {"max-size": "100m"}, "storage-driver": "overlay2"}'
)
# DERIVED  bytes nvidia-ctk would write for the input above (keys re-sorted, existing keys kept)
DAEMON_JSON_EXISTING_AFTER_NVIDIA_CTK = (
    '{\n'
    '    "exec-opts": [\n'
    '        "native.cgroupdriver=systemd"\n'
    '    ],\n'
    '    "log-driver": "json-file",\n'
    '    "log-opts": {\n'
    '        "max-size": "100m"\n'
    '    },\n'
    '    "runtimes": {\n'
    '        "nvidia": {\n'
    '            "args": [],\n'
    '            "path": "nvidia-container-runtime"\n'
    '        }\n'
    '    },\n'
    '    "storage-driver": "overlay2"\n'
    '}'
)
# VERBATIM  NVIDIA docs (NVIDIA/cloud-native-docs container-toolkit/install-guide.md, "Configuring Docker")
NVIDIA_DOCS_CONFIGURE_DOCKER = (
    "The `nvidia-ctk` command modifies the `/etc/docker/daemon.json` file on the host.\n"
    "The file is updated so that Docker can use the NVIDIA Container Runtime."
)
# VERBATIM  https://github.com/NVIDIA/nvidia-docker/issues/1420 (maintainer elezar: "`args` is the correct entry.")
NVIDIA_ARGS_NOT_RUNTIMEARGS_QUOTE = "`args` is the correct entry."
# VERBATIM  legacy hand-written form (NVIDIA user-guide "Daemon configuration file"), uses runtimeArgs + abs path
DAEMON_JSON_LEGACY_DOCS = (
    '{\n'
    '    "runtimes": {\n'
    '        "nvidia": {\n'
    '            "path": "/usr/bin/nvidia-container-runtime",\n'
    '            "runtimeArgs": []\n'
    '        }\n'
    '    }\n'
    '}'
)  # https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/user-guide.html

# ---------------------------------------------------------------------------
# 3. Docker Desktop WSL integration
# ---------------------------------------------------------------------------
DD_CLI_TOOLS_DOCKER = "/mnt/wsl/docker-desktop/cli-tools/usr/bin/docker"  # docker/for-win#6441 (path)
# VERBATIM  https://github.com/docker/for-win/issues/6441
DD_DANGLING_SYMLINK_QUOTE = (
    "Looking around, I see a dangling symlink from `/usr/bin/docker` to "
    "`/mnt/wsl/docker-desktop/cli-tools/usr/bin/docker`. In fact, `/mnt/wsl/docker-desktop/cli-tools/` is empty."
)
# VERBATIM  https://github.com/docker/for-win/issues/12578 (title)
DD_CLI_TOOLS_EMPTY_TITLE = "/mnt/wsl/docker-desktop/cli-tools/ is empty"
# VERBATIM  https://github.com/docker/for-win/issues/12642 (shim printed when integration is off/not ready)
DD_DOCKER_NOT_FOUND_MSG = (
    "The command 'docker' could not be found in this WSL 2 distro.\n"
    "We recommend to activate the WSL integration in Docker Desktop settings.\n"
    "\n"
    "For details about using Docker Desktop with WSL 2, visit:\n"
    "\n"
    "https://docs.docker.com/go/wsl2/"
)
# VERBATIM  https://github.com/docker/for-win/issues/9824 (older variant; `which docker` there was
# /mnt/c/ProgramData/DockerDesktop/version-bin/docker)
DD_DOCKER_NOT_FOUND_MSG_OLD = (
    "The command 'docker' could not be found in this WSL 2 distro.\n"
    "We recommend to activate the WSL integration in Docker Desktop settings.\n"
    "\n"
    "See https://docs.docker.com/docker-for-windows/wsl/ for details."
)
# VERBATIM  https://github.com/docker/desktop-feedback/issues/440 (the Windows-side shim found via PATH)
DD_WINDOWS_SHIM_PATH = "/mnt/c/Program Files/Docker/Docker/resources/bin/docker"
# VERBATIM  https://github.com/docker/desktop-feedback/issues/440 (first lines of that shim, as quoted)
DD_WINDOWS_SHIM_HEAD = '''#!/usr/bin/env sh
#
# Copyright (c) Docker Inc.

binary=$(basename "$0")
case "$(uname -r)" in
\t*microsoft* )
\t\t# WSL 2
\t\tif [ -f "/usr/bin/$binary" ]; then'''
# VERBATIM  docker/docs content/manuals/desktop/features/wsl/_index.md ("Enable Docker in a WSL 2 distribution")
DD_DOCS_WSL_INTEGRATION_STEP = "When Docker Desktop starts, go to **Settings** > **Resources** > **WSL Integration**."
# VERBATIM  same file
DD_DOCS_DEFAULT_DISTRO = (
    "The Docker-WSL integration is enabled on the default WSL distribution, which is "
    "[Ubuntu](https://learn.microsoft.com/en-us/windows/wsl/install)."
)
# VERBATIM  same file (before installing Docker Desktop)
DD_DOCS_UNINSTALL_ENGINE_FIRST = (
    "Before installing Docker Desktop, uninstall any version of Docker Engine or the Docker CLI\n"
    "that was installed directly inside a WSL Linux distribution. Running both can cause conflicts."
)
# UI labels, VERBATIM as quoted by many READMEs (e.g. code-search hits); docs do not spell out "disable":
# turning integration off for one distro = untick it under this list, then Apply & Restart.
DD_UI_DEFAULT_DISTRO_TOGGLE = "Enable integration with my default WSL distro"
DD_UI_ADDITIONAL_DISTROS = "Enable integration with additional distros:"

# ---------------------------------------------------------------------------
# 4. get.docker.com  (docker/docker-install install.sh)
# ---------------------------------------------------------------------------
# Source: get.docker.com as uploaded with SCRIPT_COMMIT_SHA="53a22f61c0628e58e1d6680b49e82993d304b449"
# (a verbatim copy found via code search; the docker/docker-install install.sh version stored in the
# index was older and still used /etc/apt/keyrings/docker.gpg + gpg --dearmor).

# VERBATIM  apt repo line template
GET_DOCKER_APT_REPO_TEMPLATE = (
    'apt_repo="deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] '
    '$DOWNLOAD_URL/linux/$lsb_dist $dist_version $CHANNEL"'
)
# VERBATIM  how it is written and how the key is fetched
GET_DOCKER_APT_SETUP = '''\t\t\t\t$sh_c 'apt-get -qq update >/dev/null'
\t\t\t\t$sh_c "DEBIAN_FRONTEND=noninteractive apt-get -y -qq install $pre_reqs >/dev/null"
\t\t\t\t$sh_c 'install -m 0755 -d /etc/apt/keyrings'
\t\t\t\t$sh_c "curl -fsSL \\"$DOWNLOAD_URL/linux/$lsb_dist/gpg\\" -o /etc/apt/keyrings/docker.asc"
\t\t\t\t$sh_c "chmod a+r /etc/apt/keyrings/docker.asc"
\t\t\t\t$sh_c "echo \\"$apt_repo\\" > /etc/apt/sources.list.d/docker.list"
\t\t\t\t$sh_c 'apt-get -qq update >/dev/null\''''
# DERIVED  rendered docker.list for Ubuntu 24.04 amd64, default env (trailing "\n" from echo)
GET_DOCKER_LIST_UBUNTU_NOBLE = (
    "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] "
    "https://download.docker.com/linux/ubuntu noble stable\n"
)
# VERBATIM  older upstream form (docker/docker-install install.sh @0095742fb5d9)
GET_DOCKER_APT_REPO_TEMPLATE_OLD = (
    'apt_repo="deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.gpg] '
    '$DOWNLOAD_URL/linux/$lsb_dist $dist_version $CHANNEL"'
)
# VERBATIM  env handling (VERSION strips leading "v"; CHANNEL must be stable|test; mirrors override URL)
GET_DOCKER_ENV = '''# strip "v" prefix if present
VERSION="${VERSION#v}"'''
GET_DOCKER_CHANNEL = '''DEFAULT_CHANNEL_VALUE="stable"
if [ -z "$CHANNEL" ]; then
\tCHANNEL=$DEFAULT_CHANNEL_VALUE
fi

DEFAULT_DOWNLOAD_URL="https://download.docker.com"
if [ -z "$DOWNLOAD_URL" ]; then
\tDOWNLOAD_URL=$DEFAULT_DOWNLOAD_URL
fi'''
GET_DOCKER_BAD_CHANNEL_MSG = ">&2 echo \"unknown CHANNEL '$CHANNEL': use either stable or test.\""  # VERBATIM
GET_DOCKER_VERSION_NOT_FOUND_MSG = "ERROR: '$VERSION' not found amongst apt-cache madison results"  # VERBATIM
# VERBATIM  VERSION -> apt pattern (e.g. 27.3 -> grep '27.3'; "-" becomes ".*")
GET_DOCKER_PKG_PATTERN = "pkg_pattern=\"$(echo \"$VERSION\" | sed 's/-ce-/~ce~.*/g' | sed 's/-/.*/g')\""
# Packages (VERBATIM logic): docker-ce[=v]; >=18.09 docker-ce-cli[=v] containerd.io;
# >=20.10 docker-compose-plugin docker-ce-rootless-extras[=v]; >=23.0 docker-buildx-plugin.
# (A newer script copy adds docker-model-plugin for version_gte 28.2 -- seen only in code search.)
GET_DOCKER_APT_PACKAGES_LATEST = [
    "docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin",
    "docker-ce-rootless-extras", "docker-buildx-plugin",
]
# VERBATIM  WSL detection
GET_DOCKER_IS_WSL = '''is_wsl() {
\tcase "$(uname -r)" in
\t*microsoft* ) true ;; # WSL 2
\t*Microsoft* ) true ;; # WSL 1
\t* ) false;;
\tesac
}'''
# VERBATIM  WSL warning block (stdout lines, then stderr heredoc, then a traced 20 s sleep)
GET_DOCKER_WSL_BLOCK = '''\tif is_wsl; then
\t\techo
\t\techo "WSL DETECTED: We recommend using Docker Desktop for Windows."
\t\techo "Please get Docker Desktop from https://www.docker.com/products/docker-desktop/"
\t\techo
\t\tcat >&2 <<-'EOF'

\t\t\tYou may press Ctrl+C now to abort this script.
\t\tEOF
\t\t( set -x; sleep 20 )
\tfi'''
GET_DOCKER_WSL_DETECTED_LINE = "WSL DETECTED: We recommend using Docker Desktop for Windows."  # VERBATIM
# VERBATIM  older script printed the URL without the trailing slash (docker-install @0095742fb5d9)
GET_DOCKER_WSL_URL_LINE_OLD = "Please get Docker Desktop from https://www.docker.com/products/docker-desktop"
# VERBATIM  the "docker already exists" warning also sleeps 20 s (same script)
GET_DOCKER_ALREADY_INSTALLED_FIRST_LINE = 'Warning: the "docker" command appears to already exist on this system.'

# ---------------------------------------------------------------------------
# 5. NVIDIA Container Toolkit apt repo
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
# 6. Key fingerprints
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
# 7. Real error messages
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/microsoft/WSL/issues/14339 (also #9938, #10289, #12859; #9962 = inside docker)
ERR_NVML_BLOCKED = (
    "Failed to initialize NVML: GPU access blocked by the operating system\n"
    "Failed to properly shut down NVML: GPU access blocked by the operating system"
)
# VERBATIM  https://github.com/microsoft/WSL/issues/11229 (printed by ldconfig on every dpkg trigger)
ERR_LIBCUDA_NOT_SYMLINK = "ldconfig: /usr/lib/wsl/lib/libcuda.so.1 is not a symbolic link"
# VERBATIM  https://github.com/mahbub-aumi/tensorflow-cuda-wsl-ubuntu24.04/issues/2 (Ubuntu's ldconfig.real prefix)
ERR_LIBCUDA_NOT_SYMLINK_REAL = "/sbin/ldconfig.real: /usr/lib/wsl/lib/libcuda.so.1 is not a symbolic link"
# VERBATIM  https://github.com/NVIDIA/nvidia-docker/issues/1410 (no nvidia toolkit/hook registered)
ERR_NO_GPU_DRIVER = (
    'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].\n'
    "ERROR[0000] error waiting for container: context canceled"
)
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/378 (quoted by maintainer elezar)
ERR_UNKNOWN_RUNTIME = "docker: Error response from daemon: unknown or invalid runtime name: nvidia."
# VERBATIM  https://github.com/NVIDIA/nvidia-docker/issues/501 (older dockerd wording)
ERR_UNKNOWN_RUNTIME_OLD = "docker: Error response from daemon: Unknown runtime specified nvidia.\nSee 'docker run --help'."
# VERBATIM  https://github.com/AbdBarho/stable-diffusion-webui-docker/issues/117 (WSL1 / no GPU-PV adapter)
ERR_WSL_NO_ADAPTERS = (
    "Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: "
    "unable to start container process: error during container init: error running hook #0: error running hook: "
    "exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\n"
    "nvidia-container-cli: initialization error: WSL environment detected but no adapters were found: unknown"
)
ERR_WSL_NO_ADAPTERS_CORE = "WSL environment detected but no adapters were found"  # substring of the above
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/289 (WSL2, image ships its own libnvidia-ml)
ERR_LIBNVIDIA_ML_EXISTS = (
    "docker: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container "
    "process caused: process_linux.go:545: container init caused: Running hook #0:: error running hook: exit "
    "status 1, stdout: , stderr: nvidia-container-cli: mount error: file creation failed: "
    "/var/lib/docker/overlay2/706b1d1b6de681b6daf1cab979336a9d465d9b333962cc17db663f2e334d5776/merged/usr/lib/"
    "x86_64-linux-gnu/libnvidia-ml.so.1: file exists: unknown."
)
# VERBATIM  https://github.com/microsoft/WSL/issues/3707 (comment: `sudo systemctl start docker` without systemd)
ERR_NO_SYSTEMD = (
    "System has not been booted with systemd as init system (PID 1). Can't operate.\n"
    "Failed to connect to bus: Host is down"
)
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

# ---------------------------------------------------------------------------
# 8. nvidia-smi -L and docker info runtimes
# ---------------------------------------------------------------------------
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

# VERBATIM  longpt233/hello-k8s 06-kube-gpu/mig/docker.sh (`docker info`, Docker 24.0.7 with toolkit)
DOCKER_INFO_RUNTIMES_TEXT_WITH_NVIDIA = " Runtimes: io.containerd.runc.v2 nvidia runc\n Default Runtime: runc"
# VERBATIM  https://github.com/docker/for-linux/issues/1531 (daemon.json had nvidia but daemon didn't load it)
DOCKER_INFO_RUNTIMES_TEXT_WITHOUT_NVIDIA = " Runtimes: io.containerd.runc.v2 runc\n Default Runtime: runc"
# DERIVED  `docker info --format '{{json .Runtimes}}'` (Go template json adds "\n"; map keys sorted).
# Same object seen embedded in a real Docker Desktop 28.2.2 `docker info` JSON dump (code search, repo
# not identified).  CAVEAT: from Docker 25 / API 1.44 the daemon may add
# "status":{"org.opencontainers.runtime-spec.features":"<json string>"} to entries (moby API spec
# "Runtime.status"), so parse as JSON; don't string-compare.
DOCKER_INFO_RUNTIMES_JSON_WITH_NVIDIA = (
    '{"io.containerd.runc.v2":{"path":"runc"},"nvidia":{"path":"nvidia-container-runtime"},'
    '"runc":{"path":"runc"}}\n'
)
DOCKER_INFO_RUNTIMES_JSON_WITHOUT_NVIDIA = '{"io.containerd.runc.v2":{"path":"runc"},"runc":{"path":"runc"}}\n'  # DERIVED

# ---------------------------------------------------------------------------
# 9a. dockerd refusing a configuration: `dockerd --validate`, and the journal of a failed start
# ---------------------------------------------------------------------------
# VERBATIM  stderr of `dockerd --validate --config-file F` (exit 0), Debian 13's docker.io 26.1.5+dfsg1-9+deb13u1
# run on the project's test machine
DOCKERD_26_VALIDATE_OK = "configuration OK"
# VERBATIM  the same dockerd (exit 1) on {"bridge": "none", "iptables": false, "ip-masq": false,
# "no-such-option": true} and on {"log-level": "nonsense"}, the file given as unk.json and lvl.json
DOCKERD_26_VALIDATE_UNKNOWN = (
    "unable to configure the Docker daemon with file unk.json: the following directives don't match "
    "any configuration option: no-such-option"
)
DOCKERD_26_VALIDATE_LOG_LEVEL = (
    "unable to configure the Docker daemon with file lvl.json: merged configuration validation from file "
    "and command line flags failed: invalid logging level: nonsense"
)
# VERBATIM  https://github.com/docker/docs/issues/19398 (`dockerd --validate`, Docker 25.0.3)
DOCKERD_25_VALIDATE_UNKNOWN = (
    "unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives "
    "don't match any configuration option: containerd-plugin-namespace"
)
# VERBATIM  stderr of `dockerd --validate --config-file F` (exit 1), Debian 12's docker.io 20.10.24+dfsg1,
# which predates the flag, on the project's test machine
DOCKERD_20_VALIDATE = "Status: unknown flag: --validate\nSee 'dockerd --help'., Code: 125"
# VERBATIM  `journalctl _SYSTEMD_UNIT=docker.service -o cat` on the project's twin (Debian 12's docker.io
# 20.10.24 as docker-ce, vfs): the engine's last good start and stop, then `systemctl restart` with
# "log-level": "nonsense" in daemon.json, twice as systemd restarts it (some grpc lines left out).
JOURNAL_DOCKERD_20_LOG_LEVEL = """\
time="2026-12-01T19:52:51.153560919Z" level=info msg="Starting up"
time="2026-12-01T19:52:51.155688224Z" level=info msg="[core] parsed scheme: \\"unix\\"" module=grpc
time="2026-12-01T19:52:51.158280527Z" level=info msg="[core] Channel Connectivity change to READY" module=grpc
time="2026-12-01T19:52:51.163042053Z" level=error msg="failed to mount overlay: invalid argument" storage-driver=overlay2
time="2026-12-01T19:52:51.163141568Z" level=error msg="exec: \\"fuse-overlayfs\\": executable file not found in $PATH" storage-driver=fuse-overlayfs
time="2026-12-01T19:52:51.163368763Z" level=error msg="AUFS was not found in /proc/filesystems" storage-driver=aufs
time="2026-12-01T19:52:51.177006913Z" level=error msg="failed to mount overlay: invalid argument" storage-driver=overlay
time="2026-12-01T19:52:51.189691211Z" level=warning msg="Your kernel does not support cgroup blkio weight"
time="2026-12-01T19:52:51.190117307Z" level=warning msg="Your kernel does not support cgroup blkio weight_device"
time="2026-12-01T19:52:51.194038202Z" level=info msg="Loading containers: start."
time="2026-12-01T19:52:51.198710592Z" level=info msg="Loading containers: done."
time="2026-12-01T19:52:51.216949838Z" level=info msg="Docker daemon" commit=5d6db84 graphdriver(s)=vfs version=20.10.24+dfsg1
time="2026-12-01T19:52:51.217012335Z" level=info msg="Daemon has completed initialization"
time="2026-12-01T19:52:51.264767896Z" level=info msg="API listen on /run/docker.sock"
time="2026-12-01T19:52:53.681557756Z" level=info msg="Processing signal 'terminated'"
time="2026-12-01T19:52:53.688725578Z" level=info msg="Daemon shutdown complete"
time="2026-12-01T19:52:53.689381243Z" level=info msg="stopping event stream following graceful shutdown" error="context canceled" module=libcontainerd namespace=plugins.moby
unable to parse logging level: nonsense
unable to parse logging level: nonsense
"""
# VERBATIM  the same twin, with "no-such-option": true instead (its last lines)
JOURNAL_DOCKERD_20_UNKNOWN_TAIL = """\
time="2026-12-01T19:52:55.842621187Z" level=info msg="Daemon shutdown complete"
unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives don't match any configuration option: no-such-option
"""
# DERIVED  the twin's lines above before a failed start, ending in the line Debian 13's dockerd 26.1.5
# prints for "log-level": "nonsense" (VERBATIM from running it, with the path of the file put in)
JOURNAL_DOCKERD_26_LOG_LEVEL = JOURNAL_DOCKERD_20_LOG_LEVEL.rsplit("unable to parse", 2)[0] + (
    "unable to configure the Docker daemon with file /etc/docker/daemon.json: merged configuration "
    "validation from file and command line flags failed: invalid logging level: nonsense\n"
)
# VERBATIM message part of https://github.com/moby/moby/issues/40904 (`journalctl -b -u docker.service`;
# the first line as posted, cut short; the second without its "May 05 05:35:32 master1 dockerd[492]: ")
JOURNAL_DOCKERD_GRAPHDRIVER = (
    'level=error msg="failed to mount overlay: permission denied" storage-drive\n'
    "failed to start daemon: error initializing graphdriver: driver not supported\n"
)

# ---------------------------------------------------------------------------
# 9. Doctor: more real output and errors, layer by layer
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/microsoft/WSL/issues/13027 (`nvidia-smi` in WSL, one GPU in TCC mode)
ERR_SMI_NO_DEVICES = (
    "Unable to determine the device handle for GPU0: 0000:C1:00.0: Unknown Error\n"
    "Unable to determine the device handle for GPU1: 0000:E1:00.0: Unknown Error\n"
    "No devices were found"
)
# VERBATIM  https://github.com/microsoft/WSL/issues/6014 (`ldconfig -p | grep cuda` in WSL2)
LDCONFIG_P_WSL = (
    "        libicudata.so.66 (libc6,x86-64) => /lib/x86_64-linux-gnu/libicudata.so.66\n"
    "        libcuda.so.1 (libc6,x86-64) => /usr/lib/wsl/lib/libcuda.so.1"
)
# VERBATIM  triton-lang/triton third_party/nvidia/backend/driver.py (comment: "each line looks like the
# following:"), the libcuda of a Linux driver package
LDCONFIG_P_LINUX_DRIVER = "libcuda.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcuda.so.1"
# VERBATIM  Ubuntu noble InRelease header field (as quoted in a public apt-parsing test; repo not identified)
APT_RELEASE_DATE_NOBLE = "Thu, 25 Apr 2024 15:10:33 UTC"
# VERBATIM  https://github.com/microsoft/WSL/issues/4245 (benhillis, WSL team: the clock workaround)
WSL_CLOCK_WORKAROUND = 'Issue is being debugged, in the meantime I suggest using "sudo hwclock -s" as needed.'
# VERBATIM  https://docs.docker.com/config/daemon/troubleshoot/ ("Troubleshoot conflicts between the
# daemon.json and startup scripts"; one line here, wrapped in the page)
ERR_DAEMON_HOSTS_CONFLICT = (
    "unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives "
    "are specified both as a flag and in the configuration file: hosts: (from flag: "
    "[unix:///var/run/docker.sock], from file: [tcp://127.0.0.1:2376])"
)
# VERBATIM  https://gist.github.com/ravibhure/01181d8b1915998d802d32013db31f42 (journalctl -u docker.service)
ERR_DAEMON_HOSTS_CONFLICT_FD = (
    "unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives "
    "are specified both as a flag and in the configuration file: hosts: (from flag: [fd://], from file: "
    "[unix:///var/run/docker.sock])"
)
# VERBATIM  https://gist.github.com/paulcalabro/75ab25e47fcdaae0572b4ad311a1d210 (`systemctl cat docker.service`)
DOCKER_SERVICE_EXECSTART_H = "ExecStart=/usr/bin/dockerd -H fd://"
# VERBATIM  `systemctl show docker.service -p ExecStart --value`, observed on the project's twin
# (Debian bookworm's docker.io 20.10.24 unit, which passes -H fd:// like the unit above)
DOCKER_SERVICE_SHOW_EXECSTART_H = (
    "{ path=/usr/sbin/dockerd ; argv[]=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock "
    "$DOCKER_OPTS ; ignore_errors=no ; start_time=[Wed 2026-11-25 05:39:54 UTC] ; stop_time=[n/a] ; "
    "pid=2726 ; code=(null) ; status=0/0 }"
)
# VERBATIM  https://github.com/docker/for-linux/issues/1437 (WSL Ubuntu 22.04: the legacy backend fails)
ERR_IPTABLES_LEGACY_NO_TABLE = (
    "iptables v1.8.7 (legacy): can't initialize iptables table `nat': Table does not exist "
    "(do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded."
)
# VERBATIM  https://github.com/P0cL4bs/wifipumpkin3/issues/96 (`iptables -t nat -L` fails on nf_tables
# while `iptables-legacy -t nat -L` lists the chains)
ERR_IPTABLES_NFT_GENERATION = "iptables v1.8.5 (nf_tables): Could not fetch rule set generation id: Invalid argument"
# VERBATIM  https://github.com/docker/docs/issues/14963 (Ubuntu 22.04 in WSL: dockerd on iptables-nft)
ERR_DOCKERD_IPTABLES_NFT = (
    "failed to start daemon: Error initializing network controller: error obtaining controller instance: "
    "unable to add return rule in DOCKER-ISOLATION-STAGE-1 chain:  (iptables failed: iptables --wait -A "
    "DOCKER-ISOLATION-STAGE-1 -j RETURN: iptables v1.8.7 (nf_tables):  RULE_APPEND failed (No such file or "
    "directory): rule in chain DOCKER-ISOLATION-STAGE-1\n (exit status 4))"
)
# VERBATIM  https://github.com/kata-containers/tests/issues/3847 (added to the docker group, "it doesn't
# work until relogin the session")
ERR_DOCKER_SOCKET_PERMISSION = (
    'docker: Got permission denied while trying to connect to the Docker daemon socket at '
    'unix:///var/run/docker.sock: Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/create": '
    "dial unix /var/run/docker.sock: connect: permission denied"
)
# VERBATIM  https://github.com/docker/for-linux/issues/1406 (WSL Ubuntu 22.04, engine not running)
ERR_DOCKER_NOT_RUNNING = (
    "docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?."
)
# VERBATIM  https://github.com/microsoft/WSL/issues/9938 (comment: the GPU-blocked error inside containers)
NO_CGROUPS_WSL_FIX = "Inside the file /etc/nvidia-container-runtime/config.toml change no-cgroups from true to false"
# VERBATIM  https://gist.github.com/tom-doerr/b706c4d3782d620fdb3908e082a78359 (config.toml for rootless docker)
TOOLKIT_CONFIG_NO_CGROUPS_TRUE = (
    "disable-require = false\n"
    '#swarm-resource = "DOCKER_RESOURCE_GPU"\n'
    "[nvidia-container-cli]\n"
    "no-cgroups = true\n"
    '#root = "/run/nvidia/driver"\n'
)
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/53 (title and first lines)
TOOLKIT_1_12_1_WSL = (
    "Docker containers fail to start in WSL2 with CUDA images.\n\n"
    "Docker freezes during start. When I kill `nvidia-container-cli` it reports segfault.\n\n"
    "The issue occurs with 1.12.1+. There is no such problem in 1.12.0."
)
# VERBATIM  NVIDIA/nvidia-container-toolkit CHANGELOG.md, v1.13.0-rc.2 (the fix for the above)
TOOLKIT_1_13_WSL_FIX = "* [libnvidia-container] Fix segfault on WSL2 systems"
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/520 (cliffwoolley, NVIDIA)
TOOLKIT_555_DRIVER = (
    "NVIDIA drivers 555.xx and newer for Windows have added a library called `libnvdxgdmal.so.1` that must "
    "be mapped into the container for CUDA to continue working in containers under WSL2."
)
TOOLKIT_555_FIXED_IN = "This is fixed in nvidia-container-toolkit 1.14.4 and in 1.15.0."  # VERBATIM, same thread
# VERBATIM  https://learn.microsoft.com/en-us/windows/wsl/systemd ("How to enable systemd": /etc/wsl.conf)
WSL_CONF_SYSTEMD_DOCS = "[boot]\nsystemd=true\n"
# VERBATIM  `apt-cache policy` on the project's twin with a legacy copy of NVIDIA's list beside the current one
APT_LIST_TWICE = (
    "W: Target Packages (Packages) is configured multiple times in "
    "/etc/apt/sources.list.d/nvidia-container-toolkit.list:1 and /etc/apt/sources.list.d/nvidia-docker.list:1"
)

# VERBATIM  https://github.com/docker/cli/issues/5075 (a broken ~/.docker/config.json: the CLI warns and goes on)
WARN_DOCKER_CONFIG_UNEXPECTED_EOF = "WARNING: Error loading config file: /root/.docker/config.json: unexpected EOF"

# ---------------------------------------------------------------------------
# 10. The platforms a fresh WSL install gives today: Docker 29, toolkit 1.20, WSL 2.7
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/dyrnq/install-docker/issues/20 (what Docker 29's `docker info` warns on
# cgroup v1; the warning comes from moby/moby#51360, "Added a WARNING in `docker info`")
WARN_DOCKER29_CGROUP_V1 = (
    "WARNING: Support for cgroup v1 is deprecated and planned to be removed by no later than May 2029 "
    "(https://github.com/moby/moby/issues/51111)"
)
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/1743 (`docker info` of Docker 29.4.0)
DOCKER_INFO_SERVER_VERSION_29_4_0 = " Server Version: 29.4.0"
# DERIVED  `{{json .ServerVersion}}` of the engine above: the same value as a JSON string
DOCKER_INFO_SERVER_VERSION_JSON_29_4_0 = '"29.4.0"'
# VERBATIM  `dpkg -l | grep -E "nvidia-container-toolkit |docker-ce " | awk '{print $2, $3}'` on an
# Ubuntu 24.04 host with Docker 29.2.1 and toolkit 1.20.0 (code search; repo not identified)
DPKG_DOCKER_CE_29_2_1 = "docker-ce 5:29.2.1-1~ubuntu.24.04~noble"
DPKG_TOOLKIT_1_20_0 = "nvidia-container-toolkit 1.20.0-1"
# VERBATIM  docker-ce on Ubuntu 26.04 as a team's playbook recorded it (code search; repo not identified)
DPKG_DOCKER_CE_29_7_2_RESOLUTE = "docker-ce 5:29.7.2-1~ubuntu.26.04~resolute"
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/1864 (title; fixed in 1.20.0)
TOOLKIT_1_19_1_WSL = (
    "[Bug]: nvv4l2decoder/nvv4l2h264enc SIGSEGV with nvidia-container-toolkit 1.19.1-1 on WSL2 "
    "(fix: downgrade to 1.18.0-1)"
)
# VERBATIM  microsoft/WSL src/linux/init/WslDistributionConfig.cpp (the enum's map compares without regard
# to case: configfile.h, wsl::shared::string::CaseInsensitiveCompare)
WSL_CONFIG_KEY_CGROUPS = (
    'ConfigKey("automount.cgroups", {{"v1", CGroupVersion::v1}, {"v2", CGroupVersion::v2}}, CGroup, nullptr),'
)
# VERBATIM  https://github.com/microsoft/WSL/issues/12912 (WSL's own warning for a value it does not take as
# a boolean: it names the key and goes on with the default; the same parser reads /etc/wsl.conf)
WSL_INVALID_BOOLEAN_WARNING = (
    "wsl: Invalid boolean value 'D:\\Data\\WSL\\__m__\\modules.vhdx' for key 'wsl2.kernelModules' in "
    "C:\\Users\\lucyfurnice\\\\.wslconfig:4"
)
# VERBATIM  https://github.com/microsoft/WSL/issues/10510 (an [interop] section as a user wrote it)
WSL_CONF_INTEROP_SECTION = (
    "[interop]\n"
    "# Restrict launching Windows processes in WSL\n"
    "enabled=false\n"
    "\n"
    "# Do not appent Windows PATH to WSL $PATH\n"
    "appendWindowsPath = false\n"
)

# VERBATIM  microsoft/WSL src/linux/init/wslinfo.cpp: `--version` prints the WSL package's version and a
# newline; `--networking-mode` prints one of these words (and "wsl1" outside the utility VM); both answer
# from WSL's own init, without Windows interop.  `--wsl-version` is the older spelling (WSLINFO_WSL_VERSION_LEGACY).
WSLINFO_VERSION_SOURCE = "std::cout << WSL_PACKAGE_VERSION;"
WSLINFO_NETWORKING_MODES = ("nat", "bridged", "mirrored", "virtioproxy", "none")
# VERBATIM  https://github.com/microsoft/WSL/issues/11045 ('wslinfo --networking-mode says "nat"')
WSLINFO_NETWORKING_MODE_NAT = "nat"
# VERBATIM  https://github.com/microsoft/WSL/issues/11475 (the request for a wslinfo version flag, shipped in
# WSL 2.2.3 as --wsl-version: the package version on one line)
WSLINFO_WSL_VERSION_2_2_2 = "$ wslinfo --wsl-version\n2.2.2.0"
# VERBATIM  https://github.com/microsoft/WSL/issues/40688 ("WSL Version" field: the same package version,
# which `wslinfo --version` prints on WSL 2.7)
WSL_VERSION_2_7_3 = "2.7.3.0"

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
