"""Provisioning QR codes in ODK Collect's settings format.

The QR text is base64 of zlib-compressed JSON, as ODK Collect reads it:
`general.server_url` is the ODK Central app-user URL `<base>/v1/key/<token>/projects/<project>`,
so ODK Collect itself can use the code. Our own fields sit under a `fieldapp` key that
ODK Collect ignores, among them `hub_url`, the district hub's address. Automatic sending is
ODK Collect's own `general.autosend` ("off", "wifi_only", "cellular_only",
"wifi_and_cellular", as ODK Collect's AutoSendSettingsProvider reads it): any value but
"off" turns it on, since the app cannot tell Wi-Fi from mobile data. Plain ODK Collect
codes are accepted too: the token and project are read back from the app-user URL.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any, Final

import qrcode
import zxingcpp
from PIL import Image, UnidentifiedImageError
from pydantic import ValidationError
from qrcode.image.pil import PilImage

from sync.client_errors import ProvisioningError
from sync.protocol import DeviceSettings

__all__ = [
    "AUTOSEND_VALUES",
    "SetupOptions",
    "app_user_url",
    "decode_options",
    "decode_qr_image",
    "decode_settings",
    "encode_settings",
    "is_fieldapp_code",
    "make_qr_png",
]

_APP_USER_URL = re.compile(
    r"^(?P<base>https?://.+?)/v1/key/(?P<token>[^/]+)/projects/(?P<project>[^/]+)/?$"
)
_MAX_JSON_BYTES = 64 * 1024
_MAX_IMAGE_PIXELS = 40_000_000
AUTOSEND_VALUES: Final = ("off", "wifi_only", "cellular_only", "wifi_and_cellular")


@dataclass(frozen=True)
class SetupOptions:
    """What a code may say beyond the server: the hub's address and automatic sending
    (None: the code does not say)."""

    hub_url: str | None = None
    autosend: bool | None = None


def app_user_url(settings: DeviceSettings) -> str:
    """The ODK Central style URL that carries the token: `<base>/v1/key/<token>/projects/<project>`."""
    return f"{settings.server_url.rstrip('/')}/v1/key/{settings.token}/projects/{settings.project}"


def encode_settings(settings: DeviceSettings, options: SetupOptions = SetupOptions()) -> str:
    general: dict[str, Any] = {"server_url": app_user_url(settings)}
    if settings.username:
        general["username"] = settings.username
    if options.autosend is not None:
        general["autosend"] = "wifi_and_cellular" if options.autosend else "off"
    ours = {
        "server_url": settings.server_url.rstrip("/"),
        "token": settings.token,
        "project": settings.project,
    }
    if options.hub_url:
        ours["hub_url"] = options.hub_url.rstrip("/")
    document = {
        "general": general,
        "admin": {},
        "project": {"name": settings.project},
        "fieldapp": ours,
    }
    packed = zlib.compress(json.dumps(document, separators=(",", ":")).encode("utf-8"), 9)
    return base64.b64encode(packed).decode("ascii")


def decode_settings(text: str) -> DeviceSettings:
    """Read settings from QR text (ours or a plain ODK Collect code) or pasted text."""
    document = _unpack(text)
    general = document.get("general")
    if not isinstance(general, dict):
        raise ProvisioningError(
            "These settings have no 'general' section, so no server to use.", "setup.not_a_code"
        )
    username = general.get("username")
    username = username if isinstance(username, str) and username else None
    ours = document.get("fieldapp")
    try:
        if isinstance(ours, dict):
            missing = [key for key in ("server_url", "token", "project") if not ours.get(key)]
            if missing:
                raise ProvisioningError(
                    f"These settings are incomplete: no {', '.join(missing)}.",
                    "setup.incomplete",
                    missing=", ".join(missing),
                )
            return DeviceSettings(
                server_url=str(ours.get("server_url", "")).rstrip("/"),
                token=str(ours.get("token", "")),
                project=str(ours.get("project", "")),
                username=username,
            )
        return _from_app_user_url(general.get("server_url"), username)
    except ValidationError as error:
        problem = error.errors()[0]["msg"]
        raise ProvisioningError(
            f"These settings are incomplete: {problem}.", "setup.incomplete", missing=problem
        ) from error


def decode_options(text: str) -> SetupOptions:
    """The hub address and automatic sending a code carries; ProvisioningError naming the
    setting when one is not what it should be."""
    document = _unpack(text)
    general, ours = document.get("general"), document.get("fieldapp")
    autosend = general.get("autosend") if isinstance(general, dict) else None
    if autosend is not None and autosend not in AUTOSEND_VALUES:
        raise ProvisioningError(
            f"general.autosend is {autosend!r}; it must be one of {', '.join(AUTOSEND_VALUES)}.",
            "setup.bad_autosend",
            value=str(autosend),
        )
    hub = ours.get("hub_url") if isinstance(ours, dict) else None
    if hub is not None and not (isinstance(hub, str) and re.match(r"^https?://[^/\s]+", hub)):
        raise ProvisioningError(
            f"fieldapp.hub_url is {hub!r}; it must be an http:// or https:// address.",
            "setup.bad_hub",
            value=str(hub),
        )
    return SetupOptions(
        hub_url=hub.rstrip("/") if hub else None,
        autosend=None if autosend is None else autosend != "off",
    )


def is_fieldapp_code(text: str) -> bool:
    """True for our codes (batch sync API), False for a plain ODK Collect code (OpenRosa only)."""
    return isinstance(_unpack(text).get("fieldapp"), dict)


def _from_app_user_url(url: object, username: str | None) -> DeviceSettings:
    if not isinstance(url, str) or not url:
        raise ProvisioningError(
            "These settings name no server (general.server_url is empty).", "setup.no_server"
        )
    match = _APP_USER_URL.match(url.strip())
    if match is None:
        raise ProvisioningError(
            f"The server address {url!r} is not an app-user address "
            "(…/v1/key/<token>/projects/<project>), so it carries no access token.",
            "setup.no_token",
            url=url,
        )
    return DeviceSettings(
        server_url=match["base"], token=match["token"], project=match["project"], username=username
    )


def _unpack(text: str) -> dict[str, Any]:
    compact = "".join(text.split())
    if not compact:
        raise ProvisioningError("The settings text is empty.", "setup.empty")
    try:
        packed = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ProvisioningError(
            "This is not a settings code: it is not base64 text (ODK Collect settings format).",
            "setup.not_a_code",
        ) from error
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, _MAX_JSON_BYTES)
    except zlib.error as error:
        raise ProvisioningError(
            "This is not a settings code: its content is not zlib-compressed.", "setup.not_a_code"
        ) from error
    if inflater.unconsumed_tail:
        raise ProvisioningError(
            "These settings are too large to be a provisioning code.", "setup.too_large"
        )
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProvisioningError(
            "This settings code does not hold JSON settings.", "setup.not_a_code"
        ) from error
    if not isinstance(document, dict):
        raise ProvisioningError(
            "This settings code does not hold a JSON object.", "setup.not_a_code"
        )
    return document


def make_qr_png(text: str) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(image_factory=PilImage).save(out, format="PNG")
    return out.getvalue()


def decode_qr_image(data: bytes) -> str:
    """The text of the QR code in a photo or image file (PNG, JPEG, …)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > _MAX_IMAGE_PIXELS:
                raise ProvisioningError(
                    f"The image is too large ({width}×{height} pixels); use a smaller photo.",
                    "setup.image_too_large",
                    size=f"{width}×{height}",
                )
            image.load()
            results = zxingcpp.read_barcodes(image.convert("L"))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ProvisioningError(
            "This file is not an image that can be read.", "setup.not_an_image"
        ) from error
    for result in results:
        if result.format == zxingcpp.BarcodeFormat.QRCode and result.text:
            return str(result.text)
    raise ProvisioningError(
        "No QR code was found in this image. Photograph the code flat, in good light, filling"
        " the frame.",
        "setup.no_qr",
    )
