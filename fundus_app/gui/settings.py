"""User preferences persisted with QSettings (an INI file in the user's config folder).

What is kept: language, last folder, recent files, overlay colour / opacity /
edge strength, the device, the clinic name for reports, window geometry, and a
user default threshold. The default threshold is stored *with the SHA-256 of the
model it was chosen for*: when the bundled model is replaced, the new model's
own default applies again instead of a number tuned for another network.
"""
from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QByteArray, QSettings

ORGANISATION = "FundusVessel"
APPLICATION = "Workstation"
MAX_RECENT = 10
DEVICES = ("auto", "cpu", "cuda")


def open_settings() -> QSettings:
    """The application's settings store (INI format everywhere, so tests can redirect it)."""
    return QSettings(QSettings.IniFormat, QSettings.UserScope, ORGANISATION, APPLICATION)


def _float(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


class Preferences:
    """Typed access to the QSettings keys the window uses."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else open_settings()

    # -- language ----------------------------------------------------------------------------
    @property
    def language(self) -> str:
        """'' for the system language, else a code such as 'en' or 'zh_CN'."""
        return str(self.store.value("ui/language", "") or "")

    @language.setter
    def language(self, code: str | None) -> None:
        self.store.setValue("ui/language", code or "")

    # -- folders and recent files --------------------------------------------------------------
    @property
    def last_folder(self) -> str:
        folder = str(self.store.value("files/last_folder", "") or "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    @last_folder.setter
    def last_folder(self, folder: str) -> None:
        self.store.setValue("files/last_folder", str(folder))

    @property
    def recent(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in (value or [])][:MAX_RECENT]

    def add_recent(self, path: str) -> None:
        items = [p for p in self.recent if p != str(path)]
        self.store.setValue("files/recent", [str(path), *items][:MAX_RECENT])

    def remove_recent(self, path: str) -> None:
        self.store.setValue("files/recent", [p for p in self.recent if p != str(path)])

    def clear_recent(self) -> None:
        self.store.setValue("files/recent", [])

    # -- overlay ---------------------------------------------------------------------------------
    @property
    def overlay_colour(self) -> tuple[int, int, int]:
        value = str(self.store.value("overlay/colour", "") or "")
        try:
            r, g, b = (int(v) for v in value.split(","))
            if all(0 <= c <= 255 for c in (r, g, b)):
                return (r, g, b)
        except ValueError:
            pass
        from fundus_app.postprocess import DEFAULT_COLOUR

        return tuple(DEFAULT_COLOUR)  # type: ignore[return-value]

    @overlay_colour.setter
    def overlay_colour(self, rgb: tuple[int, int, int]) -> None:
        self.store.setValue("overlay/colour", ",".join(str(int(c)) for c in rgb))

    @property
    def overlay_opacity(self) -> float:
        return min(1.0, max(0.0, _float(self.store.value("overlay/opacity", 0.6), 0.6)))

    @overlay_opacity.setter
    def overlay_opacity(self, value: float) -> None:
        self.store.setValue("overlay/opacity", float(value))

    @property
    def edge_strength(self) -> float:
        return min(1.0, max(0.0, _float(self.store.value("overlay/edge_strength", 0.0), 0.0)))

    @edge_strength.setter
    def edge_strength(self, value: float) -> None:
        self.store.setValue("overlay/edge_strength", float(value))

    # -- model ---------------------------------------------------------------------------------
    def default_threshold(self, model_sha256: str) -> float | None:
        """The user's default threshold if it was chosen for this very model, else None."""
        if not model_sha256 or str(self.store.value("model/threshold_sha256", "")) != model_sha256:
            return None
        value = _float(self.store.value("model/default_threshold", None), -1.0)
        return value if 0.0 < value < 1.0 else None

    def set_default_threshold(self, value: float | None, model_sha256: str = "") -> None:
        if value is None:
            self.store.remove("model/default_threshold")
            self.store.remove("model/threshold_sha256")
        else:
            self.store.setValue("model/default_threshold", float(value))
            self.store.setValue("model/threshold_sha256", model_sha256)

    @property
    def device(self) -> str:
        value = str(self.store.value("model/device", "auto") or "auto").lower()
        return value if value in DEVICES else "auto"

    @device.setter
    def device(self, value: str) -> None:
        self.store.setValue("model/device", value if value in DEVICES else "auto")

    # -- report --------------------------------------------------------------------------------
    @property
    def clinic(self) -> str:
        return str(self.store.value("report/clinic", "") or "")

    @clinic.setter
    def clinic(self, value: str) -> None:
        self.store.setValue("report/clinic", value)

    @property
    def anonymise(self) -> bool:
        return str(self.store.value("report/anonymise", "false")).lower() in ("true", "1")

    @anonymise.setter
    def anonymise(self, value: bool) -> None:
        self.store.setValue("report/anonymise", bool(value))

    # -- window --------------------------------------------------------------------------------
    def geometry(self) -> tuple[QByteArray | None, QByteArray | None]:
        geo, state = self.store.value("window/geometry"), self.store.value("window/state")
        return (geo if isinstance(geo, QByteArray) else None, state if isinstance(state, QByteArray) else None)

    def set_geometry(self, geometry: QByteArray, state: QByteArray) -> None:
        self.store.setValue("window/geometry", geometry)
        self.store.setValue("window/state", state)

    def sync(self) -> None:
        self.store.sync()
