"""OpenRosa XML documents: formList, manifest and OpenRosaResponse (escaped, never concatenated raw)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from sync.server.storage import FormRecord

OPENROSA_NS = "http://openrosa.org/http/response"


def openrosa_message(text: str) -> str:
    return (
        f'<OpenRosaResponse xmlns="{OPENROSA_NS}">'
        f'<message nature="submit_success">{escape(text)}</message></OpenRosaResponse>'
        if text.startswith("full submission")
        else f'<OpenRosaResponse xmlns="{OPENROSA_NS}"><message>{escape(text)}</message>'
        "</OpenRosaResponse>"
    )


def form_list(forms: list[FormRecord], base: str) -> str:
    items = []
    for form in forms:
        version = f"<version>{escape(form.version)}</version>" if form.version else ""
        manifest = (
            f"<manifestUrl>{escape(f'{base}/forms/{form.form_id}/manifest')}</manifestUrl>"
            if form.media
            else ""
        )
        items.append(
            f"<xform><formID>{escape(form.form_id)}</formID><name>{escape(form.title)}</name>"
            f"{version}<hash>md5:{form.md5}</hash>"
            f"<downloadUrl>{escape(f'{base}/forms/{form.form_id}.xml')}</downloadUrl>"
            f"{manifest}</xform>"
        )
    return f'<xforms xmlns="http://openrosa.org/xforms/xformsList">{"".join(items)}</xforms>'


def manifest(form: FormRecord, md5s: dict[str, str], base: str) -> str:
    files = "".join(
        f"<mediaFile><filename>{escape(name)}</filename><hash>md5:{md5s[name]}</hash>"
        f"<downloadUrl>{escape(f'{base}/forms/{form.form_id}/attachments/{name}')}</downloadUrl>"
        "</mediaFile>"
        for name in sorted(form.media)
    )
    return f'<manifest xmlns="http://openrosa.org/xforms/xformsManifest">{files}</manifest>'
