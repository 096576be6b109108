"""The Settings view (read-only until the settings issue lands): what the shop is set to."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from relapp.domain.changes import Entity
from relapp.domain.settings import load_settings
from relapp.ui.placeholder_view import PlaceholderView


class SettingsView(PlaceholderView):
    icon_name = "settings"
    title = "Settings"
    purpose = (
        "Shop name, default phone region, currency, paper size, how often a customer may be "
        "contacted and how fast queries should be answered."
    )
    watches = frozenset({Entity.SETTINGS})

    def __init__(self, database_path: Path, parent: QWidget | None = None) -> None:
        self.database_path = database_path
        super().__init__(parent)

    def status_text(self) -> str:
        settings = load_settings()
        return self.tr(
            "Shop: {shop}\nPhone region: {region} · Currency: {currency} · Paper: {paper}\n"
            "At most {cap} contacts per customer in 30 days · Answer queries within {hours} h\n"
            "Database: {path}\n\nEditing these is coming in the next update."
        ).format(
            shop=settings.shop_name,
            region=settings.phone_region,
            currency=settings.currency,
            paper=settings.paper_size,
            cap=settings.contact_cap_per_30_days,
            hours=settings.response_target_hours,
            path=self.database_path,
        )
