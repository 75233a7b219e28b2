"""Proxy credentials are hidden by one function wherever a URL is shown."""

import pytest

from tasks.masking import masked


@pytest.mark.parametrize("text, shown", [
    ("http://user:secret@proxy:3128", "http://user:***@proxy:3128"),
    ("proxy is 'https://u:p%40ss@proxy.corp:8080' now", "proxy is 'https://u:***@proxy.corp:8080' now"),
    ("HTTPS_PROXY=http://token@proxy:3128", "HTTPS_PROXY=http://token:***@proxy:3128"),
    ("http://proxy:3128 and https://download.docker.com/linux/", "http://proxy:3128 and https://download.docker.com/linux/"),
])
def test_credentials_are_masked_and_nothing_else(text, shown):
    assert masked(text) == shown


def test_values_that_are_not_text_pass_untouched():
    assert masked(None) is None and masked(["x"]) == ["x"]
