"""The company network: the proxy and CA settings carried into apt, the deploy's downloads and the engine."""

from __future__ import annotations

from io import StringIO

from pyinfra.api import deploy, operation
from pyinfra.operations import files

from tasks.apt import absent_with_backup
from tasks.managed import APT_PROXY, BACKUP_DIR, CA_DIR, CHECK_DIR, DOCKER_PROXY_DROPIN, PROXY_ENV, STATE_DIR
from tasks.masking import masked
from tasks.operations import BACKUP_STAMP, content_is_right, file_content, private_put, sha256
from tasks.proxy import apt_proxy, ca_files, docker_dropin, proxy_env, secret_mode, uses_proxy
from tasks.shell import shell_script


def cas_are_right(settings, state) -> bool:
    """CA_DIR holds exactly ca_certificates, as the snapshot read before any change shows it."""
    held = {path: digest for path, digest in state["files"].items() if path.startswith(f"{CA_DIR}/")}
    return held == {path: sha256(text) for path, text in ca_files(settings).items()}


def network_is_right(settings, state) -> bool:
    """Every file of this concern, as the snapshot read before any change shows it, is as wanted."""
    wanted = {PROXY_ENV: proxy_env(settings), APT_PROXY: apt_proxy(settings),
              DOCKER_PROXY_DROPIN: docker_dropin(settings)}
    return cas_are_right(settings, state) and all(content_is_right(state, p, t) for p, t in wanted.items())


def upstream_sites(settings) -> list[str]:
    """Docker's and NVIDIA's apt sites, which every run and doctor reach through the proxy."""
    return [f"{settings.docker_download_url}/linux/", f"{settings.nvidia_repo_url}/"]


def run_downloads(settings, state) -> list[str]:
    """What this run will download from: the install script's URL only while the engine is absent."""
    script = [settings.docker_install_script_url] if "docker-ce" not in state["packages"] else []
    return script + upstream_sites(settings)


@operation(is_idempotent=False)
def upstreams_answer(settings, urls: list[str]):
    """Each upstream answers, through the proxy and trusting the CAs about to be set up."""
    yield f"rm -rf {CHECK_DIR} && install -d -m 0700 {CHECK_DIR}"
    env = proxy_env(settings)
    if env:
        yield from private_put(env, f"{CHECK_DIR}/proxy.env", "600")
    for path, text in ca_files(settings).items():
        yield from files.put._inner(src=StringIO(text), dest=f"{CHECK_DIR}/{path.rsplit('/', 1)[1]}")
    yield shell_script("upstreams-answer.sh", CHECK_DIR, masked(settings.http_proxy or ""),
                       masked(settings.https_proxy or ""), *urls)


@operation()
def ca_certificates_trusted(certs: dict[str, str]):
    """CA_DIR holds exactly certs, the system trust store has them, and one no longer listed is
    removed (kept in the backups). The engine reads the store only when it starts."""
    for path, text in certs.items():
        yield from file_content._inner(dest=path, text=text)
    yield shell_script("ca-prune.sh", CA_DIR, BACKUP_DIR, BACKUP_STAMP, *certs)


def _file(state, name: str, path: str, text: str | None, mode: str = "644", backup_dir: str | None = None):
    if text is None:
        return absent_with_backup(name=f"{path} is absent (no proxy set)", path=path)
    return file_content(name=name, dest=path, text=text, mode=mode, backup_dir=backup_dir,
                        present=path in state["files"])


@deploy("Company network")
def configure_network(settings, state):
    """
    Returns the operations whose change the engine must restart for (empty when all is right).
    Before any file changes, and before anything is downloaded through them, every upstream must
    answer through the proxy and CAs wanted: a dead proxy, a 407 or an untrusted certificate
    stops the host with the rest of it unchanged, and apt as it was.
    """
    right = network_is_right(settings, state)
    downloads = "docker-ce" not in state["packages"] or "nvidia-container-toolkit" not in state["packages"]
    https = any(u.startswith("https://") for u in run_downloads(settings, state))
    if not right or (downloads and (uses_proxy(settings) or settings.ca_certificates or https)):
        upstreams_answer(name="Docker's and NVIDIA's sites answer through the proxy and CAs set",
                         settings=settings, urls=run_downloads(settings, state))
    if right:
        return []  # the engine's restart finds no change here
    changes = []
    if not cas_are_right(settings, state):
        changes.append(ca_certificates_trusted(name="The host trusts the CAs in ca_certificates",
                                               certs=ca_files(settings)))
    if proxy_env(settings) is not None:
        files.directory(name=f"{STATE_DIR} is root's only", path=STATE_DIR, mode="700")
    for name, path, text, mode, backup_dir in (
        ("The deploy and the engine use the proxy", PROXY_ENV, proxy_env(settings), "600", None),
        ("apt uses the proxy", APT_PROXY, apt_proxy(settings), secret_mode(settings), BACKUP_DIR),
        ("docker.service reads the proxy's environment", DOCKER_PROXY_DROPIN, docker_dropin(settings), "644", None),
    ):
        if not content_is_right(state, path, text):
            # systemd reads the drop-in at the engine's restart (files/engine-apply.sh's daemon-reload),
            # which, like the reload itself, waits while containers run.
            changes.append(_file(state, name, path, text, mode, backup_dir))
    return changes
