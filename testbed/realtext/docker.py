"""Docker Engine: docker info, docker run --gpus errors, dockerd refusing its configuration."""

# ---------------------------------------------------------------------------
# docker run --gpus errors
# ---------------------------------------------------------------------------
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

# ---------------------------------------------------------------------------
# docker info runtimes
# ---------------------------------------------------------------------------
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
# dockerd refusing a configuration: `dockerd --validate`, and the journal of a failed start
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
# The service, iptables, the socket and the CLI
# ---------------------------------------------------------------------------
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
# VERBATIM  https://github.com/docker/cli/issues/5075 (a broken ~/.docker/config.json: the CLI warns and goes on)
WARN_DOCKER_CONFIG_UNEXPECTED_EOF = "WARNING: Error loading config file: /root/.docker/config.json: unexpected EOF"

# ---------------------------------------------------------------------------
# Docker 29, as a fresh install gives it today
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

# CAPTURED on a twin: its dockerd 20.10.24's answer to GET /info on /var/run/docker.sock (what
# files/engine-info.sh prints with curl), after the deploy registered the nvidia runtime.
ENGINE_API_INFO_TWIN = '{"ID":"ZMYS:LMLF:DSNZ:5X4N:JU43:3L2D:4IBI:DH7D:I7QZ:G54P:YKV7:BR5F","Containers":0,"ContainersRunning":0,"ContainersPaused":0,"ContainersStopped":0,"Images":0,"Driver":"vfs","DriverStatus":null,"Plugins":{"Volume":["local"],"Network":["bridge","host","ipvlan","macvlan","null","overlay"],"Authorization":null,"Log":["awslogs","fluentd","gcplogs","gelf","journald","json-file","local","logentries","splunk","syslog"]},"MemoryLimit":true,"SwapLimit":true,"KernelMemory":true,"KernelMemoryTCP":true,"CpuCfsPeriod":true,"CpuCfsQuota":true,"CPUShares":true,"CPUSet":true,"PidsLimit":true,"IPv4Forwarding":true,"BridgeNfIptables":true,"BridgeNfIp6tables":true,"Debug":false,"NFd":19,"OomKillDisable":true,"NGoroutines":33,"SystemTime":"2026-12-02T02:49:15.284816201Z","LoggingDriver":"json-file","CgroupDriver":"cgroupfs","CgroupVersion":"1","NEventsListener":0,"KernelVersion":"6.18.44-fc-v857","OperatingSystem":"Debian GNU/Linux 12 (bookworm) (containerized)","OSVersion":"12","OSType":"linux","Architecture":"x86_64","IndexServerAddress":"https://index.docker.io/v1/","RegistryConfig":{"AllowNondistributableArtifactsCIDRs":[],"AllowNondistributableArtifactsHostnames":[],"InsecureRegistryCIDRs":["127.0.0.0/8"],"IndexConfigs":{"docker.io":{"Name":"docker.io","Mirrors":[],"Secure":true,"Official":true}},"Mirrors":[]},"NCPU":2,"MemTotal":25276059648,"GenericResources":null,"DockerRootDir":"/var/lib/docker","HttpProxy":"","HttpsProxy":"","NoProxy":"","Name":"vm","Labels":[],"ExperimentalBuild":false,"ServerVersion":"20.10.24+dfsg1","Runtimes":{"io.containerd.runc.v2":{"path":"runc"},"io.containerd.runtime.v1.linux":{"path":"runc"},"nvidia":{"path":"nvidia-container-runtime"},"runc":{"path":"runc"}},"DefaultRuntime":"runc","Swarm":{"NodeID":"","NodeAddr":"","LocalNodeState":"inactive","ControlAvailable":false,"Error":"","RemoteManagers":null},"LiveRestoreEnabled":false,"Isolation":"","InitBinary":"docker-init","ContainerdCommit":{"ID":"1.6.20~ds1-1+deb12u3","Expected":"1.6.20~ds1-1+deb12u3"},"RuncCommit":{"ID":"1.1.5+ds1-1+deb12u1","Expected":"1.1.5+ds1-1+deb12u1"},"InitCommit":{"ID":"","Expected":""},"SecurityOptions":["name=seccomp,profile=default"],"Warnings":null}'
