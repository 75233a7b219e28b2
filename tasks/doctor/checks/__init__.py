"""Doctor's checks, one module per layer: importing them, bottom to top, declares every check."""

from __future__ import annotations

import importlib

from tasks.doctor.registry import REGISTRY, Check, Registry
from tasks.findings import Finding

# The layers, bottom to top, each the module that declares its checks (daemon-json: daemon_json.py)
# and names the layer as the report shows it (its LAYER).
ORDER = ("settings", "sudo", "preflight", "driver", "wsl", "linux-driver", "systemd", "proxy", "docker", "group",
         "docker-config", "toolkit", "daemon-json", "gpu")
MODULES = [f"{__name__}.{key.replace('-', '_')}" for key in ORDER]
LAYERS = {key: importlib.import_module(module).LAYER for key, module in zip(ORDER, MODULES)}


def ordered(registry: Registry = REGISTRY) -> list[Check]:
    """A registry's checks in the order they run: by layer, bottom to top, then as declared."""
    return registry.ordered(MODULES)


CHECKS = ordered()


def layer(check: str) -> str:
    """The layer a check's name puts it in, as the report shows it."""
    return LAYERS[check.split(".")[0]]


def run_checks(facts: dict, settings, checks: list[Check] = CHECKS) -> list[Finding]:
    return [c(facts, settings) for c in checks]
