"""The one place proxy credentials are hidden: every message, report and file meant for people goes through masked()."""

from __future__ import annotations

import re

# The rule, written once in the syntax that Python's re and `sed -E` read alike, for the host's
# shell to apply to what it prints (files/doctor-network.sh takes SED_PROGRAM): scheme://user:password@
# becomes scheme://user:***@, and scheme://user@ gains :***. A user or password ends at whitespace
# (as literal characters: sed reads no \s) or a quote. sed works line by line, and so does masked().
_END = " \t\r\f\v'\""
PATTERN = f"([A-Za-z][A-Za-z0-9+.-]*://[^:/@{_END}]*)(:[^@/{_END}]*)?@"
REPLACEMENT = r"\1:***@"
SED_PROGRAM = f"s#{PATTERN}#{REPLACEMENT}#g"
_CREDENTIALS = re.compile(PATTERN)


def masked(text):
    """text with the password of every URL in it replaced by ***; other values pass untouched."""
    if not isinstance(text, str):
        return text
    return "\n".join(_CREDENTIALS.sub(REPLACEMENT, line) for line in text.split("\n"))
