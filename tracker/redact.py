"""Secrets kept off screens, logs and tables: the credentials a URL can carry are replaced by `***`.

`redact_url` hides the `user:password@` part and the values of query parameters that hold a
credential (token, key, secret, password, sig, signature, api_key, access_token, …); the scheme,
host and path stay, so an error still says which server failed. `redact_text` does the same for
every URL inside a longer message (an exception's text, a failure record). Neither ever raises:
a malformed URL is redacted by pattern, never echoed as it came.
"""

from __future__ import annotations

import re

MASK = "***"

# A query parameter whose name contains one of these words holds a credential.
_SECRET_PARAM = r"[^=&#;\s'\"]*(?:token|key|secret|passw|pwd|sig|auth|credential|session|code)[^=&#;\s'\"]*"
_QUERY_SECRET = re.compile(rf"(?i)([?&;]{_SECRET_PARAM}=)[^&#;\s'\"]*")
# `scheme://user:password@` (or `scheme://token@`): everything between `//` and the last `@` of the authority.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s'\"]*@")


def redact_text(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by `***`."""
    if not text:
        return text
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    return _QUERY_SECRET.sub(rf"\1{MASK}", text)


def redact_url(url: str) -> str:
    """`url` with its user, password and credential-bearing query values replaced by `***`.

    `https://u:p@hooks.example.com/x?token=abc&channel=ops` → `https://***@hooks.example.com/x?token=***&channel=ops`.
    """
    return redact_text(url)
