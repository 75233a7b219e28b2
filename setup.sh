#!/bin/sh
# Set up this checkout and converge this machine:
#   ./setup.sh [--pull-repo-url URL] [--pull-ref REF] [more pyinfra options]
# --pull-repo-url and --pull-ref keep pull_repo_url and pull_ref in the machine's own settings
# (/etc/wsl-gpu-docker/settings, root-only), which turns pull mode on for this run and every later one.
# A fresh WSL Ubuntu has python3 but neither pip nor venv: both are bootstrapped here without sudo,
# so the password is asked once at most: by pyinfra's --sudo, or by sudo for a run as root where the
# machine has its own settings (only root may read them).
set -eu
cd "$(dirname "$0")"
SETTINGS=/etc/wsl-gpu-docker/settings
STATE_DIR=/etc/wsl-gpu-docker
# The proxy the deploy keeps for this machine (tasks/proxy.py), root's only.
PROXY_ENV=$STATE_DIR/proxy.env
# The sha256 of the pyproject.toml whose dependencies the venv holds: a rerun installs nothing.
STAMP=.venv/wsl-gpu-docker-pyproject.sha256

# This script's own options, as NAME=value of the settings they keep; the rest are pyinfra's.
keep=""
n=$#
while [ "$n" -gt 0 ]; do
    arg=$1
    shift
    n=$((n - 1))
    case $arg in
        --pull-repo-url=* | --pull-ref=*) option=${arg%%=*} value=${arg#*=} ;;
        --pull-repo-url | --pull-ref)
            if [ "$n" -eq 0 ]; then
                echo "setup.sh: $arg needs a value (--pull-repo-url: the git URL of the team's repository;" \
                    "--pull-ref: the branch or tag to follow); nothing was changed" >&2
                exit 2
            fi
            option=$arg value=$1
            shift
            n=$((n - 1)) ;;
        *) set -- "$@" "$arg"; continue ;;
    esac
    case $option in
        --pull-repo-url) pull_repo_url=$value ;;
        --pull-ref) pull_ref=$value ;;
    esac
    keep=yes
done
if [ -n "$keep" ]; then
    # Before anything is made or installed: the same checks the deploy's settings get.
    python3 -m tasks.localsettings check ${pull_repo_url+"pull_repo_url=$pull_repo_url"} \
        ${pull_ref+"pull_ref=$pull_ref"}
fi

# First, before anything is made or installed: can pyinfra drive this machine's sudo?
sh files/sudo-check.sh

# with_proxy COMMAND...: run as root (the pull timer, first boot), COMMAND's downloads go through the
# proxy the deploy keeps; a person's run has their own environment's.
with_proxy() {
    if [ -r "$PROXY_ENV" ]; then
        # shellcheck disable=SC1090  # the deploy writes it (tasks/proxy.py's proxy_env)
        (set -a && . "$PROXY_ENV" && exec "$@")
    else
        "$@"
    fi
}

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv >/dev/null 2>&1 || { rm -rf .venv; python3 -m venv --without-pip .venv; }
fi
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ]; then
    if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
        with_proxy .venv/bin/python - <<'PY'
"""Install pip into the venv from PyPI's own wheel (no ensurepip on Debian/Ubuntu without python3-venv)."""
import hashlib, json, os, subprocess, sys, tempfile, urllib.parse, urllib.request

index = "https://pypi.org/pypi/pip/json"
meta = json.load(urllib.request.urlopen(index, timeout=60))
wheel = next(f for f in meta["urls"] if f["packagetype"] == "bdist_wheel")
data = urllib.request.urlopen(urllib.parse.urljoin(index, wheel["url"]), timeout=120).read()
if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
    sys.exit("pip wheel from PyPI failed its sha256 check")
path = os.path.join(tempfile.mkdtemp(), wheel["filename"])
with open(path, "wb") as f:
    f.write(data)
subprocess.check_call([sys.executable, os.path.join(path, "pip"), "install", "--quiet", path])
PY
    fi
    with_proxy .venv/bin/python -m pip install --quiet --disable-pip-version-check .
    echo "$wanted" > "$STAMP"
fi

set -- .venv/bin/pyinfra -y "$@" @local deploy.py
if [ "$(id -u)" = 0 ]; then
    exec .venv/bin/python -m tasks.localsettings run ${pull_repo_url+"pull_repo_url=$pull_repo_url"} \
        ${pull_ref+"pull_ref=$pull_ref"} -- "$@"
fi
# The machine's own settings exist (or /etc/wsl-gpu-docker hides whether they do): pyinfra runs as root,
# so that it reads them, through one sudo; no bytecode of root's is left in this checkout.
if [ -n "$keep" ] || [ -d "$SETTINGS" ] || { [ -d "$STATE_DIR" ] && [ ! -x "$STATE_DIR" ]; }; then
    exec sudo env PYTHONDONTWRITEBYTECODE=1 .venv/bin/python -m tasks.localsettings run \
        ${pull_repo_url+"pull_repo_url=$pull_repo_url"} ${pull_ref+"pull_ref=$pull_ref"} -- "$@"
fi
pyinfra=$1
shift
exec "$pyinfra" --sudo "$@"
