"""A company network on 127.0.0.1: Debian's tinyproxy (optionally asking for a password), a port where
no proxy listens, a throwaway CA and the stand-in mirrors served over https with a certificate it signs."""

from __future__ import annotations

import functools
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .run import run
from .ssh import free_port


class TinyProxy:
    """tinyproxy on 127.0.0.1:port, logging every request it forwards; with `user` and `password`
    it answers 407 to a request without them."""

    def __init__(self, user: str | None = None, password: str | None = None):
        self.user, self.password = user, password
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
        self._proc = subprocess.Popen(["tinyproxy", "-d", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        for _ in range(50):
            if "Listening on" in self.log.read_text() or run(["curl", "-s", "-o", "/dev/null", self.url],
                                                             check=False).returncode == 0:
                break
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self._proc:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None
        shutil.rmtree(self.folder, ignore_errors=True)

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


class CompanyCA:
    """A throwaway CA and a certificate it signs for 127.0.0.1, made with openssl."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="wsl-twin-ca-"))
        self.cert, self.server_cert, self.server_key = (self.folder / n for n in ("ca.pem", "server.pem", "server.key"))
        key = self.folder / "ca.key"
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(key),
             "-out", str(self.cert), "-subj", "/CN=wsl-twin test company CA"])
        csr = self.folder / "server.csr"
        run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(self.server_key), "-out", str(csr),
             "-subj", "/CN=127.0.0.1"])
        ext = self.folder / "ext.cnf"
        ext.write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(self.cert), "-CAkey", str(key),
             "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(self.server_cert)])

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


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


class _Refuses(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _refuse(self) -> None:
        self.send_response(407, "Proxy Authentication Required")
        self.send_header("Proxy-Authenticate", 'Basic realm="corp"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_CONNECT = _refuse


class ProxyWanting407:
    """A company proxy that wants credentials it is not given: it answers every request 407, as squid
    does (Debian's tinyproxy 1.11.1 answers its BasicAuth failures 401, not 407)."""

    def __init__(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True, name="wsl-twin-407").start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
