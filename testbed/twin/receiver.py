"""A report receiver on 127.0.0.1: Debian's nginx with WebDAV, basic auth or a token, TLS from a test CA."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .network import CompanyCA, _Process
from .run import run
from .ssh import free_port

DAV_EXT = Path("/usr/lib/nginx/modules/ngx_http_dav_ext_module.so")  # Debian's libnginx-mod-http-dav-ext
CONFIG = """load_module {dav_ext};
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        root {folder}/www;
        location /reports/ {{
            dav_methods PUT DELETE;
            dav_ext_methods PROPFIND OPTIONS;
            create_full_put_path on;
            auth_basic "fleet reports";
            auth_basic_user_file {folder}/htpasswd;
        }}
        # GitLab's generic packages, Artifactory: a token in a header instead of a password.
        location /token/ {{
            if ($http_private_token != "{token}") {{ return 401; }}
            dav_methods PUT DELETE;
            dav_ext_methods PROPFIND OPTIONS;
            create_full_put_path on;
        }}
    }}
}}
"""


class DavReceiver(_Process):
    """nginx on 127.0.0.1:port taking PUTs into /reports/ (basic auth: user and password) and /token/
    (a PRIVATE-TOKEN header), and answering PROPFIND there; its workers run as nobody."""

    def __init__(self, ca: CompanyCA, user: str, password: str, token: str):
        self.port, self.user, self.password, self.token = free_port(), user, password, token
        self.folder = Path(tempfile.mkdtemp(prefix="wsl-twin-dav-"))
        self.folder.chmod(0o755)  # the workers (nobody) write the reports and read the htpasswd file
        for name in ("reports", "token"):
            (self.folder / "www" / name).mkdir(parents=True)
            (self.folder / "www" / name).chmod(0o777)
        hashed = run(["openssl", "passwd", "-apr1", password]).stdout.strip()
        (self.folder / "htpasswd").write_text(f"{user}:{hashed}\n")
        cert, key = ca.sign("127.0.0.1")
        self._config = self.folder / "nginx.conf"
        self._config.write_text(CONFIG.format(dav_ext=DAV_EXT, folder=self.folder, port=self.port, cert=cert,
                                              key=key, token=token))
        self.log = self.folder / "nginx.out"

    def url(self, user: str | None = None, password: str | None = None, path: str = "reports") -> str:
        """The folder's URL, with basic auth (this receiver's own, unless others are given)."""
        user = self.user if user is None else user
        password = self.password if password is None else password
        auth = f"{user}:{password}@" if user else ""
        return f"https://{auth}127.0.0.1:{self.port}/{path}/"

    def files(self, path: str = "reports") -> dict[str, bytes]:
        """What the receiver holds: {name: content}."""
        return {p.name: p.read_bytes() for p in sorted((self.folder / "www" / path).iterdir())}

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in (self.folder / "access.log", self.folder /
                                                                "error.log", self.log) if p.exists())

    def start(self) -> "DavReceiver":
        if shutil.which("nginx") is None or not DAV_EXT.exists():
            raise RuntimeError("no nginx with WebDAV: install nginx-core and libnginx-mod-http-dav-ext "
                               "(.ci/setup-host.sh does)")
        with self.log.open("w") as log:
            self._proc = subprocess.Popen(["nginx", "-c", str(self._config), "-p", str(self.folder)],
                                          stdout=log, stderr=subprocess.STDOUT)
        for _ in range(50):
            if run(["curl", "-sk", "-o", "/dev/null", f"https://127.0.0.1:{self.port}/"], check=False).returncode == 0:
                return self
            if self._proc.poll() is not None:
                break
            time.sleep(0.1)
        said = self.logs()[-2000:]
        self.stop()
        raise RuntimeError(f"nginx did not answer on 127.0.0.1:{self.port}:\n{said}")
