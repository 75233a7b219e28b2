"""NVIDIA's and Docker's real signing keys (../shared/upstream) against the deploy's defaults."""

import subprocess
from pathlib import Path

import pytest

from defaults import DEFAULTS
from tasks.shell import FILES, shell_script

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
    read = shell_script("repository-files.sh", str(UPSTREAM / path), str(tmp_path / "no.list"))
    kept = subprocess.run(["sh", "-c", read], capture_output=True, text=True, check=True).stdout.split()
    assert kept == ["key_file", f"key={DEFAULTS[setting]}"]


def test_keys_read_at_once_in_the_home_the_state_read_lends_them_give_the_same_and_leave_it_as_it_was(tmp_path):
    # files/stack-state.sh lends its keys' gpg its own folder, where the keys' lines are being written.
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "apt-busy").write_text("")
    both = (FILES / "lib" / "key-fingerprints.sh").read_text() + (
        'primary_fingerprints "$1" "$3" > "$3/1" & primary_fingerprints "$2" "$3" > "$3/2" & wait; cat "$3/1" "$3/2"')
    out = subprocess.run(["sh", "-c", both, "both", *(str(UPSTREAM / path) for path, _ in KEYS), str(home)],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [DEFAULTS[setting] for _, setting in KEYS]
    assert sorted(p.name for p in home.iterdir()) == ["1", "2", "apt-busy"]
