"""Provisioning QR codes: ODK Collect's settings format, through real PNG/JPEG images."""

from __future__ import annotations

import base64
import io
import json
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from sync.client_errors import ProvisioningError
from sync.protocol import DeviceSettings
from sync.provisioning import (
    SetupOptions,
    decode_options,
    decode_qr_image,
    decode_settings,
    encode_settings,
    make_qr_png,
)

SETTINGS = DeviceSettings(
    server_url="http://127.0.0.1:8765",
    token="k3yT0ken-abcdefABCDEF0123456789_xyz",
    project="cocoa-2026",
    username="awa",
)


def _odk_text(document: object) -> str:
    return base64.b64encode(zlib.compress(json.dumps(document).encode())).decode()


def test_qr_png_round_trip_gives_the_same_settings() -> None:
    png = make_qr_png(encode_settings(SETTINGS))
    assert png.startswith(b"\x89PNG")
    assert decode_settings(decode_qr_image(png)) == SETTINGS


def test_photo_like_image_still_decodes() -> None:
    png = make_qr_png(encode_settings(SETTINGS))
    with Image.open(io.BytesIO(png)) as image:
        canvas = Image.new("L", (image.width * 2, image.height * 2), 200)
        canvas.paste(image.convert("L").rotate(7, expand=True, fillcolor=255), (60, 90))
        jpeg = io.BytesIO()
        canvas.save(jpeg, format="JPEG", quality=70)
    assert decode_settings(decode_qr_image(jpeg.getvalue())) == SETTINGS


def test_odk_collect_can_read_our_code() -> None:
    document = json.loads(zlib.decompress(base64.b64decode(encode_settings(SETTINGS))))
    assert document["general"]["server_url"] == (
        "http://127.0.0.1:8765/v1/key/k3yT0ken-abcdefABCDEF0123456789_xyz/projects/cocoa-2026"
    )
    assert document["general"]["username"] == "awa"
    assert document["admin"] == {}
    assert document["project"]["name"] == "cocoa-2026"


def test_plain_odk_collect_code_gives_token_and_project_from_the_app_user_url() -> None:
    text = _odk_text(
        {
            "general": {"server_url": "https://central.example.org/v1/key/AbC$tok/projects/7"},
            "admin": {"edit_saved": False},
        }
    )
    assert decode_settings(text) == DeviceSettings(
        server_url="https://central.example.org", token="AbC$tok", project="7"
    )


def test_pasted_text_with_line_breaks_is_accepted() -> None:
    text = encode_settings(SETTINGS)
    pasted = "\n  " + "\n".join(text[i : i + 20] for i in range(0, len(text), 20)) + " \n"
    assert decode_settings(pasted) == SETTINGS


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("not base64 at all!", "not base64"),
        (base64.b64encode(b"plain bytes").decode(), "not zlib"),
        (base64.b64encode(zlib.compress(b"\xff\xfe")).decode(), "JSON"),
        (_odk_text([1, 2]), "JSON object"),
        (_odk_text({"admin": {}}), "no 'general'"),
        (_odk_text({"general": {"server_url": "https://kc.kobotoolbox.org"}}), "app-user"),
        (_odk_text({"general": {}}), "name no server"),
        (
            _odk_text({"general": {}, "fieldapp": {"server_url": "http://x", "token": ""}}),
            "incomplete",
        ),
        (base64.b64encode(zlib.compress(b" " * 10_000_000)).decode(), "too large"),
    ],
)
def test_bad_settings_text_gets_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(ProvisioningError, match=fragment):
        decode_settings(text)


def test_image_without_a_qr_code_is_refused_clearly() -> None:
    blank = io.BytesIO()
    Image.new("RGB", (300, 300), "white").save(blank, format="PNG")
    with pytest.raises(ProvisioningError, match="No QR code was found"):
        decode_qr_image(blank.getvalue())


def test_file_that_is_not_an_image_is_refused_clearly() -> None:
    with pytest.raises(ProvisioningError, match="not an image"):
        decode_qr_image(b"%PDF-1.7 not an image")


@settings(max_examples=25, deadline=None)
@given(
    token=st.text(
        alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=127),
        min_size=16,
        max_size=64,
    ),
    project=st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True),
    username=st.none() | st.text(min_size=1, max_size=30),
)
def test_settings_text_round_trips(token: str, project: str, username: str | None) -> None:
    original = DeviceSettings(
        server_url="https://hub.local:8443", token=token, project=project, username=username
    )
    assert decode_settings(encode_settings(original)) == original


@pytest.mark.parametrize(
    ("value", "on"),
    [("off", False), ("wifi_only", True), ("cellular_only", True), ("wifi_and_cellular", True)],
)
def test_odk_collects_autosend_values_turn_automatic_sending_on_or_off(
    value: str, on: bool
) -> None:
    """ODK Collect's `general.autosend` (AutoSendSettingsProvider reads these four values);
    any but "off" is on here, since the app cannot tell Wi-Fi from mobile data."""
    document = {"general": {"server_url": "http://h/v1/key/T/projects/1", "autosend": value}}
    assert decode_options(_odk_text(document)) == SetupOptions(autosend=on)


def test_our_code_carries_the_hub_and_automatic_sending_where_odk_collect_reads_them() -> None:
    code = encode_settings(SETTINGS, SetupOptions(hub_url="http://10.0.0.5:8000/", autosend=False))
    document = json.loads(zlib.decompress(base64.b64decode(code)))
    assert document["general"]["autosend"] == "off"
    assert document["fieldapp"]["hub_url"] == "http://10.0.0.5:8000"
    assert decode_options(code) == SetupOptions(hub_url="http://10.0.0.5:8000", autosend=False)
    assert decode_settings(code) == SETTINGS
    assert decode_options(encode_settings(SETTINGS)) == SetupOptions()  # says nothing


@pytest.mark.parametrize(
    ("document", "fragment", "code"),
    [
        ({"general": {"autosend": "sometimes"}}, "general.autosend is 'sometimes'", "bad_autosend"),
        ({"general": {}, "fieldapp": {"hub_url": "10.0.0.5"}}, "fieldapp.hub_url is '10.0.0.5'",
         "bad_hub"),
        ({"general": {}, "fieldapp": {"hub_url": 5}}, "fieldapp.hub_url is 5", "bad_hub"),
    ],
)  # fmt: skip
def test_a_wrong_hub_or_autosend_is_refused_naming_the_setting(
    document: object, fragment: str, code: str
) -> None:
    with pytest.raises(ProvisioningError, match=fragment) as raised:
        decode_options(_odk_text(document))
    assert raised.value.code == f"setup.{code}"
