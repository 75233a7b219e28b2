#!/bin/sh
# Each upstream answers through the proxy and the CAs the run is about to set up, before anything
# changes: an untrusted certificate, an unreachable proxy and a proxy refusing access (407) are
# told apart, each with its fix. $1: the folder holding the candidates (proxy.env, *.crt; either
# may be absent), removed at the end; $2, $3: http_proxy and https_proxy as shown (credentials
# masked); then the URLs.
set -u
stage=$1 shown_http=$2 shown_https=$3
shift 3
trap 'rm -rf "$stage"' EXIT
if [ -r "$stage/proxy.env" ]; then
    set -a
    # shellcheck disable=SC1091
    . "$stage/proxy.env"
    set +a
fi
ca=
for crt in "$stage"/*.crt; do
    [ -e "$crt" ] || continue
    ca="$stage/bundle.pem"
    cat /etc/ssl/certs/ca-certificates.crt "$stage"/*.crt >"$ca"
    break
done
failed=0
for url in "$@"; do
    case "$url" in
        https://*) proxy=$shown_https setting=https_proxy ;;
        *) proxy=$shown_http setting=http_proxy ;;
    esac
    codes=$(curl -sS -I -L --retry 1 -o /dev/null ${ca:+--cacert "$ca"} -w '%{http_code} %{http_connect}' \
        "$url" 2>"$stage/error")
    rc=$?
    said=$(head -n 1 "$stage/error")
    code=${codes%% *} connect=${codes##* }
    # A CONNECT answered 401 is the proxy's too (tinyproxy answers its BasicAuth failures so).
    if [ "$code" = 407 ] || [ "$connect" = 407 ] || [ "$connect" = 401 ]; then
        [ "$connect" = 000 ] && connect=$code
        echo "the proxy $proxy refused $url: $connect Proxy Authentication Required. Fix: give $setting" \
            "the proxy's credentials (http://user:password@host:port); ask IT which account to use" >&2
    elif [ "$rc" -eq 60 ] || [ "$rc" -eq 77 ]; then
        echo "TLS certificate verification failed for $url ($said): the host does not trust the" \
            "certificate it was shown. Fix: if your network inspects TLS, list your company's CA" \
            "(a PEM file) in ca_certificates" >&2
    elif [ -n "$proxy" ] && { [ "$rc" -eq 5 ] || { [ "$rc" -eq 7 ] && [ "$connect" = 000 ]; } ||
        { [ "$rc" -eq 56 ] && [ "$connect" = 000 ]; }; }; then
        echo "cannot reach the proxy $proxy ($setting) for $url: $said. Fix: check the host and port" \
            "in $setting and that the proxy runs; off the company network, remove the proxy settings" >&2
    elif [ "$rc" -ne 0 ]; then
        echo "cannot reach $url${proxy:+ through the proxy $proxy}: $said" >&2
    elif [ "$code" -ge 400 ]; then
        echo "$url answered HTTP $code${proxy:+ through the proxy $proxy}" >&2
    else
        continue
    fi
    failed=1
done
exit "$failed"
