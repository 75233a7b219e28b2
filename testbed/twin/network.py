"""A company network on 127.0.0.1: Debian's tinyproxy (optionally asking for a password), Debian's squid
answering 407 to wrong credentials, a port where no proxy listens, a throwaway CA, the stand-in mirrors
served over https with a certificate it signs and Debian's docker-registry serving an image with another."""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import ssl
import subprocess
import tarfile
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .run import run
from .ssh import free_port


class _Process:
    """A server process this module starts in its own temporary folder; stop() ends that process alone."""

    folder: Path
    _proc: subprocess.Popen | None = None

    def stop(self) -> None:
        if self._proc:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None
        shutil.rmtree(self.folder, ignore_errors=True)


class TinyProxy(_Process):
    """tinyproxy on 127.0.0.1:port, logging every request it forwards; with `user` and `password`
    it answers 407 to a request without them. `hosts` ({name: address}) are names only it resolves:
    it runs in a mount namespace of its own, where a copy of /etc/hosts that adds them is mounted over
    this machine's (as root)."""

    def __init__(self, user: str | None = None, password: str | None = None, hosts: dict[str, str] | None = None):
        self.user, self.password, self.hosts = user, password, hosts or {}
        self.folder = Path(tempfile.mkdtemp(prefix="wsl-twin-proxy-"))
        self.port = free_port()
        self.log = self.folder / "tinyproxy.log"
        self._proc: subprocess.Popen | None = None

    def start(self) -> "TinyProxy":
        if shutil.which("tinyproxy") is None:
            raise RuntimeError("no tinyproxy: install Debian's tinyproxy (.ci/setup-host.sh does)")
        # No ConnectPort line: CONNECT is allowed to any port (the https mirrors' too).
        lines = [f"Port {self.port}", "Listen 127.0.0.1", "Timeout 120", "MaxClients 64",
                 f'LogFile "{self.log}"', "LogLevel Connect", "DisableViaHeader Yes"]
        if self.user:
            lines.append(f"BasicAuth {self.user} {self.password}")
        conf = self.folder / "tinyproxy.conf"
        conf.write_text("\n".join(lines) + "\n")
        self.log.touch(mode=0o666)
        command = ["tinyproxy", "-d", "-c", str(conf)]
        if self.hosts:
            hosts = self.folder / "hosts"
            hosts.write_text(Path("/etc/hosts").read_text()
                             + "".join(f"{address} {name}\n" for name, address in self.hosts.items()))
            # unshare execs sh, which execs tinyproxy: one process, self._proc's.
            command = ["unshare", "-m", "sh", "-c", 'mount --bind "$1" /etc/hosts && shift && exec "$@"', "sh",
                       str(hosts), *command]
        self._proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if "Listening on" in self.log.read_text() or run(["curl", "-s", "-o", "/dev/null", self.url],
                                                             check=False).returncode == 0:
                break
            time.sleep(0.1)
        return self

    def url_for(self, user: str | None = None, password: str | None = None) -> str:
        who = f"{user}:{password}@" if user else ""
        return f"http://{who}127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The proxy's URL, with its credentials when it asks for them."""
        return self.url_for(self.user, self.password)

    def requests(self) -> list[str]:
        """What it was asked for: "GET http://...", "CONNECT host:port", in order."""
        out = []
        for line in self.log.read_text().splitlines():
            if "Request (file descriptor" in line:
                out.append(line.split("): ", 1)[1].rsplit(" HTTP/", 1)[0])
        return out


