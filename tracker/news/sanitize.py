"""Making untrusted feed text safe before it is stored or shown.

Summaries keep a small set of formatting tags (nh3, the Ammonia sanitiser) with http/https links
only; titles and summaries' text become plain text, stored as written (no markup escaping). The
dashboard escapes markdown where it renders them (`tracker.ui.format.plain`), so a title can never
turn into a link, an image or HTML there, and the checks match the words the publisher wrote.

Bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F) are removed from
all feed text: they can make a title read backwards or hide what follows it on screen.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

ALLOWED_TAGS = {"a", "b", "strong", "i", "em", "p", "br", "ul", "ol", "li", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|guccounter|guce_\w+|_hsenc|_hsmi|ref|soc_src|soc_trk)$", re.I)
_SPACE = re.compile(r"\s+")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def strip_bidi(text: str) -> str:
    """`text` without bidirectional embedding, override, isolate and mark characters."""
    return BIDI_CONTROLS.sub("", text)


def clean_html(fragment: str | None) -> str:
    """Sanitised HTML: no scripts, styles, event handlers or non-http(s) links."""
    if not fragment:
        return ""
    return nh3.clean(
        strip_bidi(fragment),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
    ).strip()


def to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment, whitespace collapsed."""
    if not fragment:
        return ""
    stripped = nh3.clean(fragment, tags=set(), clean_content_tags={"script", "style"})
    return _SPACE.sub(" ", strip_bidi(html.unescape(stripped))).strip()


def safe_link(url: str | None) -> str | None:
    """An http(s) URL without tracking parameters and fragment, or None for anything else."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\n\r\t \"'<>"):
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))
