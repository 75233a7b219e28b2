"""The company network layer: apt and the engine use the proxy set, and every upstream answers through it."""

from __future__ import annotations

from urllib.parse import urlparse

from tasks.doctor.checks.common import deploy_fix
from tasks.doctor.registry import check
from tasks.findings import FAIL, INFO, PASS, WARN, Finding
from tasks.masking import masked
from tasks.operations import sha256
from tasks.proxy import uses_proxy

LAYER = "proxy and CA"
SCHEMES = ("http_proxy", "https_proxy")
FIXES = {
    "407": "give http_proxy and https_proxy the proxy's credentials (http://user:password@host:port; "
           "ask IT which account to use), then rerun the deploy (deploy.py)",
    "tls": "list your company's CA (a PEM file) in ca_certificates, then rerun the deploy (deploy.py), which "
           "puts it in the trust store and restarts the engine",
    "proxy": "check the host and port in http_proxy and https_proxy and that the proxy runs (off the company "
             "network, remove the proxy settings), then rerun the deploy (deploy.py)",
    "down": "check the URL settings (docker_download_url, nvidia_repo_url, gpu_smoke_test_image) and the "
            "network; a host to reach directly belongs in no_proxy",
}


def _where(url: str | None) -> str | None:
    """host:port of a proxy URL, whoever it is for: `docker info` shows credentials as xxxxx."""
    if not url:
        return None
    parsed = urlparse(url)
    return f"{parsed.hostname}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"


def _shown(value: str | None) -> str:
    return masked(value) if value else "none"


@check("proxy.layers", gives={"proxy.layers.differ": FAIL, "proxy.layers.unset": WARN})
def check_layers(facts, settings) -> Finding:
    """apt and the engine use the proxy that http_proxy and https_proxy name, and none without them."""
    differ = []
    for name in SCHEMES:
        wanted = getattr(settings, name)
        apt = facts.get(f"net.apt.{name}")
        if facts.get(f"net.apt.{name}.sha256") != (sha256(wanted) if wanted else None):
            differ.append(f"apt's {name.split('_')[0]} proxy is {apt or 'none'}")
        engine = facts.get(f"net.dockerd.{name}") if facts.get("net.dockerd.answers") else None
        if facts.get("net.dockerd.answers") and _where(engine) != _where(wanted):
            differ.append(f"the engine's {name.split('_')[0]} proxy is {engine or 'none'}")
    env = ", ".join(f"{n}={facts[f'net.env.{n}']}" for n in SCHEMES if facts.get(f"net.env.{n}")) or "none"
    if differ and uses_proxy(settings):
        wanted = ", ".join(f"{n} = {_shown(getattr(settings, n))}" for n in SCHEMES)
        return Finding(FAIL, f"{'; '.join(differ)}, where the settings say {wanted}",
                       deploy_fix("writes apt's and the engine's proxy files and restarts the engine"),
                       by_deploy=True, id="proxy.layers.differ")
    if differ:
        return Finding(WARN, f"{'; '.join(differ)}, but http_proxy and https_proxy are unset",
                       "if the host needs that proxy, set http_proxy and https_proxy to it in inventory.py and "
                       "rerun the deploy (deploy.py), so that every layer uses it; else remove it from "
                       "/etc/apt/apt.conf.d and docker.service's drop-ins", id="proxy.layers.unset")
    if not uses_proxy(settings):
        return Finding(PASS, f"no proxy is set, and apt and the engine use none (pyinfra's environment: {env})")
    return Finding(PASS, f"apt and the engine use http: {_shown(settings.http_proxy)}, https: "
                         f"{_shown(settings.https_proxy)} (pyinfra's environment: {env})")


def classify(rc: int, code: str, connect: str, proxy: str | None) -> str | None:
    """What kept a HEAD request from an answer (a FIXES key), or None when the upstream answered."""
    if "407" in (code, connect) or connect == "401":  # a CONNECT's 401 is the proxy's (tinyproxy's)
        return "407"
    if rc in (60, 77):  # curl: the peer's certificate, or the CA store, cannot be verified
        return "tls"
    if proxy and rc in (5, 7):  # curl: the proxy's name does not resolve, or nothing listens there
        return "proxy"
    if rc != 0 or code.startswith("5") or connect.startswith(("4", "5")):
        return "down"
    return None


# The id of each way an upstream gives no answer, by its FIXES key.
UPSTREAM_IDS = {"407": "proxy.upstreams.auth", "tls": "proxy.upstreams.tls", "proxy": "proxy.upstreams.no-proxy",
                "down": "proxy.upstreams.no-answer"}


@check("proxy.upstreams", gives=dict.fromkeys(UPSTREAM_IDS.values(), FAIL))
def check_upstreams(facts, settings) -> Finding:
    """Docker's and NVIDIA's sites and the smoke test's registry answer a HEAD request through the proxy."""
    lines = facts.get("net.reach") or []
    if not (uses_proxy(settings) or settings.ca_certificates):
        return Finding(INFO, "no proxy or CA is set: the upstreams are reached directly")
    if not lines:
        return Finding(INFO, "no curl on the host: the upstreams were not asked")
    failures, answered = [], []
    for line in lines:
        rc, code, connect, url, *said = line.split(" ", 4)
        name = "https_proxy" if url.startswith("https://") else "http_proxy"
        proxy = getattr(settings, name)
        kind = classify(int(rc), code, connect, proxy)
        if kind is None:
            answered.append(url)
            continue
        why = {"407": f"the proxy {_shown(proxy)} refused it with 407 Proxy Authentication Required",
               "tls": "TLS certificate verification failed: the host does not trust the certificate shown",
               "proxy": f"cannot reach the proxy {_shown(proxy)} ({name})",
               "down": f"no answer{' through the proxy ' + _shown(proxy) if proxy else ''}"}[kind]
        failures.append((kind, f"{url}: {why}{' (' + said[0] + ')' if said and said[0] else ''}"))
    if failures:
        return Finding(FAIL, "; ".join(text for _, text in failures), FIXES[failures[0][0]],
                       id=UPSTREAM_IDS[failures[0][0]])
    return Finding(PASS, f"{', '.join(answered)} answer through the proxy")
