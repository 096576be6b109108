"""A text message to one customer from the Counter, in the real window: F7 opens it for the
customer shown, the QR code on screen is the sms: link of exactly what is typed (the shop's
phone scans it), Ctrl+Enter logs it on their history; no consent is a warning, no mobile one
sentence instead of the dialog."""

from __future__ import annotations

from urllib.parse import quote

from PIL import Image
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QLabel
from pyzbar.pyzbar import ZBarSymbol, decode

from relapp.db.models import Contact, Interaction
from relapp.domain.contacts.profiles import current_consent
from relapp.domain.contacts.rhythm import would_exceed_cap
from relapp.ui.counter import text_dialog
from tests.flows.harness import Flow, describe
from tests.flows.people import show_at_counter

TITLE = "Text message to"


def card_holders(with_phone: bool = True):
    """Live people with a loyalty card (and a phone, or none), oldest first."""
    return (
        Contact.select()
        .where(
            Contact.card_number.is_null(False),
            Contact.phone.is_null(not with_phone),
            Contact.kind == "person",
            Contact.erased_at.is_null(),
            Contact.archived_at.is_null(),
        )
        .order_by(Contact.id)
    )


def a_texter(agreed: bool) -> Contact:
    """A card holder with a mobile who agreed to texts and is under the contact cap, or
    one who never agreed or withdrew."""
    for customer in card_holders():
        consented = bool(current_consent(customer.id)["sms"])
        if consented == agreed and (not agreed or would_exceed_cap(customer.id) is None):
            return customer
    raise AssertionError("the demo shop has no such customer")


def name_of(customer: Contact) -> str:
    return f"{customer.given_name} {customer.family_name}"


def decoded(label: QLabel) -> list[str]:
    """What a phone's camera reads from the QR code on screen."""
    image = label.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    size = (image.width(), image.height())
    pixels = bytes(image.constBits())
    picture = Image.frombuffer("L", size, pixels, "raw", "L", image.bytesPerLine(), 1)
    return [found.data.decode("ascii") for found in decode(picture, symbols=[ZBarSymbol.QRCODE])]


def messages_to(customer: Contact):
    return Interaction.select().where(
        Interaction.contact == customer.id, Interaction.kind == "message"
    )


def test_f7_texts_the_customer_the_code_is_the_sms_link_and_ctrl_enter_logs_it(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = a_texter(agreed=True)
    before = messages_to(customer).count()
    counter = show_at_counter(flow, customer)
    assert "Text… (F7)" in flow.screen_text()
    text = "Your order is ready 😀"
    seen = {}

    def write(dialog):
        assert dialog.message.hasFocus()
        seen["opened"] = describe(dialog)
        flow.type("Your order is ready 😀")
        assert dialog.message.toPlainText() == text
        seen["length"] = dialog.length.text()
        link = f"sms:{customer.phone}?body={quote(text, safe='')}"
        flow.wait_until(lambda: decoded(dialog.code) == [link])  # once typing pauses
        assert dialog.code.pixmap().width() >= 160  # large enough for a phone's camera
        flow.press("Ctrl+Return")

    flow.in_next_dialog(write, TITLE)
    flow.press("F7")
    flow.wait_for_dialogs()

    assert f"'{TITLE} {name_of(customer)}'" in seen["opened"]
    assert "agreed to text messages" not in seen["opened"]  # they have: no warning
    assert seen["length"] == "1 text message · 22 of 70 characters (UCS-2)"
    assert messages_to(customer).count() == before + 1
    logged = messages_to(customer).order_by(Interaction.id.desc()).first()
    assert (logged.direction, logged.details) == ("outbound", text)
    assert logged.summary == f"Text message: {text}"
    assert logged.staff_id == flow.window.current_staff.staff_id
    assert f"Text message logged for {name_of(customer)}." in flow.screen_text()
    assert flow.window.focusWidget() is counter.search_box  # where the next scan goes


def test_a_customer_without_sms_consent_is_warned_about_and_escape_logs_nothing(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = a_texter(agreed=False)
    before = messages_to(customer).count()
    show_at_counter(flow, customer)
    seen = {}

    def look(dialog):
        seen["text"] = describe(dialog)
        flow.type("Your booking moved to 3 pm")
        flow.press("Escape")

    flow.in_next_dialog(look, TITLE)
    flow.press("F7")
    flow.wait_for_dialogs()

    name = name_of(customer)
    said = seen["text"]
    assert f"{name} has not agreed to text messages" in said or f"{name} withdrew" in said
    assert "send only what they need to know" in said
    assert messages_to(customer).count() == before


def test_a_customer_without_a_mobile_is_told_in_one_sentence_and_no_dialog_opens(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = card_holders(with_phone=False).first()
    show_at_counter(flow, customer)

    flow.press("F7")

    assert QApplication.activeModalWidget() is None
    assert (
        f"{name_of(customer)} has no mobile number on record, so a text message cannot reach"
        " them." in flow.screen_text()
    )


def test_open_in_messages_app_says_when_this_computer_has_none(flow: Flow, monkeypatch):
    opened = []

    def no_app(url):
        opened.append(url.toString())
        return False

    monkeypatch.setattr(text_dialog.QDesktopServices, "openUrl", no_app)
    flow.sign_in("Maya", "1234")
    customer = a_texter(agreed=True)
    show_at_counter(flow, customer)
    seen = {}

    def open_it(dialog):
        flow.type("Ready")
        flow.click(dialog.open_button)
        seen["text"] = describe(dialog)
        flow.click(dialog.copy_button)
        seen["copied"] = QGuiApplication.clipboard().text()
        flow.press("Escape")

    flow.in_next_dialog(open_it, TITLE)
    flow.press("F7")
    flow.wait_for_dialogs()

    link = f"sms:{customer.phone}?body=Ready"
    assert opened == [link]  # the text as typed, within the pause before the code follows
    assert (
        "This computer has no app for text messages: scan the code with a phone instead."
        in seen["text"]
    )
    assert seen["copied"] == link
