"""Signed stand-ins for get.docker.com, download.docker.com and NVIDIA's apt repo, served on 127.0.0.1."""

import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .image import debian_mirror
from .run import run

CACHE_ROOT = Path("/var/tmp/wsl-twin-mirrors")


@dataclass(frozen=True)
class Engine:
    """A Debian release's own engine, renamed as Docker's packages, for the dists that serve it."""

    suite: str
    # Newest first; the older is the same engine renumbered, for moving an installed engine to a
    # pinned version.
    versions: tuple[str, str]
    # Debian's CLI package, renamed docker-ce-cli; None where docker.io carries the CLI itself
    # (Debian 12), so docker-ce-cli is a dummy.
    cli: str | None
    dists: dict[str, list[str]]


ENGINES = [
    Engine("bookworm", ("5:20.10.24-1~debian.12~bookworm", "5:20.10.23-1~debian.12~bookworm"), None,
           {"debian": ["bookworm"], "ubuntu": ["noble", "jammy"]}),
    Engine("trixie", ("5:26.1.5-1~debian.13~trixie", "5:26.1.4-1~debian.13~trixie"), "docker-cli",
           {"debian": ["trixie"], "ubuntu": ["resolute"]}),
]
# In every dist, beside its engine.
DOCKER_DUMMIES = {
    "containerd.io": "1.7.27-1",
    "docker-buildx-plugin": "0.23.0-1~debian.12~bookworm",
    "docker-compose-plugin": "2.35.1-1~debian.12~bookworm",
    "docker-model-plugin": "0.1.40-1~debian.12~bookworm",
}
# Debian's names for Docker's packages, renamed wherever the repackaged packages name them.
DOCKER_NAMES = {"docker.io": "docker-ce", "docker-cli": "docker-ce-cli",
                "docker-buildx": "docker-buildx-plugin"}
RELATION_FIELDS = {"Pre-Depends", "Depends", "Recommends", "Suggests"}
# Fields of Debian's packages that would keep the renamed ones from installing next to the dummies.
DROPPED_FIELDS = {"Source", "Conflicts", "Breaks", "Replaces", "Provides", "Built-Using"}
DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Oldest first: an unpinned install gets the last.
NVIDIA_VERSIONS = ["1.17.7-1", "1.17.8-1", "1.20.1-1"]
# Real toolkits ship nvidia-cdi-hook in nvidia-container-toolkit-base; the stand-ins from this one on.
NVIDIA_CDI_HOOK_SINCE = "1.20.1-1"
NVIDIA_DOCKER2_VERSION = "2.14.0-1"

# The stand-in for get.docker.com: same inputs, same apt setup.
GET_DOCKER_SH = Path(__file__).with_name("get-docker.sh")

# Each NVIDIA binary becomes a script that only answers --version: emulating more would hide gaps.
STUB = """#!/bin/sh
# Stand-in for NVIDIA's {tool} (integration-test harness).
case "$1" in
  --version|-v|version) printf '%s\\n' '{banner}' ;;
  *) echo "{tool} stand-in {version}: '$*' is not emulated" >&2; exit 1 ;;
esac
"""


def _stub(tool: str, version: str, banner: str) -> tuple[str, int]:
    return STUB.format(tool=tool, version=version, banner=banner.format(v=version.split("-")[0])), 0o755


def _recipe_hash() -> str:
    return hashlib.sha256(Path(__file__).read_bytes() + GET_DOCKER_SH.read_bytes()).hexdigest()[:12]


