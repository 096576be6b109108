"""The contacts table's filters: text, segment, tag, ladder stage, tier, consent and archived."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from relapp.domain.contacts.listing import ContactFilter, FilterChoices
from relapp.domain.terms import CHANNEL_NAMES, CONSENT_CHANNELS, LADDER_STAGES

TEXT_PAUSE_MS = 250


class FilterBar(QWidget):
    """Signals:
    filter_changed(ContactFilter): the shop owner changed a filter.
    """

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit(objectName="contactsFilter", clearButtonEnabled=True)
        self.text.setPlaceholderText(self.tr("Filter by name, phone, email or card…"))
        self.text_timer = QTimer(self, singleShot=True, interval=TEXT_PAUSE_MS)
        self.text_timer.timeout.connect(self._emit)
        self.text.textEdited.connect(lambda _text: self.text_timer.start())
        self.text.returnPressed.connect(self._emit)

        self.segment = self._combo(self.tr("All customers"), self.tr("Saved segment"))
        self.tag = self._combo(self.tr("Any tag"), self.tr("Tag"))
        self.stage = self._combo(self.tr("Any stage"), self.tr("Loyalty-ladder stage"))
        for stage in LADDER_STAGES:
            self.stage.addItem(self.tr(stage.capitalize()), stage)
        self.tier = self._combo(self.tr("Any tier"), self.tr("Tier"))
        self.consent = self._combo(self.tr("Any consent"), self.tr("Consent granted on"))
        for channel in CONSENT_CHANNELS:
            title = self.tr(CHANNEL_NAMES[channel])
            self.consent.addItem(self.tr("Consents to {channel}").format(channel=title), channel)
        self.archived = QComboBox(toolTip=self.tr("Active or archived customers"))
        for title, value in (
            (self.tr("Active"), "active"),
            (self.tr("Archived"), "archived"),
            (self.tr("Active and archived"), "all"),
        ):
            self.archived.addItem(title, value)
        self.archived.currentIndexChanged.connect(self._emit)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 0, 0, 1, 4)
        layout.addWidget(QLabel(self.tr("Show:")), 0, 4, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.archived, 0, 5)
        for column, combo in enumerate((self.segment, self.tag, self.stage, self.tier)):
            layout.addWidget(combo, 1, column)
        layout.addWidget(self.consent, 1, 4, 1, 2)
        for column in range(6):
            layout.setColumnStretch(column, 1)

    def _combo(self, any_title: str, tooltip: str) -> QComboBox:
        combo = QComboBox(toolTip=tooltip)
        combo.addItem(any_title, None)
        combo.currentIndexChanged.connect(self._emit)
        return combo

    def set_choices(self, choices: FilterChoices) -> None:
        """Offer the shop's current segments, tags and tiers, keeping what was chosen."""
        for combo, values in (
            (self.segment, choices.segments),
            (self.tag, choices.tags),
            (self.tier, choices.tiers),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
            combo.blockSignals(False)

    def current_filter(self) -> ContactFilter:
        def chosen(combo: QComboBox) -> tuple[str, ...]:
            value = combo.currentData()
            return (value,) if value else ()

        return ContactFilter(
            text=self.text.text(),
            tags=chosen(self.tag),
            stages=chosen(self.stage),
            tiers=chosen(self.tier),
            consent=self.consent.currentData(),
            archived=self.archived.currentData(),
            segment=self.segment.currentData(),
        )

    def current_segment(self) -> str | None:
        return self.segment.currentData()

    def choose_segment(self, name: str) -> None:
        self.segment.setCurrentIndex(max(0, self.segment.findData(name)))

    def clear(self) -> None:
        """Back to every active customer."""
        for combo in (self.segment, self.tag, self.stage, self.tier, self.consent, self.archived):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.text.clear()
        self._emit()

    def is_filtering(self) -> bool:
        return self.current_filter() != ContactFilter()

    def _emit(self) -> None:
        self.text_timer.stop()
        self.filter_changed.emit(self.current_filter())
