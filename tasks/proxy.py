"""The company network's proxy and CA as files on the host: their paths and texts, rendered from the settings."""

from __future__ import annotations

from pathlib import Path

from tasks.managed import CA_DIR, PROXY_ENV
from tasks.settings import ca_certificate_path


def uses_proxy(settings) -> bool:
    return bool(settings.http_proxy or settings.https_proxy)


def has_credentials(url: str | None) -> bool:
    return bool(url) and "@" in url.split("://", 1)[-1]


def secret_mode(settings) -> str:
    """A file holding the proxy URLs is readable by root only when they carry credentials."""
    return "600" if has_credentials(settings.http_proxy) or has_credentials(settings.https_proxy) else "644"


def proxy_env(settings) -> str | None:
    """PROXY_ENV's text (sh and systemd's EnvironmentFile= read it alike); None without a proxy.
    Validation allows no quote, $, ` or \\ in the values."""
    if not uses_proxy(settings):
        return None
    values = {"http_proxy": settings.http_proxy, "https_proxy": settings.https_proxy,
              "no_proxy": settings.no_proxy}
    return "".join(f'{n}="{value}"\n' for name, value in values.items() if value
                   for n in (name, name.upper()))


def apt_proxy(settings) -> str | None:
    """APT_PROXY's text; apt has no no_proxy, so each plain host in it is reached DIRECT."""
    if not uses_proxy(settings):
        return None
    lines = [f'Acquire::{scheme}::Proxy "{url}";'
             for scheme, url in (("http", settings.http_proxy), ("https", settings.https_proxy)) if url]
    for entry in (settings.no_proxy or "").split(","):
        entry = entry.strip()
        if entry and not entry.startswith((".", "*")) and "/" not in entry:
            lines += [f'Acquire::{scheme}::Proxy::{entry} "DIRECT";' for scheme in ("http", "https")]
    return "// Written by wsl-gpu-docker from its proxy settings.\n" + "".join(f"{line}\n" for line in lines)


def docker_dropin(settings) -> str | None:
    if not uses_proxy(settings):
        return None
    return f"# Written by wsl-gpu-docker: the engine's proxy (its pulls).\n[Service]\nEnvironmentFile=-{PROXY_ENV}\n"


def ca_files(settings) -> dict[str, str]:
    """{path under CA_DIR: PEM text} for ca_certificates."""
    return {f"{CA_DIR}/{Path(name).stem}.crt": ca_certificate_path(name).read_text()
            for name in settings.ca_certificates}
