"""Docker Desktop's WSL integration: its paths, messages, docs and UI labels."""

# ---------------------------------------------------------------------------
# Docker Desktop WSL integration
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
