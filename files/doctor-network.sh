#!/bin/sh
# Doctor's read of the proxy each layer uses and of whether each upstream answers through it.
# No secret leaves the host: a proxy URL is printed with its password as *** beside the sha256
# of the whole value, for comparison with the settings.
# $1: the deploy's proxy environment file; $2: the sed program that hides a URL's password
# (tasks/masking.py's SED_PROGRAM, the rule's one definition); then the URLs to ask (HEAD).
env_file=$1 mask_program=$2
shift 2
mask() { sed -E "$mask_program"; }
show() {
    [ -n "$2" ] || return 0
    echo "$1=$(printf '%s' "$2" | mask)"
    echo "$1.sha256=$(printf '%s' "$2" | sha256sum | cut -c1-64)"
}
show env.http_proxy "${http_proxy:-${HTTP_PROXY:-}}"
show env.https_proxy "${https_proxy:-${HTTPS_PROXY:-}}"
show env.no_proxy "${no_proxy:-${NO_PROXY:-}}"
if command -v apt-config >/dev/null 2>&1; then
    conf=$(apt-config dump 2>/dev/null)
    for scheme in http https; do
        show "apt.${scheme}_proxy" "$(printf '%s\n' "$conf" | sed -n "s/^Acquire::$scheme::Proxy \"\\(.*\\)\";$/\\1/p" | head -n 1)"
    done
fi
# A stopped engine is not asked: behind an active docker.socket, any docker command would start it.
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && ! systemctl is-active --quiet docker.service; then :
elif command -v docker >/dev/null 2>&1 &&
    info=$(timeout 20 docker info --format '{{.HTTPProxy}}|{{.HTTPSProxy}}|{{.NoProxy}}' 2>/dev/null); then
    echo "dockerd.answers=1"
    echo "dockerd.http_proxy=$(printf '%s' "${info%%|*}" | mask)"
    rest=${info#*|}
    echo "dockerd.https_proxy=$(printf '%s' "${rest%%|*}" | mask)"
    echo "dockerd.no_proxy=${rest#*|}"
fi
# The proxy the deploy set, when this user may read it; else the environment doctor runs in.
if [ -r "$env_file" ]; then
    echo "deploy_env=read"
    set -a
    # shellcheck disable=SC1090
    . "$env_file"
    set +a
elif [ -e "$env_file" ]; then
    echo "deploy_env=unreadable"
fi
command -v curl >/dev/null 2>&1 || exit 0
for url in "$@"; do
    err=$(mktemp)
    codes=$(curl -sS -I -L --max-time 20 -o /dev/null -w '%{http_code} %{http_connect}' "$url" 2>"$err")
    echo "reach=$? $codes $url $(head -n 1 "$err" | mask)"
    rm -f "$err"
done
true
