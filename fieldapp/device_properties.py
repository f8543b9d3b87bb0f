"""The device properties a form's metadata preloads read: ODK's `deviceid`.

A form with a `deviceid` question (XLSForm type `deviceid`: `jr:preload="property"
jr:preloadParams="deviceid"`) gets the installation's ID when an interview starts, as ODK
Collect fills it: one ID per installation, generated at first use and kept in the app's
settings (Collect's is `collect:` and a random install ID; the OpenRosa metadata scheme
asks for `scheme:value`). Ours is the device store's `device_id` setting,
`fieldapp:<random hex>`, the same ID the sync client reports for the device, so an
export's `deviceid` column and the server's device name agree.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

from forms.xpath import Environment

DEVICE_ID_SETTING = "device_id"
DEVICE_ID_PROPERTY = "deviceid"


class Settings(Protocol):
    def get_setting(self, key: str, default: str | None = None) -> str | None: ...


def device_environment(store: Settings, env: Environment | None = None) -> Environment:
    """`env` (a default one when None) with the installation's `deviceid` among its
    properties; a `deviceid` the caller already set is kept."""
    base = env if env is not None else Environment()
    device = store.get_setting(DEVICE_ID_SETTING)
    if device is None or DEVICE_ID_PROPERTY in base.properties:
        return base
    return dataclasses.replace(base, properties={**base.properties, DEVICE_ID_PROPERTY: device})
