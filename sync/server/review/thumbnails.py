"""Smaller copies of image attachments for the review screens, made on the server with Pillow.

A supervisor on a slow office link fetches a preview of a few tens of kB instead of a 10 MB
photo, and the page never holds more than a bounded number of pixels. A file that is not an
image, or too large to decode safely, is refused with a message; the original stays available.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps

from sync.server.errors import BadRequest, TooLarge

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
MAX_SOURCE_BYTES = 40_000_000
MAX_PIXELS = 60_000_000
"""Pixels decoded at most; JPEG decodes at a reduced scale first, so a 200 MP photo passes."""


def media_type(name: str) -> str:
    return IMAGE_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def is_image(name: str) -> bool:
    return Path(name).suffix.lower() in IMAGE_TYPES


@lru_cache(maxsize=128)
def preview(path: Path, name: str, width: int) -> tuple[bytes, str]:
    """`name` (stored at `path`) scaled to fit `width` x `width`, upright: (bytes, media type).

    JPEG unless the image has transparency (then PNG); the first frame of an animation."""
    if not is_image(name):
        raise BadRequest(f"{name!r} is not an image (a preview needs {', '.join(IMAGE_TYPES)})")
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise TooLarge(
            f"{name!r} is {size / 1e6:.1f} MB, too large to preview"
            f" (limit {MAX_SOURCE_BYTES / 1e6:.0f} MB); download the file instead"
        )
    try:
        with Image.open(path) as image:
            image.draft("RGB", (width, width))
            if image.width * image.height > MAX_PIXELS:
                raise TooLarge(
                    f"{name!r} has {image.width}x{image.height} pixels, too many to preview;"
                    " download the file instead"
                )
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((width, width))
            return _encoded(upright)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        reason = str(error).replace(str(path), name) or type(error).__name__
        raise BadRequest(f"{name!r} cannot be read as an image ({reason})") from None


def _encoded(image: Image.Image) -> tuple[bytes, str]:
    out = BytesIO()
    clear = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if clear:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.convert("RGB").save(out, "JPEG", quality=82)
    return out.getvalue(), "image/jpeg"
