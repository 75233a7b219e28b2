"""WSL's own text: kernel strings, /etc/wsl.conf, wslinfo, and what WSL's team and docs say."""

# ---------------------------------------------------------------------------
# Kernel strings  (/proc/sys/kernel/osrelease == `uname -r`)
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
# systemd, the clock and /etc/wsl.conf
# ---------------------------------------------------------------------------
# VERBATIM  https://github.com/microsoft/WSL/issues/3707 (comment: `sudo systemctl start docker` without systemd)
ERR_NO_SYSTEMD = (
    "System has not been booted with systemd as init system (PID 1). Can't operate.\n"
    "Failed to connect to bus: Host is down"
)
# VERBATIM  https://github.com/microsoft/WSL/issues/4245 (benhillis, WSL team: the clock workaround)
WSL_CLOCK_WORKAROUND = 'Issue is being debugged, in the meantime I suggest using "sudo hwclock -s" as needed.'
# VERBATIM  https://learn.microsoft.com/en-us/windows/wsl/systemd ("How to enable systemd": /etc/wsl.conf)
WSL_CONF_SYSTEMD_DOCS = "[boot]\nsystemd=true\n"

# ---------------------------------------------------------------------------
# WSL 2.7: /etc/wsl.conf's parser and wslinfo
# ---------------------------------------------------------------------------
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

# ---------------------------------------------------------------------------
# Time daemons under WSL: the units' conditions and Ubuntu's drop-ins
# ---------------------------------------------------------------------------
# VERBATIM  ubuntu/wsl-setup systemd/system/systemd-timesyncd.service.d/wsl.conf (installed under
# /usr/lib/systemd/system/ by its debian/install, `systemd/ lib/`)
WSL_SETUP_TIMESYNCD_DROPIN = (
    "# Enable timesyncd on WSL machines\n"
    "# so WSL clock is synced on resume from suspend of the host.\n\n"
    "[Unit]\n"
    "ConditionVirtualization=\n"
    "ConditionVirtualization=|!container\n"
    "ConditionVirtualization=|wsl\n"
)
WSL_SETUP_TIMESYNCD_DROPIN_PATH = "/usr/lib/systemd/system/systemd-timesyncd.service.d/wsl.conf"
# VERBATIM  Debian 13's systemd-timesyncd 257 (/usr/lib/systemd/system/systemd-timesyncd.service, its [Unit]
# head, as a Debian 13 twin has it); Ubuntu's is the same unit, from the same systemd source
DEBIAN_TIMESYNCD_UNIT_HEAD = (
    "[Unit]\n"
    "Description=Network Time Synchronization\n"
    "Documentation=man:systemd-timesyncd.service(8)\n"
    "ConditionCapability=CAP_SYS_TIME\n"
    "ConditionVirtualization=!container\n"
    "DefaultDependencies=no\n"
)
TIMESYNCD_UNIT_PATH = "/usr/lib/systemd/system/systemd-timesyncd.service"
# VERBATIM  `systemctl show -p LoadState -p ActiveState -p UnitFileState -p FragmentPath -p DropInPaths
# systemd-timesyncd.service` on a Debian 13 twin with systemd-timesyncd installed (systemd counts the twin,
# a container, as WSL's units do: the condition fails and the unit stays inactive)
SYSTEMCTL_SHOW_TIMESYNCD_DEBIAN_13 = (
    "LoadState=loaded\n"
    "ActiveState=inactive\n"
    "FragmentPath=/usr/lib/systemd/system/systemd-timesyncd.service\n"
    "DropInPaths=\n"
    "UnitFileState=enabled\n"
)
# VERBATIM  the same command for a unit that is not installed (chrony.service on that twin)
SYSTEMCTL_SHOW_NOT_FOUND = (
    "LoadState=not-found\n"
    "ActiveState=inactive\n"
    "FragmentPath=\n"
    "DropInPaths=\n"
    "UnitFileState=\n"
)
# Safe mode, the GPU's wsl.conf keys and .wslconfig
# ---------------------------------------------------------------------------
# VERBATIM  microsoft/WSL src/linux/init/WslDistributionConfig.h: the GPU's keys, each true by default
WSL_CONFIG_GPU_KEYS = {"gpu.enabled": "GpuEnabled", "gpu.appendLibPath": "AppendGpuLibPath",
                       "automount.ldconfig": "LinkOsLibs"}
# DERIVED  microsoft/WSL src/linux/init/main.cpp: in safe mode mini_init adds LX_WSL2_SAFE_MODE ("WSL2_SAFE_MODE",
# lxinitshared.h) = c_trueString ("1") to the environment it starts the distro's init with
WSL_SAFE_MODE_ENVIRON = "WSL2_SAFE_MODE=1"
# DERIVED  the same main.cpp: LOG_WARNING("{} - many features will be disabled", WSL_SAFE_MODE_WARNING) to /dev/kmsg
# (common.h's LOG_WARNING format, "SAFE MODE ENABLED"); the pid and thread name are an example's
WSL_SAFE_MODE_KMSG = "WSL (1 - init()) WARNING: SAFE MODE ENABLED - many features will be disabled"
# VERBATIM  https://github.com/microsoft/WSL/issues/8838 (benhillis, WSL team: %userprofile%\.wslconfig)
WSLCONFIG_SAFE_MODE = "[wsl2]\nsafeMode=true\n"
# VERBATIM  mirage335-colossus/ubiquitous_bash virtualization/wsl2/here_wsl2.sh (a .wslconfig it writes)
WSLCONFIG_MEMORY_999GB = '[wsl2]\nmemory=999GB\nkernelCommandLine = "sysctl.net.core.bpf_jit_harden=1"\n'
# VERBATIM  rancher-desktop's /etc/wsl.conf for its data distro ("Prevent running ldconfig")
WSL_CONF_RANCHER_DATA = (
    "[automount]\n"
    "# Prevent processing /etc/fstab, since it doesn't exist.\n"
    "mountFsTab = false\n"
    "# Prevent running ldconfig, since that doesn't exist.\n"
    "ldconfig = false\n"
    "# Needed for compatibility with some `npm install` scenarios.\n"
    "options = metadata\n"
)
# VERBATIM  a Chinese WSL note on "libcuda.so.1 is not a symbolic link" (its "permanent" fix, misspelt: WSL warns
# and keeps ldconfig on)
WSL_CONF_LDCONFIG_FASLE = "[automount]\nldconfig = fasle\n"
# VERBATIM  https://github.com/microsoft/WSL/issues/13075 (the PowerShell prompt: a Windows profile folder)
WIN_PROFILE_JIAOYUAN = "C:\\Users\\JiaoYuan"
# VERBATIM  microsoft/WSL localization/strings/en-US/Resources.resw (MessageSparseVhdDisabled's command)
WSL_SET_SPARSE_UNSAFE = "wsl.exe --manage <DistributionName> --set-sparse true --allow-unsafe"
