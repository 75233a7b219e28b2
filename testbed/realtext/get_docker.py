"""get.docker.com (docker/docker-install install.sh): what it writes and prints."""

# ---------------------------------------------------------------------------
# get.docker.com  (docker/docker-install install.sh)
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
