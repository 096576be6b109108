"""Editing one customer: details, tags and preferences, consent and notes in one dialog.

The dialog edits a ContactDetails snapshot (relapp.domain.contacts.editing) and saves it whole:
the domain checks every field at once, so every problem is marked together, and refuses a
snapshot that someone else saved over meanwhile. Consent is not a field: each box ticked or
cleared appends an event to the consent log once the rest has been saved.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.contacts.editing import (
    LINE_LIMITS,
    MAX_HANDLE_LENGTH,
    MAX_PREFERENCE_LENGTH,
    MAX_TAG_LENGTH,
    ContactDetails,
    EditConflict,
    all_tags,
    clean_tag_name,
    load_contact_details,
    record_consent,
    referral_candidates,
    save_contact_details,
)
from relapp.domain.contacts.fields import MAX_NAME_LENGTH, InvalidContact
from relapp.domain.contacts.naming import display_name
from relapp.domain.contacts.profiles import ContactNotFound
from relapp.domain.partners.partners import partner_choices
from relapp.domain.shop.settings import load_settings
from relapp.domain.terms import CHANNEL_NAMES, CONSENT_CHANNELS, LADDER_STAGES, PREFERENCE_KINDS
from relapp.errors import RelappError
from relapp.ui.contacts.editor_models import (
    ID_ROLE,
    ChoiceDelegate,
    LimitedTextDelegate,
    PairsModel,
    ReferrerModel,
)
from relapp.ui.widgets.field_problems import FieldProblems

# Offered in the network column; any other network can be typed.
NETWORKS = ("Instagram", "Facebook", "X", "TikTok", "LinkedIn", "Pinterest", "YouTube", "WhatsApp")
# How the customer gave or withdrew consent, as stored in the consent log.
CONSENT_METHODS = ("in person at the counter", "by phone", "in writing", "by email")
NO_YEAR = 1899  # the year box's "—": one below the first year a birthday may have


def _translate(text: str) -> str:
    return QCoreApplication.translate("ContactEditorDialog", text)


# --------------------------------------------------------- questions a test can replace


def confirm_discard(parent: QWidget) -> bool:
    """Whether to close the editor and lose the changes made in it."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        _translate("Discard changes?"),
        _translate("You have changed this customer. Close without saving your changes?"),
        parent=parent,
    )
    discard = box.addButton(_translate("&Discard changes"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(_translate("&Keep editing"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is discard


def ask_reload(parent: QWidget) -> bool:
    """After a conflict: whether to reload the customer, dropping the edits made here."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        _translate("Changed by someone else"),
        _translate(
            "Someone else changed this customer after you opened it, so your changes were "
            "not saved.\n\nReload the customer to see their changes (yours are discarded), "
            "then make yours again. Or keep editing to copy what you typed first."
        ),
        parent=parent,
    )
    reload = box.addButton(_translate("&Reload customer"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_translate("&Keep editing"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reload)
    box.exec()
    return box.clickedButton() is reload


def tell_missing(parent: QWidget | None, text: str) -> None:
    """The customer is gone: erased, or deleted at another counter."""
    QMessageBox.information(parent, _translate("Customer not found"), text)


# ------------------------------------------------------------------------------ dialog


def _plain_label(object_name: str = "", word_wrap: bool = False) -> QLabel:
    label = QLabel(objectName=object_name, wordWrap=word_wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _align_labels(*forms: QFormLayout) -> None:
    """Forms stacked one above the other start their fields at the same x."""
    labels = [
        form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
        for form in forms
        for row in range(form.rowCount())
        if form.itemAt(row, QFormLayout.ItemRole.LabelRole) is not None
    ]
    width = max(label.sizeHint().width() for label in labels)
    for label in labels:
        label.setMinimumWidth(width)


def _line(limit: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(maxLength=limit)
    edit.setPlaceholderText(placeholder)
    return edit


class ContactEditorDialog(QDialog):
    """Edits one customer; after a save, change holds what the save changed."""

    def __init__(self, details: ContactDetails, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactEditor")
        self.setMinimumSize(720, 560)
        self.resize(900, 640)
        self.change: Change | None = None
        self._problems: dict[str, str] = {}  # shown now, by field
        self.region = load_settings().phone_region
        self._loaded = details
        self._referrer_id: int | None = None
        self._referrer_name = ""

        self.name_header = _plain_label("editorName")
        self.subtitle = _plain_label("editorSubtitle")
        self.tabs = QTabWidget(objectName="editorTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._details_page(), self.tr("&Details"))
        self.tabs.addTab(self._tags_page(), self.tr("&Tags && preferences"))
        self.tabs.addTab(self._consent_page(), self.tr("C&onsent"))
        self.tabs.addTab(self._notes_page(), self.tr("&Notes"))

        # In tab order, so the first problem marked is the first a person meets.
        self._field_tabs: dict[str, int] = {}
        fields: dict[str, QWidget] = {}
        for tab, page_fields in enumerate(self._page_fields()):
            fields.update(page_fields)
            self._field_tabs.update(dict.fromkeys(page_fields, tab))
        self.problems = FieldProblems(fields)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.setToolTip(self.tr("Save (Ctrl+S or Ctrl+Enter)"))
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for keys in (QKeySequence.StandardKey.Save, "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.save)

        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.name_header)
        header.addWidget(self.subtitle)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        # Only now, inside the dialog: set earlier, the first button of a page would win.
        self.save_button.setDefault(True)
        self.load(details)
        self.given_name.setFocus()

    # -- pages -------------------------------------------------------------------------------

    def _details_page(self) -> QWidget:
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Person"), "person")
        self.kind.addItem(self.tr("Business"), "business")
        self.given_name = _line(MAX_NAME_LENGTH)
        self.family_name = _line(MAX_NAME_LENGTH)
        self.organisation = _line(MAX_NAME_LENGTH)
        self.phone = _line(40, self.tr("Any form, e.g. {example}").format(example="0412 345 678"))
        self.phone.setToolTip(
            self.tr(
                "Type the number as the customer says it. Without a +country code it is read "
                "as a number in {region}; it is shown in international form once saved."
            ).format(region=self.region)
        )
        self.email = _line(254)
        self.card_number = _line(40)
        self.birth_day = QSpinBox(minimum=0, maximum=31, specialValueText="—")
        self.birth_day.setAccessibleName(self.tr("Birthday: day"))
        self.birth_month = QComboBox()
        self.birth_month.setAccessibleName(self.tr("Birthday: month"))
        self.birth_month.addItem("—", None)
        locale = QLocale()
        for month in range(1, 13):
            self.birth_month.addItem(
                locale.standaloneMonthName(month, QLocale.FormatType.LongFormat), month
            )
        self.birth_year = QSpinBox(minimum=NO_YEAR, maximum=2100, specialValueText="—")
        self.birth_year.setAccessibleName(self.tr("Birthday: year (may be left out)"))
        self.birth_year.setToolTip(self.tr("Leave the year out if the customer prefers"))
        birthday = QHBoxLayout()
        birthday.addWidget(self.birth_day)
        birthday.addWidget(self.birth_month, 1)
        birthday.addWidget(self.birth_year)

        who = QFormLayout()
        who.addRow(self.tr("&Kind:"), self.kind)
        who.addRow(self.tr("&Given name:"), self.given_name)
        who.addRow(self.tr("&Family name:"), self.family_name)
        who.addRow(self.tr("O&rganisation:"), self.organisation)
        who.addRow(self.tr("&Phone:"), self.phone)
        who.addRow(self.tr("&Email:"), self.email)
        who.addRow(self.tr("&Card number:"), self.card_number)
        birthday_label = QLabel(self.tr("&Birthday:"))
        birthday_label.setBuddy(self.birth_day)
        who.addRow(birthday_label, birthday)
        who_box = QGroupBox(self.tr("Customer"))
        who_box.setLayout(who)

        self.street = _line(LINE_LIMITS["street"])
        self.locality = _line(LINE_LIMITS["locality"])
        self.region_field = _line(LINE_LIMITS["region"])
        self.postcode = _line(LINE_LIMITS["postcode"])
        self.postcode.setMaximumWidth(140)
        self.country = _line(LINE_LIMITS["country"])
        address = QFormLayout()
        address.addRow(self.tr("Street:"), self.street)
        address.addRow(self.tr("Town or suburb:"), self.locality)
        address.addRow(self.tr("State or region:"), self.region_field)
        address.addRow(self.tr("Postcode:"), self.postcode)
        address.addRow(self.tr("Country:"), self.country)
        address_box = QGroupBox(self.tr("Address"))
        address_box.setLayout(address)

        self.ladder_stage = QComboBox()
        for stage in LADDER_STAGES:
            self.ladder_stage.addItem(self.tr(stage.capitalize()), stage)
        self.referrer = QLineEdit(placeholderText=self.tr("Type a name, phone or card to search"))
        self.referrer_model = ReferrerModel(self._loaded.id, self)
        self.referrer_completer = QCompleter(self.referrer_model, self)
        self.referrer_completer.setCompletionMode(
            QCompleter.CompletionMode.UnfilteredPopupCompletion
        )
        self.referrer_completer.setWidget(self.referrer)
        self.referrer_completer.activated[QModelIndex].connect(self._choose_referrer)
        self.referrer.textEdited.connect(self._search_referrers)
        self.clear_referrer = QToolButton(text=self.tr("Clear"))
        self.clear_referrer.setToolTip(self.tr("Nobody referred this customer"))
        self.clear_referrer.clicked.connect(self._clear_referrer)
        referrer_row = QHBoxLayout()
        referrer_row.addWidget(self.referrer, 1)
        referrer_row.addWidget(self.clear_referrer)
        self.source = _line(LINE_LIMITS["source"], self.tr("e.g. walk-in, market stall, website"))
        # The partner business they came through (schema 20): their referral source.
        self.partner = QComboBox(objectName="cameThroughPartner")
        self.partner.addItem(self.tr("None"), None)
        for partner_id, partner_name in partner_choices():
            self.partner.addItem(partner_name, partner_id)
        self.partner.setToolTip(
            self.tr(
                "The partner business this customer came through; the partner report counts them"
            )
        )
        self.archived = QCheckBox(self.tr("Arc&hived"))
        self.archived.setToolTip(self.tr("Hidden from lists and mailings; nothing is deleted"))
        relationship = QFormLayout()
        relationship.addRow(self.tr("Ladder st&age:"), self.ladder_stage)
        referrer_label = QLabel(self.tr("Referred b&y:"))
        referrer_label.setBuddy(self.referrer)
        relationship.addRow(referrer_label, referrer_row)
        relationship.addRow(self.tr("So&urce:"), self.source)
        relationship.addRow(self.tr("Ca&me through partner:"), self.partner)
        relationship.addRow("", self.archived)
        relationship_box = QGroupBox(self.tr("Relationship"))
        relationship_box.setLayout(relationship)

        _align_labels(address, relationship)
        right = QVBoxLayout()
        right.addWidget(address_box)
        right.addWidget(relationship_box)
        right.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(who_box)
        left.addStretch(1)
        page = QWidget()
        columns = QHBoxLayout(page)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        return page

    def _tags_page(self) -> QWidget:
        self.tag_input = _line(MAX_TAG_LENGTH, self.tr("Type a tag, then Enter"))
        self.tag_input.installEventFilter(self)
        self.tag_completer = QCompleter([name for name, _count in all_tags()], self)
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tag_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tag_input.setCompleter(self.tag_completer)
        # Picking a tag from the suggestions adds it: one Enter, not two.
        # Queued: the line edit takes the picked text only after this signal.
        self.tag_completer.activated[str].connect(lambda _name: QTimer.singleShot(0, self.add_tag))
        self.add_tag_button = QPushButton(self.tr("&Add tag"))
        self.add_tag_button.clicked.connect(self.add_tag)
        self.tag_list = QListWidget(objectName="tagList")
        self.tag_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tag_list.installEventFilter(self)
        self.remove_tag_button = QPushButton(self.tr("&Remove tag"))
        self.remove_tag_button.clicked.connect(self.remove_selected_tags)
        self.tag_list.itemSelectionChanged.connect(self._update_buttons)
        tag_row = QHBoxLayout()
        tag_row.addWidget(self.tag_input, 1)
        tag_row.addWidget(self.add_tag_button)
        tags = QVBoxLayout()
        tags.addLayout(tag_row)
        tags.addWidget(self.tag_list, 1)
        tags.addWidget(self.remove_tag_button, 0, Qt.AlignmentFlag.AlignLeft)
        tags_box = QGroupBox(self.tr("Tags"))
        tags_box.setLayout(tags)

        shown = {
            "like": self.tr("Likes"),
            "dislike": self.tr("Dislikes"),
            "size": self.tr("Size"),
            "note": self.tr("Note"),
        }
        self.preference_labels = {kind: shown.get(kind, kind) for kind in PREFERENCE_KINDS}
        self.preferences_model = PairsModel(
            (self.tr("Kind"), self.tr("Preference")), self.preference_labels, self
        )
        self.preferences = self._pairs_table(
            self.preferences_model, ChoiceDelegate(self.preference_labels, False, self),
            MAX_PREFERENCE_LENGTH,
        )  # fmt: skip
        self.add_preference_button = QPushButton(self.tr("Add &preference"))
        self.add_preference_button.clicked.connect(lambda: self._add_pair(self.preferences, "like"))
        self.remove_preference_button = QPushButton(self.tr("Remove"))
        self.remove_preference_button.clicked.connect(lambda: self._remove_pairs(self.preferences))
        preferences_box = self._pairs_box(
            self.tr("Preferences"), self.preferences,
            self.add_preference_button, self.remove_preference_button,
        )  # fmt: skip

        self.handles_model = PairsModel((self.tr("Network"), self.tr("Handle")), parent=self)
        networks = {network: network for network in NETWORKS}
        self.handles = self._pairs_table(
            self.handles_model, ChoiceDelegate(networks, True, self), MAX_HANDLE_LENGTH
        )
        self.add_handle_button = QPushButton(self.tr("Add social &handle"))
        self.add_handle_button.clicked.connect(lambda: self._add_pair(self.handles, NETWORKS[0]))
        self.remove_handle_button = QPushButton(self.tr("Remove"))
        self.remove_handle_button.clicked.connect(lambda: self._remove_pairs(self.handles))
        handles_box = self._pairs_box(
            self.tr("Social handles"), self.handles,
            self.add_handle_button, self.remove_handle_button,
        )  # fmt: skip

        right = QVBoxLayout()
        right.addWidget(preferences_box, 3)
        right.addWidget(handles_box, 2)
        page = QWidget()
        columns = QHBoxLayout(page)
        columns.addWidget(tags_box, 2)
        columns.addLayout(right, 3)
        return page

    def _pairs_table(self, model: PairsModel, delegate: ChoiceDelegate, limit: int) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setItemDelegateForColumn(0, delegate)
        table.setItemDelegateForColumn(1, LimitedTextDelegate(limit, table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Tab leaves the table (arrows move between cells), so the form stays keyboard-friendly.
        table.setTabKeyNavigation(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setColumnWidth(0, 130)
        table.installEventFilter(self)
        table.selectionModel().selectionChanged.connect(self._update_buttons)
        return table

    def _pairs_box(
        self, title: str, table: QTableView, add: QPushButton, remove: QPushButton
    ) -> QGroupBox:
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout()
        layout.addWidget(table, 1)
        layout.addLayout(buttons)
        box = QGroupBox(title)
        box.setLayout(layout)
        return box

    def _consent_page(self) -> QWidget:
        intro = QLabel(
            self.tr(
                "Tick each way the customer agrees to be contacted. Saving adds every change "
                "to the consent log, with when and how it was given; the log is never edited. "
                "Offers of partner businesses need a tick of their own: agreeing to your "
                "emails does not cover them."
            ),
            objectName="editorHint",
            wordWrap=True,
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(10)
        for column, title in enumerate(
            (self.tr("May contact by"), self.tr("Recorded so far"), self.tr("When you save"))
        ):
            grid.addWidget(QLabel(title, objectName="detailTitle"), 0, column)
        self.consent_boxes: dict[str, QCheckBox] = {}
        self.consent_states: dict[str, QLabel] = {}
        self.consent_pending: dict[str, QLabel] = {}
        row = 0
        for channel in CONSENT_CHANNELS:
            row += 1
            if channel == "partner_offers":  # a purpose, not a channel: under its own title
                grid.addWidget(
                    QLabel(self.tr("May send offers of the shop's partner businesses"),
                           objectName="detailTitle"), row, 0, 1, 3)  # fmt: skip
                row += 1
            box = QCheckBox(self.tr(CHANNEL_NAMES[channel]))
            box.toggled.connect(self._show_pending_consent)
            self.consent_boxes[channel] = box
            self.consent_states[channel] = _plain_label()
            self.consent_pending[channel] = _plain_label("consentPending")
            # As wide as its words: a click beside a short name ("SMS") in the column made
            # wide by "Partner offers" would tick nothing.
            grid.addWidget(box, row, 0, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(self.consent_states[channel], row, 1)
            grid.addWidget(self.consent_pending[channel], row, 2)
        grid.setColumnStretch(2, 1)
        self.consent_method = QComboBox()
        for method in CONSENT_METHODS:
            self.consent_method.addItem(self.tr(method.capitalize()), method)
        method_label = QLabel(self.tr("&How the customer told you:"))
        method_label.setBuddy(self.consent_method)
        method_row = QHBoxLayout()
        method_row.addWidget(method_label)
        method_row.addWidget(self.consent_method)
        method_row.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addSpacing(12)
        layout.addLayout(method_row)
        layout.addStretch(1)
        return page

    def _notes_page(self) -> QWidget:
        self.notes = QPlainTextEdit(objectName="editorNotes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText(
            self.tr("Anything worth remembering: how they like to be served, family, plans…")
        )
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.notes)
        return page

    def _page_fields(self) -> tuple[dict[str, QWidget], ...]:
        """Each tab's widgets by the problem keys of save_contact_details."""
        details = {
            "kind": self.kind,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "organisation": self.organisation,
            "phone": self.phone,
            "email": self.email,
            "card_number": self.card_number,
            "birthday": self.birth_day,
            "street": self.street,
            "locality": self.locality,
            "region": self.region_field,
            "postcode": self.postcode,
            "country": self.country,
            "ladder_stage": self.ladder_stage,
            "referred_by_id": self.referrer,
            "source": self.source,
            "referred_by_partner_id": self.partner,
        }
        tags = {
            "tags": self.tag_input,
            "preferences": self.preferences,
            "social_handles": self.handles,
        }
        return details, tags, {"method": self.consent_method}, {"notes": self.notes}

    # -- loading -----------------------------------------------------------------------------

    def load(self, details: ContactDetails) -> None:
        """Show details in every field, dropping whatever was typed."""
        self._loaded = details
        name = display_name(
            details.kind, details.given_name, details.family_name, details.organisation
        )
        self.setWindowTitle(self.tr("Edit customer — {name}").format(name=name))
        self.name_header.setText(name)
        since = QLocale().toString(details.created_at.date(), "MMMM yyyy")
        subtitle = self.tr("Customer no. {number} · with you since {date}").format(
            number=details.id, date=since
        )
        if details.archived:
            subtitle += " · " + self.tr("archived")
        self.subtitle.setText(subtitle)

        self.kind.setCurrentIndex(max(0, self.kind.findData(details.kind)))
        for widget, value in (
            (self.given_name, details.given_name),
            (self.family_name, details.family_name),
            (self.organisation, details.organisation),
            (self.phone, details.phone),
            (self.email, details.email),
            (self.card_number, details.card_number),
            (self.street, details.street),
            (self.locality, details.locality),
            (self.region_field, details.region),
            (self.postcode, details.postcode),
            (self.country, details.country),
            (self.source, details.source),
        ):
            widget.setText(value)
            widget.setCursorPosition(0)
        self.birth_day.setValue(details.birth_day or 0)
        self.birth_month.setCurrentIndex(max(0, self.birth_month.findData(details.birth_month)))
        self.birth_year.setValue(details.birth_year or NO_YEAR)
        self.ladder_stage.setCurrentIndex(max(0, self.ladder_stage.findData(details.ladder_stage)))
        self._set_referrer(details.referred_by_id, details.referred_by_name)
        if (
            details.referred_by_partner_id is not None
            and self.partner.findData(details.referred_by_partner_id) < 0
        ):  # a partner added since the dialog opened
            self.partner.addItem(
                f"#{details.referred_by_partner_id}", details.referred_by_partner_id
            )
        self.partner.setCurrentIndex(max(0, self.partner.findData(details.referred_by_partner_id)))
        self.archived.setChecked(details.archived)

        self.tag_input.clear()
        self.tag_list.clear()
        self.tag_list.addItems(list(details.tags))
        self.preferences_model.set_pairs(details.preferences)
        self.handles_model.set_pairs(details.social_handles)

        states = {
            True: self.tr("Granted"),
            False: self.tr("Withdrawn"),
            None: self.tr("Never asked: do not contact"),
        }
        for channel, box in self.consent_boxes.items():
            state = details.consent.get(channel)
            box.setChecked(state is True)
            self.consent_states[channel].setText(states[state])
        self._show_pending_consent()

        self.notes.setPlainText(details.notes)
        self._problems = {}
        self.problems.clear_problems()
        self._update_buttons()

    # -- reading the form --------------------------------------------------------------------

    def edited_details(self, referred_by_id: int | None) -> ContactDetails:
        """The loaded snapshot with what the form now shows."""
        month = self.birth_month.currentData()
        return dataclasses.replace(
            self._loaded,
            kind=self.kind.currentData(),
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            organisation=self.organisation.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            card_number=self.card_number.text(),
            birth_day=self.birth_day.value() or None,
            birth_month=month,
            birth_year=None if self.birth_year.value() == NO_YEAR else self.birth_year.value(),
            street=self.street.text(),
            locality=self.locality.text(),
            region=self.region_field.text(),
            postcode=self.postcode.text(),
            country=self.country.text(),
            ladder_stage=self.ladder_stage.currentData(),
            referred_by_id=referred_by_id,
            referred_by_name=self._referrer_name if referred_by_id is not None else "",
            source=self.source.text(),
            referred_by_partner_id=self.partner.currentData(),
            archived=self.archived.isChecked(),
            tags=tuple(sorted(self.tags(), key=str.casefold)),
            preferences=self.preferences_model.pairs(),
            social_handles=self.handles_model.pairs(),
            notes=self.notes.toPlainText(),
        )

    def tags(self) -> list[str]:
        return [self.tag_list.item(row).text() for row in range(self.tag_list.count())]

    def consent_changes(self) -> dict[str, bool]:
        """Channel -> granted, for each box that differs from the consent log."""
        return {
            channel: box.isChecked()
            for channel, box in self.consent_boxes.items()
            if box.isChecked() != (self._loaded.consent.get(channel) is True)
        }

    def has_unsaved_edits(self) -> bool:
        referred_by_id, problem = self._referrer_choice(search=False)
        if problem or self.tag_input.text().strip() or self.consent_changes():
            return True
        return self.edited_details(referred_by_id) != self._loaded

    # -- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        """Save every field, then record consent changes; stay open on any problem."""
        self._commit_open_cell_editors()
        pending_tag = self.tag_input.text().strip()
        if pending_tag and not self.add_tag():
            return
        referred_by_id, problem = self._referrer_choice(search=True)
        if problem:
            self._show_problems({"referred_by_id": problem})
            return
        changes: list[Change] = []
        try:
            changes.append(save_contact_details(self.edited_details(referred_by_id), self.region))
            method = self.consent_method.currentData()
            for channel, granted in self.consent_changes().items():
                changes.append(record_consent(self._loaded.id, channel, granted, method))
        except InvalidContact as error:
            self._show_problems(error.problems)
            return
        except EditConflict:
            self._problems = {}
            self.problems.clear_problems()
            if ask_reload(self):
                self._reload()
            return
        except ContactNotFound as error:
            tell_missing(self, str(error))
            self.change = _merged(changes)
            self._close(accepted=bool(changes))
            return
        except RelappError as error:
            self._show_problems({"": str(error)})
            return
        self.change = _merged(changes)
        self.accept()

    def _show_problems(self, problems: dict[str, str]) -> None:
        """Mark every problem, on the tab of the first one."""
        self._problems = dict(problems)
        first = next((key for key in self.problems.fields if key in problems), None)
        if first is not None:
            self.tabs.setCurrentIndex(self._field_tabs[first])
        self.problems.show_problems(problems)

    def _reload(self) -> None:
        try:
            self.load(load_contact_details(self._loaded.id))
        except ContactNotFound as error:
            tell_missing(self, str(error))
            self._close(accepted=False)

    def _close(self, accepted: bool) -> None:
        if accepted:
            self.accept()
        else:
            super().reject()  # nothing left to save: no question to ask

    def _commit_open_cell_editors(self) -> None:
        """A cell still being typed in counts: Ctrl+S must not lose it."""
        editor = QApplication.focusWidget()
        for table in (self.preferences, self.handles):
            viewport = table.viewport()
            if table.state() != QAbstractItemView.State.EditingState:
                continue
            if editor is None or not viewport.isAncestorOf(editor):
                continue
            while editor.parentWidget() is not viewport:  # an editable combo's line edit
                editor = editor.parentWidget()
            table.commitData(editor)
            table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def reject(self) -> None:
        if self.has_unsaved_edits() and not confirm_discard(self):
            return
        super().reject()

    @classmethod
    def ask(cls, parent: QWidget | None, contact_id: int) -> Change | None:
        """What saving the customer changed, or None if nothing was (cancelled, or no edit)."""
        try:
            details = load_contact_details(contact_id)
        except ContactNotFound as error:
            tell_missing(parent, str(error))
            return None
        dialog = cls(details, parent)
        dialog.exec()
        change = dialog.change
        dialog.deleteLater()
        return change

    # -- referrer ----------------------------------------------------------------------------

    def _search_referrers(self, text: str) -> None:
        self.referrer_model.search(text)
        if self.referrer_model.rowCount():
            self.referrer_completer.complete(self.referrer.rect())
        else:
            self.referrer_completer.popup().hide()

    def _choose_referrer(self, index: QModelIndex) -> None:
        self._set_referrer(index.data(ID_ROLE), index.data(Qt.ItemDataRole.EditRole))

    def _set_referrer(self, contact_id: int | None, name: str) -> None:
        self._referrer_id = contact_id
        self._referrer_name = name if contact_id is not None else ""
        self.referrer.setText(self._referrer_name)
        self.referrer.setCursorPosition(0)

    def _clear_referrer(self) -> None:
        self._set_referrer(None, "")
        self.referrer.setFocus()

    def _referrer_choice(self, search: bool) -> tuple[int | None, str]:
        """The chosen referrer's id, or a problem if the text names nobody chosen."""
        text = " ".join(self.referrer.text().split())
        if not text:
            return None, ""
        if self._referrer_id is not None and text == self._referrer_name:
            return self._referrer_id, ""
        if search:
            # Typed in full without picking from the list: fine if it names exactly one.
            exact = [
                (contact_id, name)
                for contact_id, name in referral_candidates(text, exclude_id=self._loaded.id)
                if name.casefold() == text.casefold()
            ]
            if len(exact) == 1:
                self._set_referrer(*exact[0])
                return exact[0][0], ""
        return None, self.tr(
            "Pick who referred this customer from the list shown as you type, or clear the field."
        )

    # -- tags and tables ---------------------------------------------------------------------

    def add_tag(self) -> bool:
        """Add the typed tag (in the shop's spelling if it exists); False if it cannot be."""
        try:
            name = clean_tag_name(self.tag_input.text())
        except ValueError as error:
            self._show_problems({"tags": str(error)})
            return False
        existing = {known.casefold(): known for known in self.tag_completer.model().stringList()}
        name = existing.get(name.casefold(), name)
        present = [
            row for row in range(self.tag_list.count())
            if self.tag_list.item(row).text().casefold() == name.casefold()
        ]  # fmt: skip
        if not present:
            self.tag_list.addItem(name)
            present = [self.tag_list.count() - 1]
        self.tag_list.setCurrentRow(present[0])
        self.tag_input.clear()
        self._update_buttons()
        if "tags" in self._problems:
            self._problems.pop("tags")
            self.problems.show_problems(self._problems)
            self.tag_input.setFocus()
        return True

    def remove_selected_tags(self) -> None:
        rows = sorted(self.tag_list.row(item) for item in self.tag_list.selectedItems())
        for row in reversed(rows):
            self.tag_list.takeItem(row)
        if self.tag_list.count():
            self.tag_list.setCurrentRow(min(rows[0], self.tag_list.count() - 1) if rows else 0)
        self._update_buttons()

    def _add_pair(self, table: QTableView, first: str) -> None:
        row = table.model().add_row(first)
        index = table.model().index(row, 1)
        table.setFocus()
        table.setCurrentIndex(index)
        table.edit(index)

    def _remove_pairs(self, table: QTableView) -> None:
        rows = {index.row() for index in table.selectionModel().selectedIndexes()}
        if not rows and table.currentIndex().isValid():
            rows = {table.currentIndex().row()}
        table.model().remove_rows(rows)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_tag_button.setEnabled(bool(self.tag_list.selectedItems()))
        self.remove_preference_button.setEnabled(self.preferences.selectionModel().hasSelection())
        self.remove_handle_button.setEnabled(self.handles.selectionModel().hasSelection())

    def _show_pending_consent(self) -> None:
        changes = self.consent_changes()
        for channel, label in self.consent_pending.items():
            if channel not in changes:
                label.setText("")
            elif changes[channel]:
                label.setText(self.tr("Records: granted"))
            else:
                label.setText(self.tr("Records: withdrawn"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or event.key() not in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            return super().eventFilter(watched, event)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False  # Ctrl+Enter saves, wherever the focus is
        if watched is self.tag_input:
            if not self.tag_input.text().strip():
                return False  # nothing typed: Enter saves, as in any other field
            self.add_tag()
            return True
        if watched is self.tag_list:
            return True  # Enter in a list does not save the whole dialog by surprise
        if isinstance(watched, QTableView):
            # Enter edits the current cell, as in a spreadsheet, instead of saving; in a cell
            # being edited it ends the edit (the delegate saw it first) and stops here.
            editing = watched.state() == QAbstractItemView.State.EditingState
            if not editing and watched.currentIndex().isValid():
                watched.edit(watched.currentIndex())
            return True
        return super().eventFilter(watched, event)


def _merged(changes: list[Change]) -> Change | None:
    """One Change for everything saved, or None if nothing was."""
    change = Change.union(*changes)
    return change if change.entities else None
