"""NVIDIA Container Toolkit: what nvidia-ctk writes to daemon.json, its config and its releases."""

# ---------------------------------------------------------------------------
# nvidia-ctk runtime configure --runtime=docker  ->  /etc/docker/daemon.json
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
# config.toml's no-cgroups, and releases that broke WSL
# ---------------------------------------------------------------------------
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
# VERBATIM  https://github.com/NVIDIA/nvidia-container-toolkit/issues/1864 (title; fixed in 1.20.0)
TOOLKIT_1_19_1_WSL = (
    "[Bug]: nvv4l2decoder/nvv4l2h264enc SIGSEGV with nvidia-container-toolkit 1.19.1-1 on WSL2 "
    "(fix: downgrade to 1.18.0-1)"
)