class FolderServer:
    """Serves a folder on 127.0.0.1 from a thread of this process; start() again after stop() takes the
    same port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port: int | None = None
        self._server: ThreadingHTTPServer | None = None

    def served(self, path: str) -> None:
        """What to do once a GET of path is answered: nothing, here."""

    def start(self):
        if self._server:
            return self
        owner = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                super().do_GET()
                owner.served(self.path)

        handler = functools.partial(Handler, directory=str(self.folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port or 0), handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True, name="wsl-twin-server").start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError(f"{type(self).__name__}.start() has not run yet")
        return f"http://127.0.0.1:{self.port}"


# The deploy's settings that Mirrors gives (settings()).
SETTINGS = ("docker_install_script_url", "docker_install_script_sha256", "docker_download_url",
            "docker_gpg_fingerprint", "nvidia_repo_url", "nvidia_gpg_fingerprint")


class Mirrors(FolderServer):
    """The stand-in upstreams: build() once, then start()/stop() on one fixed port."""

    def __init__(self, cache_root: Path = CACHE_ROOT):
        self.root = Path(cache_root) / _recipe_hash()
        super().__init__(self.root / "www")
        self._meta: dict | None = None

    def start(self) -> "Mirrors":
        """Serve on 127.0.0.1, on the same port as before if this object served already."""
        self.build()
        return super().start()

    def settings(self) -> dict:
        """The deploy's settings that point it at these stand-ins; each also reads as an attribute of its name
        (`mirrors.docker_download_url`)."""
        meta = self.build()._meta
        return {
            "docker_install_script_url": f"{self.url}/get-docker.sh",
            # The deploy runs a script fetched over plain http only when its digest is pinned.
            "docker_install_script_sha256": meta["docker_install_script_sha256"],
            "docker_download_url": f"{self.url}/docker",
            "docker_gpg_fingerprint": meta["docker_gpg_fingerprint"],
            "nvidia_repo_url": f"{self.url}/nvidia",
            "nvidia_gpg_fingerprint": meta["nvidia_gpg_fingerprint"],
        }

    def __getattr__(self, name: str):
        if name not in SETTINGS:
            raise AttributeError(name)
        return self.settings()[name]

    # --- building --------------------------------------------------------------------------

    def build(self) -> "Mirrors":
        """Build the repositories into the cache unless this recipe's tree is already there."""
        meta = self.root / "meta.json"
        if not meta.exists():
            self.root.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=self.root.parent, prefix=f"{self.root.name}.tmp-"))
            try:
                _build_tree(tmp)
                # A rename, so an interrupted build never leaves a tree that looks finished.
                tmp.rename(self.root)
            except OSError:
                if not meta.exists():
                    raise
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        if self._meta is None:
            self._meta = json.loads(meta.read_text())
        return self


