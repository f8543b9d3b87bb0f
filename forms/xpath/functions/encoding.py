"""Digests and base64: `digest()` and `base64-decode()`.

`digest(src, algorithm, encoding?)` follows XForms 1.1 as JavaRosa implements it:
the UTF-8 bytes of `src` are hashed with MD5, SHA-1, SHA-256, SHA-384 or SHA-512
and written in base64 (the default) or lower-case hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from forms.xpath.context import Context
from forms.xpath.functions.arguments import bad_argument
from forms.xpath.functions.registry import function
from forms.xpath.values import Value, to_string

_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


@function("digest", 2, 3)
def digest(ctx: Context, args: list[Value]) -> Value:
    source, algorithm = to_string(args[0]), to_string(args[1])
    encoding = to_string(args[2]) if len(args) == 3 else "base64"
    hash_name = _ALGORITHMS.get(algorithm.strip().upper())
    if hash_name is None:
        raise bad_argument("digest", algorithm, "use MD5, SHA-1, SHA-256, SHA-384 or SHA-512")
    raw = hashlib.new(hash_name, source.encode("utf-8")).digest()
    kind = encoding.strip().lower()
    if kind == "base64":
        return base64.b64encode(raw).decode("ascii")
    if kind == "hex":
        return raw.hex()
    raise bad_argument("digest", encoding, "the encoding must be 'base64' or 'hex'")


@function("base64-decode", 1)
def base64_decode(ctx: Context, args: list[Value]) -> Value:
    """The UTF-8 text a base64 value encodes; empty when the value is not base64.

    Bytes that are not UTF-8 become U+FFFD, as Java's `new String(bytes, UTF_8)` does.
    """
    text = "".join(to_string(args[0]).split())
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return raw.decode("utf-8", errors="replace")
