"""What doctor reads of the company network: each layer's proxy, and whether each upstream answers through it."""

from __future__ import annotations

from pyinfra.api import FactBase

from tasks.facts import parse_lines
from tasks.managed import PROXY_ENV
from tasks.masking import SED_PROGRAM
from tasks.network import upstream_sites
from tasks.shell import shell_script


def image_registry(image: str) -> str:
    """The registry an image reference pulls from, as Docker reads it: Docker Hub without a host part."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return "registry-1.docker.io"


def proxy_probes(settings) -> list[str]:
    """What doctor asks through the proxy: Docker's and NVIDIA's sites and the smoke test's registry;
    nothing when no proxy or CA is set, where the deploy's own downloads tell."""
    if not (settings.http_proxy or settings.https_proxy or settings.ca_certificates):
        return []
    return [*upstream_sites(settings), f"https://{image_registry(settings.gpu_smoke_test_image)}/v2/"]


class NetworkFacts(FactBase):
    """
    Returns {key: value} of files/doctor-network.sh: the proxy of pyinfra's environment (env.*), of apt's
    configuration (apt.*) and of the engine (dockerd.*, from `docker info`), each masked by
    tasks/masking.py's rule, with its sha256; whether the deploy's proxy file was read (deploy_env); and
    "reach" lines, one per URL:
    "curl's exit, HTTP code, CONNECT code, the URL, curl's first error line"; {} when it printed nothing.
    """

    default = dict

    def command(self, urls):
        return shell_script("doctor-network.sh", PROXY_ENV, SED_PROGRAM, *urls)

    def process(self, output):
        return {f"net.{k}": v for k, v in parse_lines(output, {"reach"}).items()}