class Squid(_Process):
    """Debian's squid on 127.0.0.1:port, run in the foreground with a config of its own (not the package's
    service): no cache, Basic credentials checked by its basic_ncsa_auth against `user` and `password`,
    and 407 to a request without them or with others."""

    def __init__(self, user: str, password: str):
        self.user, self.port = user, free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="wsl-twin-squid-"))
        self.log, self._cache_log = self.folder / "access.log", self.folder / "cache.log"
        passwd = self.folder / "passwd"
        passwd.write_text(f"{user}:{run(['openssl', 'passwd', '-apr1', '-stdin'], input=password).stdout}")
        self._conf = self.folder / "squid.conf"
        self._conf.write_text("\n".join([
            f"http_port 127.0.0.1:{self.port}", "visible_hostname wsl-twin-squid", "cache deny all", "cache_mem 8 MB",
            f"access_log stdio:{self.log}", f"cache_log {self._cache_log}", f"pid_filename {self.folder}/squid.pid",
            f"coredump_dir {self.folder}", "netdb_filename none", "pinger_enable off", "shutdown_lifetime 0 seconds",
            f"auth_param basic program /usr/lib/squid/basic_ncsa_auth {passwd}", 'auth_param basic realm corp',
            "acl authenticated proxy_auth REQUIRED", "http_access allow authenticated", "http_access deny all",
        ]) + "\n")
        if os.geteuid() == 0:  # squid started as root works as Debian's "proxy" user: its files are that user's
            shutil.chown(self.folder, "proxy", "proxy")

    def start(self) -> "Squid":
        if shutil.which("squid") is None:
            raise RuntimeError("no squid: install Debian's squid (.ci/setup-host.sh does)")
        # -N: no daemon and no kid processes, so self._proc is squid itself and stop() ends it.
        self._proc = subprocess.Popen(["squid", "-N", "-f", str(self._conf)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        probe = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", self.url_for(), "http://127.0.0.1:9/"]
        for _ in range(100):
            if run(probe, check=False).stdout == "407":
                return self
            if self._proc.poll() is not None:
                break
            time.sleep(0.1)
        said = self._cache_log.read_text()[-2000:] if self._cache_log.exists() else ""
        self.stop()
        raise RuntimeError(f"squid did not answer 407 on 127.0.0.1:{self.port}:\n{said}")

    def url_for(self, user: str | None = None, password: str | None = None) -> str:
        who = f"{user}:{password}@" if user else ""
        return f"http://{who}127.0.0.1:{self.port}"

    def denials(self) -> list[str]:
        """The access log's lines for requests it refused for want of credentials (TCP_DENIED/407)."""
        return [line for line in self.log.read_text().splitlines() if "/407 " in line]


class CompanyCA:
    """A throwaway CA made with openssl, with a certificate it signs for 127.0.0.1 and more on demand."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="wsl-twin-ca-"))
        self.cert, self._key = self.folder / "ca.pem", self.folder / "ca.key"
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(self._key),
             "-out", str(self.cert), "-subj", "/CN=wsl-twin test company CA"])
        self.server_cert, self.server_key = self.sign("127.0.0.1")

    def sign(self, name: str) -> tuple[Path, Path]:
        """A server certificate for name (a DNS name or an IP address) and its key."""
        cert, key, csr, ext = (self.folder / f"{name}.{end}" for end in ("pem", "key", "csr", "cnf"))
        run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
             "-subj", f"/CN={name}"])
        kind = "IP" if name.replace(".", "").isdigit() else "DNS"
        ext.write_text(f"subjectAltName={kind}:{name}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(self.cert), "-CAkey", str(self._key),
             "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert)])
        return cert, key

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Registry(_Process):
    """Debian's docker-registry (distribution 2.8) on 127.0.0.1:port, run by the tests with a config of
    their own (not the package's service): TLS with a certificate that ca signs for `name`, storage in a
    temporary folder."""

    def __init__(self, ca: CompanyCA, name: str):
        self.name, self.port = name, free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="wsl-twin-registry-"))
        self.log = self.folder / "registry.log"
        cert, key = ca.sign(name)
        config = {"version": 0.1, "log": {"level": "warn", "accesslog": {"disabled": True}},
                  "storage": {"filesystem": {"rootdirectory": str(self.folder / "storage")}},
                  "http": {"addr": f"127.0.0.1:{self.port}", "tls": {"certificate": str(cert), "key": str(key)}}}
        self._config = self.folder / "config.yml"
        self._config.write_text(json.dumps(config))  # JSON is YAML
        self._proc: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        """name:port, as an image reference starts."""
        return f"{self.name}:{self.port}"

    def start(self) -> "Registry":
        if shutil.which("docker-registry") is None:
            raise RuntimeError("no docker-registry: install Debian's docker-registry (.ci/setup-host.sh does)")
        with self.log.open("w") as log:
            self._proc = subprocess.Popen(["docker-registry", "serve", str(self._config)], stdout=log,
                                          stderr=subprocess.STDOUT)
        for _ in range(50):
            if run(["curl", "-sfk", "-o", "/dev/null", f"https://127.0.0.1:{self.port}/v2/"],
                   check=False).returncode == 0:
                return self
            if self._proc.poll() is not None:
                break
            time.sleep(0.1)
        said = self.log.read_text()[-2000:]
        self.stop()
        raise RuntimeError(f"docker-registry did not answer on 127.0.0.1:{self.port}:\n{said}")

    def push(self, image: str) -> "Registry":
        """image ("nvidia/cuda-sample:nbody") made of one small file, imported into this machine's engine,
        pushed here (the engine treats 127.0.0.0/8 as an insecure registry) and removed from the engine."""
        tar, local = self.folder / "image.tar", f"127.0.0.1:{self.port}/{image}"
        with tarfile.open(tar, "w") as archive:
            body = f"{image}: a stand-in served by the tests' registry\n".encode()
            member = tarfile.TarInfo("README")
            member.size, member.mode, member.mtime = len(body), 0o644, 0
            archive.addfile(member, io.BytesIO(body))
        run(["docker", "import", str(tar), local])
        try:
            run(["docker", "push", local], timeout=120)
        finally:
            run(["docker", "rmi", local], check=False)
        return self


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class HttpsMirrors:
    """The stand-in mirrors' tree served over https by a certificate that ca signs."""

    def __init__(self, mirrors, ca: CompanyCA):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(ca.server_cert, ca.server_key)
        self.mirrors = mirrors
        handler = functools.partial(_Quiet, directory=str(mirrors.build().root / "www"))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True, name="wsl-twin-https").start()

    def settings(self) -> dict:
        return {**self.mirrors.settings(), "docker_install_script_url": f"{self.url}/get-docker.sh",
                "docker_download_url": f"{self.url}/docker", "nvidia_repo_url": f"{self.url}/nvidia"}

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
