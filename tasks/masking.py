"""The one place proxy credentials are hidden: every message, report and file meant for people goes through masked()."""

from __future__ import annotations

import re

# scheme://user:password@ -> scheme://user:***@ ; a bare scheme://token@ hides the token.
_CREDENTIALS = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/@\s'\"]*)(?::[^@/\s'\"]*)?@")


def masked(text):
    """text with the password of every URL in it replaced by ***; other values pass untouched."""
    if not isinstance(text, str):
        return text
    return _CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
