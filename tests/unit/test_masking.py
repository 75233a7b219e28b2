"""Proxy credentials are hidden by one rule wherever a URL is shown: masked() here, sed on the host."""

import subprocess

import pytest

from tasks.masking import SED_PROGRAM, masked

CASES = [
    ("http://user:secret@proxy:3128", "http://user:***@proxy:3128"),
    ("proxy is 'https://u:p%40ss@proxy.corp:8080' now", "proxy is 'https://u:***@proxy.corp:8080' now"),
    ("HTTPS_PROXY=http://token@proxy:3128", "HTTPS_PROXY=http://token:***@proxy:3128"),
    ("http://proxy:3128 and https://download.docker.com/linux/", "http://proxy:3128 and https://download.docker.com/linux/"),
    ('Acquire::http::Proxy "http://dev-proxy:Pr0xy-s3cret@127.0.0.1:8888";',
     'Acquire::http::Proxy "http://dev-proxy:***@127.0.0.1:8888";'),
    ("1http://u:secret@p:3128|socks5h://a:secret@p:1080", "1http://u:***@p:3128|socks5h://a:***@p:1080"),
    ("curl: (7) http://u:secret@p\tand http://v:secret@p:80", "curl: (7) http://u:***@p\tand http://v:***@p:80"),
    ("http://u:secret@p/x@y and http://a@b@c", "http://u:***@p/x@y and http://a:***@b@c"),
    ("http://proxy:3128\nuser:x@host", "http://proxy:3128\nuser:x@host"),  # each line on its own
]


@pytest.mark.parametrize("text, shown", CASES)
def test_credentials_are_masked_and_nothing_else(text, shown):
    assert masked(text) == shown


def test_the_hosts_sed_reads_the_rule_as_masked_does():
    """files/doctor-network.sh applies SED_PROGRAM with `sed -E`: the same inputs, the same text out."""
    texts = "".join(f"{text}\n" for text, _ in CASES)
    out = subprocess.run(["sed", "-E", SED_PROGRAM], input=texts, capture_output=True, text=True, check=True).stdout
    assert out == "".join(f"{shown}\n" for _, shown in CASES)


def test_values_that_are_not_text_pass_untouched():
    assert masked(None) is None and masked(["x"]) == ["x"]
