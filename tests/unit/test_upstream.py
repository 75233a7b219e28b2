"""NVIDIA's and Docker's real signing keys (../shared/upstream) against the deploy's defaults."""

import subprocess
from pathlib import Path

import pytest

from defaults import DEFAULTS
from tasks.shell import shell_script

UPSTREAM = Path(__file__).resolve().parents[3] / "shared" / "upstream"
KEYS = [("nvidia/gpgkey", "nvidia_gpg_fingerprint"), ("docker/gpg", "docker_gpg_fingerprint")]


def colons(key: Path, tmp_path) -> str:
    return subprocess.run(["gpg", "--batch", "--homedir", str(tmp_path), "--show-keys", "--with-colons",
                           str(key)], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("path, setting", KEYS)
def test_the_real_keys_primary_fingerprint_is_the_default(path, setting, tmp_path):
    lines = colons(UPSTREAM / path, tmp_path).splitlines()
    # gpg's colon listing: the fpr record right after the pub record is the primary key's.
    primary = [lines[i + 1].split(":")[9] for i, line in enumerate(lines) if line.startswith("pub:")]
    assert primary == [DEFAULTS[setting]]


@pytest.mark.parametrize("path, setting", KEYS)
def test_the_deploys_fingerprint_filter_keeps_the_primary_key_only(path, setting, tmp_path):
    # NVIDIA's key carries a subkey that expired in 2021; apt still accepts what the primary signs.
    listing = colons(UPSTREAM / path, tmp_path)
    assert listing.count("\nfpr:") + listing.startswith("fpr:") >= 2, "a subkey's fingerprint is listed too"
    kept = subprocess.run(["sh", "-c", shell_script("key-fingerprints.sh", str(UPSTREAM / path))],
                          capture_output=True, text=True, check=True).stdout.split()
    assert kept == [DEFAULTS[setting]]
