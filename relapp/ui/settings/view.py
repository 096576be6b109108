"""The Settings view: the shop-wide settings every counter on this database shares.

Shop name, the region phone numbers are read in, currency, locale for figures and dates,
paper size, the logo printed on loyalty cards, backups, the relationship rules (how often a
customer may be contacted, how fast a query should be answered, when gift cards sold from
now on expire), and the mail server email
campaigns are sent through (its password kept in this computer's keyring). The loyalty program's
settings live in the Loyalty view. On a shop server the Backups group gives way to a Shop
server group (the server, its schema, a connection test, how it is backed up); on a file a
Shop server group below the backups moves the shop onto a server or switches this till to one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from relapp.db.server.urls import is_server_url, redact
from relapp.domain.changes import Change, Entity
from relapp.domain.shop.settings import (
    PAPER_SIZES,
    ShopSettings,
    load_settings,
    phone_regions,
    save_settings,
    setting_problems,
)
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import published
from relapp.ui.settings.backup_box import BackupBox
from relapp.ui.settings.email_box import EmailBox
from relapp.ui.settings.logo_picker import LogoPicker
from relapp.ui.settings.move_to_server_box import MoveToServerBox
from relapp.ui.settings.server_box import ServerBox
from relapp.ui.widgets.field_problems import FieldProblems

# Locales offered in the list; any other language_TERRITORY can be typed.
COMMON_LOCALES = (
    "en_AU", "en_GB", "en_US", "en_NZ", "en_CA", "en_IE", "en_ZA", "en_IN", "de_DE", "de_AT",
    "de_CH", "fr_FR", "fr_CA", "es_ES", "es_MX", "it_IT", "nl_NL", "pt_PT", "pt_BR", "pl_PL",
    "sv_SE", "da_DK", "nb_NO", "fi_FI", "el_GR", "tr_TR", "ja_JP", "zh_CN", "ko_KR", "he_IL",
    "ar_AE",
)  # fmt: skip


class SettingsView(QWidget):
    def __init__(
        self, database_path: Path | str, change_bus: ChangeBus, parent: QWidget | None = None
    ) -> None:
        """database_path: the shop file, or the shop server's postgresql:// URL."""
        super().__init__(parent)
        self.database_path = database_path
        on_server = is_server_url(database_path)
        self.change_bus = change_bus
        self.loaded: ShopSettings | None = None

        self.shop_name = QLineEdit(maxLength=80)
        self.phone_region = QComboBox()
        for code, calling_code in phone_regions().items():
            country = QLocale.territoryToString(QLocale.codeToTerritory(code))
            self.phone_region.addItem(f"{country} ({code}, +{calling_code})", code)
        self.currency = QLineEdit(maxLength=3)
        self.currency.setPlaceholderText("AUD")
        self.locale_name = QComboBox(editable=True)
        for name in COMMON_LOCALES:
            self.locale_name.addItem(name, name)
        self.locale_example = QLabel(objectName="settingsHint")
        self.locale_name.currentTextChanged.connect(self._show_locale_example)
        self.paper_size = QComboBox()
        for size in PAPER_SIZES:
            self.paper_size.addItem(size, size)
        self.contact_cap = QSpinBox(minimum=1, maximum=100)
        self.contact_cap.setSuffix(self.tr(" contacts in 30 days"))
        self.response_target = QSpinBox(minimum=1, maximum=24 * 90)
        self.response_target.setSuffix(self.tr(" hours"))
        # Gift cards sold from now on; 0 is "never" (the special value's text).
        self.gift_card_expiry = QSpinBox(minimum=0, maximum=120)
        self.gift_card_expiry.setSuffix(self.tr(" months after the sale"))
        self.gift_card_expiry.setSpecialValueText(self.tr("Never"))
        gift_card_hint = QLabel(
            self.tr(
                "Many places set a least by law (Australia 3 years since 2019; the US 5 years "
                "under the CARD Act; EU countries differ): check yours. Cards keep the expiry "
                "they were sold with."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )

        shop = QFormLayout()
        shop.addRow(self.tr("&Shop name:"), self.shop_name)
        shop.addRow(self.tr("&Phone numbers without +country are in:"), self.phone_region)
        shop.addRow(self.tr("&Currency (ISO code):"), self.currency)
        locale_row = QHBoxLayout()
        locale_row.addWidget(self.locale_name)
        locale_row.addWidget(self.locale_example, 1)
        locale_label = QLabel(self.tr("&Numbers and dates as in:"))
        locale_label.setBuddy(self.locale_name)
        shop.addRow(locale_label, locale_row)
        shop.addRow(self.tr("P&aper for reports:"), self.paper_size)
        self.logo = LogoPicker()
        self.logo.changed.connect(change_bus.publish)
        shop.addRow(self.tr("Logo on loyalty cards:"), self.logo)
        shop_box = QGroupBox(self.tr("Shop"))
        shop_box.setLayout(shop)

        rules = QFormLayout()
        rules.addRow(self.tr("Contact a customer at &most:"), self.contact_cap)
        rules.addRow(self.tr("Answer queries and complaints &within:"), self.response_target)
        rules.addRow(self.tr("Gift card expir&y:"), self.gift_card_expiry)
        rules.addRow(gift_card_hint)
        rules_box = QGroupBox(self.tr("Looking after customers"))
        rules_box.setLayout(rules)
        fields: dict[str, QWidget] = {
            "shop_name": self.shop_name,
            "phone_region": self.phone_region,
            "currency": self.currency,
            "locale": self.locale_name,
            "paper_size": self.paper_size,
            "contact_cap_per_30_days": self.contact_cap,
            "response_target_hours": self.response_target,
            "gift_card_expiry_months": self.gift_card_expiry,
        }
        # Sending campaign emails: the mail server (its password to the keyring on Save).
        self.email = EmailBox()
        fields |= self.email.fields()
        # A file's backups are the window's work (BackupBox); a server's are the server's.
        self.backups: BackupBox | None = None
        self.server: ServerBox | None = None
        # A file's shop may move onto a shop server, or this till switch to one (manager).
        self.move_to_server: MoveToServerBox | None = None
        place: QGroupBox
        if on_server:
            self.server = place = ServerBox(str(database_path))
        else:
            self.backups = place = BackupBox(Path(database_path))
            self.backups.restored.connect(self._restored)
            self.move_to_server = MoveToServerBox(Path(database_path))
            fields |= {"backup_folder": self.backups.folder, "backup_keep": self.backups.keep}
        self.fields = tuple(fields)  # the settings edited here, in SHOP_FIELDS' names
        self.problems = FieldProblems(fields | {"smtp_password": self.email.password})
        self.saved_note = QLabel(objectName="settingsHint")
        self.save_button = QPushButton(self.tr("&Save settings"))
        self.save_button.setToolTip(self.tr("Save (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(self.tr("&Undo changes"))
        self.revert_button.clicked.connect(self.load)
        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved_note, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        if on_server:
            shared = self.tr(
                "Every counter using this shop server shares these settings. Server: {url}"
            ).format(url=redact(str(database_path)))
        else:
            shared = self.tr(
                "Every counter using this database shares these settings. Database: {path}"
            ).format(path=database_path)
        where = QLabel(
            shared,
            objectName="settingsHint",
            wordWrap=True,
        )
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        align_label_columns((shop, rules, self.email.layout()))
        boxes = QWidget(objectName="settingsBoxes")
        column = QVBoxLayout(boxes)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(shop_box)
        column.addWidget(rules_box)
        column.addWidget(self.email)
        column.addWidget(place)
        if self.move_to_server is not None:
            column.addWidget(self.move_to_server)
        column.addStretch(1)
        # The groups scroll where the screen is too low for them all (a 1366 x 768 laptop);
        # what went wrong, Save and where the settings are kept stay in sight below them.
        scroll = QScrollArea(objectName="settingsScroll", widgetResizable=True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the first field is the shop's name
        scroll.setWidget(boxes)
        self.scroll = scroll
        app = QApplication.instance()
        if isinstance(app, QApplication):  # a field reached by its Alt+key comes into sight
            app.focusChanged.connect(self._bring_into_sight)
        page = QVBoxLayout()
        page.addWidget(scroll, 1)
        page.addWidget(self.problems)
        page.addLayout(buttons)
        page.addWidget(where)
        layout = QHBoxLayout(self)
        layout.addLayout(page, 3)
        layout.addStretch(1)

    def showEvent(self, event: QShowEvent) -> None:
        if self.loaded is None:
            self.load()
        super().showEvent(event)

    def load(self) -> None:
        self.loaded = settings = load_settings()
        self.shop_name.setText(settings.shop_name)
        self.phone_region.setCurrentIndex(max(0, self.phone_region.findData(settings.phone_region)))
        self.currency.setText(settings.currency)
        self.locale_name.setCurrentText(settings.locale)
        self._show_locale_example(settings.locale)
        self.paper_size.setCurrentIndex(max(0, self.paper_size.findData(settings.paper_size)))
        self.contact_cap.setValue(settings.contact_cap_per_30_days)
        self.response_target.setValue(settings.response_target_hours)
        self.gift_card_expiry.setValue(settings.gift_card_expiry_months)
        self.logo.load()
        self.email.load(settings)
        if self.backups is not None:
            self.backups.load()
        if self.server is not None:
            self.server.load()
        if self.move_to_server is not None:
            self.move_to_server.load()
        self.problems.clear_problems()
        self.saved_note.setText("")

    def edited(self) -> dict[str, str | int]:
        edited: dict[str, str | int] = {
            "shop_name": self.shop_name.text().strip(),
            "phone_region": self.phone_region.currentData(),
            "currency": self.currency.text().strip().upper(),
            "locale": self.locale_name.currentText().strip(),
            "paper_size": self.paper_size.currentData(),
            "contact_cap_per_30_days": self.contact_cap.value(),
            "response_target_hours": self.response_target.value(),
            "gift_card_expiry_months": self.gift_card_expiry.value(),
        }
        if self.backups is not None:
            edited["backup_folder"] = self.backups.folder.text().strip()
            edited["backup_keep"] = self.backups.keep.value()
        edited |= self.email.edited()
        return edited

    def save(self) -> None:
        edited = self.edited()
        problems = setting_problems(edited)
        if problems:
            self.problems.show_problems(problems)
            self.saved_note.setText("")
            return
        # The password first, to the keyring: if it cannot be kept, nothing is saved.
        password_kept = bool(self.email.typed_password())
        problems = self.email.save_typed_password()
        if problems:
            self.problems.show_problems(problems)
            self.saved_note.setText("")
            return
        self.problems.clear_problems()
        current = load_settings()
        changed = {name: value for name, value in edited.items() if getattr(current, name) != value}
        if changed:
            published(self.change_bus, save_settings(**changed))
        self.loaded = load_settings()
        if changed:
            self.email.show_password_state()  # for the user name and server saved
        saved = changed or password_kept
        self.saved_note.setText(self.tr("Saved.") if saved else self.tr("Nothing to save."))

    def on_change(self, change: Change) -> None:
        # Another window saved: show the stored values, unless the owner is mid-edit here.
        unedited = self.loaded is not None and self.edited() == _as_fields(self.loaded, self.fields)
        if change.touches(Entity.SETTINGS) and unedited:
            self.load()

    def _bring_into_sight(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.scroll.widget().isAncestorOf(new):
            self.scroll.ensureWidgetVisible(new)

    def _restored(self, change: Change) -> None:
        published(self.change_bus, change)  # every view reads the restored shop again
        self.load()

    def _show_locale_example(self, name: str) -> None:
        locale = QLocale(name.strip())
        christmas = locale.toString(QDate(2026, 12, 24), QLocale.FormatType.ShortFormat)
        self.locale_example.setText(f"{locale.toString(1234567.5, 'f', 2)} · {christmas}")


def _as_fields(settings: ShopSettings, names: tuple[str, ...]) -> dict[str, str | int]:
    return {name: getattr(settings, name) for name in names}


def align_label_columns(layouts: Sequence[QLayout | None]) -> None:
    """One label column for the groups: their fields start at one line down the page,
    instead of each group's form at the width of its own longest label."""
    labels: list[QLabel] = []
    for layout in layouts:
        if isinstance(layout, QFormLayout):
            for row in range(layout.rowCount()):
                item = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
                if item is not None and isinstance(item.widget(), QLabel):
                    labels.append(item.widget())
        elif isinstance(layout, QGridLayout):
            for index in range(layout.count()):
                position: tuple[int, int, int, int] = layout.getItemPosition(index)  # type: ignore[assignment]
                _row, column, _rows, columns = position
                widget = layout.itemAt(index).widget()
                if column == 0 and columns == 1 and isinstance(widget, QLabel):
                    labels.append(widget)
    if labels:
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)
