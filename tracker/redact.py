"""Secrets kept off screens, logs and tables: the credentials a URL can carry are replaced by `***`.

`redact_url` hides the `user:password@` part and the values of query parameters that hold a
credential (token, key, secret, password, sig, signature, api_key, access_token, …), and the
path segments that hold one: webhook services put their secret in the path
(`https://hooks.slack.com/services/T0/B0/<secret>`, `https://discord.com/api/webhooks/<id>/<token>`),
so a segment that looks random (a run of 16 or more letters and digits with at least two of each)
or follows a segment named `token`, `key` or `secret` is replaced. The scheme, host and the rest
of the path stay, so an error still says which server failed. `redact_text` does the same for
every URL inside a longer message (an exception's text, a failure record). Neither ever raises:
a malformed URL is redacted by pattern, never echoed as it came.
"""

from __future__ import annotations

import hashlib
import re

MASK = "***"

# A query parameter whose name contains one of these words holds a credential.
_SECRET_PARAM = r"[^=&#;\s'\"]*(?:token|key|secret|passw|pwd|sig|auth|credential|session|code)[^=&#;\s'\"]*"
_QUERY_SECRET = re.compile(rf"(?i)([?&;]{_SECRET_PARAM}=)[^&#;\s'\"]*")
# `scheme://user:password@` (or `scheme://token@`): everything between `//` and the last `@` of the authority.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s'\"]*@")


# A URL inside a text, and its parts: the authority, the path, the query and fragment.
_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]*://[^\s'\"<>]*[^\s'\"<>.,:;)\]]")
_PARTS = re.compile(r"(?s)([^:]*://[^/?#]*)([^?#]*)(.*)")
_RUN = re.compile(r"[A-Za-z0-9]{16,}")
_SECRET_NAME = re.compile(r"(?i)(?:api[_-]?)?(?:token|key|secret|password|passwd|signature|sig)s?")


def _random_looking(segment: str) -> bool:
    """A path segment holding a run of 16+ letters and digits with at least two of each (a token, a hash)."""
    for run in _RUN.findall(segment):
        digits = sum(c.isdigit() for c in run)
        if digits >= 2 and len(run) - digits >= 2:
            return True
    return False


def _redact_path(url: str) -> str:
    m = _PARTS.match(url)
    if not m:
        return url
    head, path, tail = m.groups()
    segments = path.split("/")
    out = []
    for i, segment in enumerate(segments):
        named = i > 0 and _SECRET_NAME.fullmatch(segments[i - 1]) is not None and segment != ""
        out.append(MASK if segment != MASK and (named or _random_looking(segment)) else segment)
    return head + "/".join(out) + tail


def redact_text(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by `***`."""
    if not text:
        return text
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    text = _QUERY_SECRET.sub(rf"\1{MASK}", text)
    return _URL.sub(lambda m: _redact_path(m.group(0)), text)


def redact_url(url: str) -> str:
    """`url` with its user, password and credential-bearing query values replaced by `***`.

    `https://u:p@hooks.example.com/x?token=abc&channel=ops` → `https://***@hooks.example.com/x?token=***&channel=ops`.
    """
    return redact_text(url)


def redacted_key(url: str) -> str:
    """A URL as it may be stored and shown, still telling apart URLs that differ only in a secret.

    The redacted URL, plus `#` and 12 hex digits of a SHA-256 of the full URL when redaction hid
    something: enough to key a row by, never enough to recover the secret. Idempotent.
    """
    redacted = redact_url(url)
    if redacted == url:
        return url
    return f"{redacted}#{hashlib.sha256(url.encode('utf-8')).hexdigest()[:12]}"