def _build_tree(out: Path) -> None:
    www, debs, work = out / "www", out / "debs", out / "work"
    debs.mkdir()
    work.mkdir()
    gnupghome = tempfile.mkdtemp(prefix="wsl-twin-gpg-")
    env = {**os.environ, "GNUPGHOME": gnupghome}
    try:
        docker_fpr = _gen_key(env, "Docker stand-in")
        nvidia_fpr = _gen_key(env, "NVIDIA stand-in")
        apt = _scratch_apt(work, [engine.suite for engine in ENGINES])
        for engine in ENGINES:
            _docker_engine(engine, apt, debs / f"docker-{engine.suite}", work)
        _docker_dummies(debs / "docker-common")
        _nvidia_packages(debs / "nvidia")
        for distro in sorted({distro for engine in ENGINES for distro in engine.dists}):
            repo = www / "docker/linux" / distro
            repo.mkdir(parents=True)
            (repo / "gpg").write_text(_export(env, docker_fpr))
            for engine in ENGINES:
                for codename in engine.dists.get(distro, []):
                    pool = repo / "dists" / codename / "pool/stable/amd64"
                    _link_debs(debs / "docker-common", pool)
                    _link_debs(debs / f"docker-{engine.suite}", pool)
                    _docker_dist(repo, codename, env, docker_fpr)
        flat = www / "nvidia/stable/deb/amd64"
        _link_debs(debs / "nvidia", flat)
        (www / "nvidia/gpgkey").write_text(_export(env, nvidia_fpr))
        _packages(flat, ".", flat)
        _release(flat, flat, env, nvidia_fpr, Origin="NVIDIA stand-in", Label="NVIDIA stand-in")
        script = GET_DOCKER_SH.read_bytes()
        (www / "get-docker.sh").write_bytes(script)
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True)
        shutil.rmtree(gnupghome, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(debs, ignore_errors=True)
    meta = {
        "docker_gpg_fingerprint": docker_fpr,
        "nvidia_gpg_fingerprint": nvidia_fpr,
        "docker_install_script_sha256": hashlib.sha256(script).hexdigest(),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def _gen_key(env: dict, who: str) -> str:
    uid = f"{who} (wsl-twin test harness) <stand-in@example.invalid>"
    run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"], env=env)
    listing = run(["gpg", "--batch", "--with-colons", "--list-keys", uid], env=env).stdout
    return re.search(r"^fpr:+([0-9A-F]{40}):", listing, re.M).group(1)


def _export(env: dict, fpr: str) -> str:
    return run(["gpg", "--batch", "--armor", "--export", fpr], env=env).stdout


def _scratch_apt(work: Path, suites: list[str]) -> list[str]:
    """apt-get options for package lists of our own, of `suites` on this machine's Debian mirror,
    updated: this machine's apt configuration and lists stay as they are."""
    (work / "sources.list").write_text("".join(
        f"deb [signed-by={DEBIAN_KEYRING}] {debian_mirror()} {suite} main\n" for suite in suites))
    for folder in ("sources.list.d", "lists", "cache"):
        (work / folder).mkdir()
    options = [f"-oDir::Etc::SourceList={work}/sources.list",
               f"-oDir::Etc::SourceParts={work}/sources.list.d",
               f"-oDir::State::Lists={work}/lists", f"-oDir::Cache={work}/cache"]
    run(["apt-get", *options, "update"], timeout=600)
    return options


def _docker_engine(engine: Engine, apt: list[str], out: Path, work: Path) -> None:
    """Debian's real docker.io (and its CLI) renamed docker-ce (docker-ce-cli), so a twin ends up
    with a working engine."""
    fetched = work / engine.suite
    fetched.mkdir()
    names = ["docker.io", *([engine.cli] if engine.cli else [])]
    run(["apt-get", *apt, "download", *(f"{name}/{engine.suite}" for name in names)],
        cwd=fetched, timeout=600)
    for name in names:
        _renamed(next(fetched.glob(f"{name}_*.deb")), engine.versions, out, fetched / "root")
    if not engine.cli:
        for version in engine.versions:
            _deb(out, "docker-ce-cli", version)


def _renamed(deb: Path, versions: tuple[str, ...], out: Path, root: Path) -> None:
    """`deb` under Docker's name for it, once at each of `versions`."""
    shutil.rmtree(root, ignore_errors=True)
    run(["dpkg-deb", "-R", deb, root])
    control = root / "DEBIAN/control"
    fields = re.split(r"\n(?=\S)", control.read_text().strip())
    kept = [f for f in fields if f.split(":", 1)[0] not in DROPPED_FIELDS]
    # needrestart would restart the twin's services behind the test's back; real docker-ce does not pull it.
    kept = [re.sub(r"needrestart[^,]*, ", "", f) if f.startswith("Recommends:") else f for f in kept]
    names = "|".join(re.escape(name) for name in DOCKER_NAMES)
    kept = [re.sub(rf"(?<![\w.+-])({names})(?![\w.+-])", lambda m: DOCKER_NAMES[m[1]], f)
            if f.split(":", 1)[0] in RELATION_FIELDS | {"Package"} else f for f in kept]
    out.mkdir(parents=True, exist_ok=True)
    for version in versions:
        fields = [f"Version: {version}" if f.startswith("Version:") else f for f in kept]
        control.write_text("\n".join(fields) + "\n")
        run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", root, out])


def _docker_dummies(out: Path) -> None:
    for name, version in DOCKER_DUMMIES.items():
        _deb(out, name, version)


def _nvidia_packages(out: Path) -> None:
    for v in NVIDIA_VERSIONS:
        _deb(out, "libnvidia-container1", v)
        _deb(out, "libnvidia-container-tools", v, depends=f"libnvidia-container1 (>= {v})", files={
            "usr/bin/nvidia-container-cli": _stub("nvidia-container-cli", v, "cli-version: {v}"),
        })
        base = {
            "usr/bin/nvidia-ctk": _stub("nvidia-ctk", v, "NVIDIA Container Toolkit CLI version {v}"),
            "usr/bin/nvidia-container-runtime": _stub(
                "nvidia-container-runtime", v, "NVIDIA Container Runtime version {v}"
            ),
        }
        if NVIDIA_VERSIONS.index(v) >= NVIDIA_VERSIONS.index(NVIDIA_CDI_HOOK_SINCE):
            base["usr/bin/nvidia-cdi-hook"] = _stub("nvidia-cdi-hook", v, "NVIDIA CDI Hook version {v}")
        _deb(out, "nvidia-container-toolkit-base", v, files=base)
        _deb(out, "nvidia-container-toolkit", v, depends=(
            f"nvidia-container-toolkit-base (= {v}), libnvidia-container-tools (>= {v})"
        ), files={
            "usr/bin/nvidia-container-runtime-hook": _stub(
                "nvidia-container-runtime-hook", v, "NVIDIA Container Runtime Hook version {v}"
            ),
        })
    _deb(out, "nvidia-docker2", NVIDIA_DOCKER2_VERSION, arch="all",
         depends=f"nvidia-container-toolkit (>= {NVIDIA_VERSIONS[0]})")


def _deb(out: Path, name: str, version: str, *, arch="amd64", depends=None, files=None) -> None:
    """A small package: the given files plus a README saying it is a stand-in."""
    with tempfile.TemporaryDirectory() as root:
        files = {f"usr/share/doc/{name}/README.stand-in": ("Built by the wsl-twin test harness.\n", 0o644),
                 **(files or {})}
        for path, (text, mode) in files.items():
            target = Path(root, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            target.chmod(mode)
        control = [f"Package: {name}", f"Version: {version}", f"Architecture: {arch}",
                   "Maintainer: wsl-twin test harness <stand-in@example.invalid>",
                   "Section: admin", "Priority: optional"]
        control += [f"Depends: {depends}"] if depends else []
        control += [f"Description: stand-in for {name}", " Built by the integration-test harness."]
        Path(root, "DEBIAN").mkdir()
        Path(root, "DEBIAN/control").write_text("\n".join(control) + "\n")
        out.mkdir(parents=True, exist_ok=True)
        run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-b", root, out])


def _link_debs(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for deb in src.glob("*.deb"):
        os.link(deb, dest / deb.name)


def _docker_dist(repo: Path, codename: str, env: dict, fpr: str) -> None:
    dist = repo / "dists" / codename
    _packages(repo, f"dists/{codename}/pool/stable/amd64", dist / "stable/binary-amd64")
    _release(dist, dist, env, fpr, Origin="Docker", Label="Docker CE", Suite=codename,
             Codename=codename, Architectures="amd64", Components="stable")


def _packages(cwd: Path, pool: str, dest: Path) -> None:
    """Packages and Packages.gz for the debs under `pool`, with Filename relative to `cwd`."""
    text = run(["apt-ftparchive", "packages", pool], cwd=cwd).stdout
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "Packages").write_text(text)
    (dest / "Packages.gz").write_bytes(gzip.compress(text.encode(), mtime=0))


def _release(index_dir: Path, dest: Path, env: dict, fpr: str, **fields) -> None:
    """Release over the indexes in `index_dir`, clear-signed as InRelease and detached as Release.gpg."""
    options = [f"-oAPT::FTPArchive::Release::{key}={value}" for key, value in fields.items()]
    text = run(["apt-ftparchive", *options, "release", "."], cwd=index_dir).stdout
    (dest / "Release").write_text(text)
    sign = ["gpg", "--batch", "--yes", "--local-user", fpr]
    run([*sign, "--clearsign", "-o", dest / "InRelease", dest / "Release"], env=env)
    run([*sign, "-abs", "-o", dest / "Release.gpg", dest / "Release"], env=env)
