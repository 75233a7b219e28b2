#!/bin/sh
# Set up this checkout and converge this machine: ./setup.sh [more pyinfra options]
# A fresh WSL Ubuntu has python3 but neither pip nor venv: both are bootstrapped here
# without sudo, so the only password prompt is pyinfra's own, once.
set -eu
cd "$(dirname "$0")"
# First, before anything is made or installed: can pyinfra drive this machine's sudo?
sh files/sudo-check.sh

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv >/dev/null 2>&1 || { rm -rf .venv; python3 -m venv --without-pip .venv; }
fi
if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    .venv/bin/python - <<'PY'
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
.venv/bin/python -m pip install --quiet --disable-pip-version-check .

sudo=""
[ "$(id -u)" = 0 ] || sudo="--sudo"
exec .venv/bin/pyinfra -y $sudo "$@" @local deploy.py
