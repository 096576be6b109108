"""More of the window, each as a person reaches it: staff accounts (added, a PIN changed, one
deactivated, the audit log), archiving and unarchiving a customer, the vCard export, a person's
data exported as a zip, a call logged with F5, Today's actions and the activity feed's filters
(Tab and typing), every report's preview, Quit."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from relapp.db.models import Contact, Interaction, Staff, Task
from relapp.domain.shop.staff import authenticate
from relapp.errors import RelappError
from relapp.ui.staff.audit_view import AuditLogDialog
from tests.flows.harness import Flow
from tests.flows.people import a_card_holder, show_at_counter


def filter_contacts(flow: Flow, text: str):
    flow.press("Ctrl+2")
    contacts = flow.current_view()
    flow.press("Ctrl+A")
    flow.type(text)
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    return contacts


def from_staff_menu(flow: Flow, item: str, *dialogs) -> None:
    """Alt+T, the item; then each (handler, title) in dialogs, in the order they open."""
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, item))
    for handler, title in dialogs:
        flow.in_next_dialog(handler, title)
    flow.press("Alt+T")


def sign_in_names(flow: Flow) -> list[str]:
    names = {}

    def look(dialog):
        names["list"] = [dialog.staff_list.item(r).text() for r in range(dialog.staff_list.count())]
        flow.press("Escape")

    flow.in_next_dialog(look, "Switch user")
    flow.press("Ctrl+Shift+U")
    flow.wait_for_dialogs()
    return names["list"]


# -- staff -------------------------------------------------------------------------------------


def test_a_manager_adds_a_cashier_with_a_pin_who_then_signs_in(flow: Flow):
    flow.sign_in("Maya", "1234")
    added = {}

    def add(dialog):
        assert dialog.name.hasFocus()
        flow.type("Robin Achterberg")
        flow.press("Alt+P")
        flow.type("4321")
        flow.press("Alt+G")
        flow.type("4321")
        flow.press("Return")
        added["done"] = True

    def staff(dialog):
        flow.press("Alt+A")  # Add…
        flow.wait_until(lambda: "done" in added)
        added["listed"] = [dialog.model.member(r).name for r in range(dialog.model.rowCount())]
        added["selected"] = dialog.selected().name
        flow.press("Escape")  # Close

    from_staff_menu(flow, "S&taff", (staff, "Staff"), (add, "Add staff member"))
    flow.wait_for_dialogs()

    robin = Staff.get(Staff.name == "Robin Achterberg")
    assert (robin.role, robin.active) == ("counter", True)
    assert "Robin Achterberg" in added["listed"] and added["selected"] == "Robin Achterberg"
    assert authenticate(robin.id, "4321").name == "Robin Achterberg"

    flow.sign_in("Robin", "4321")
    assert flow.window.current_staff.member.id == robin.id
    assert "Robin Achterberg (counter)" in flow.screen_text()
    assert not flow.window.staff_button.staff_action.isEnabled()  # a counter manages no one


def test_a_cashier_changes_their_own_pin(flow: Flow):
    sam = Staff.get(Staff.name == "Sam")
    flow.sign_in("Sam", "0000")

    def new_pin(dialog):
        assert dialog.current.hasFocus()
        flow.type("0000")
        flow.press("Alt+N")
        flow.type("2468")
        flow.press("Alt+G")
        flow.type("2468")
        flow.press("Return")

    from_staff_menu(flow, "Change my &PIN", (new_pin, "New PIN for Sam"))
    flow.wait_for_dialogs()

    assert authenticate(sam.id, "2468").id == sam.id
    try:
        authenticate(sam.id, "0000")
    except RelappError:
        pass
    else:
        raise AssertionError("the old PIN still works")
    flow.sign_in("Sam", "2468")
    assert flow.window.current_staff.member.id == sam.id


def test_a_deactivated_account_leaves_the_sign_in_list_and_the_audit_log_says_so(flow: Flow):
    lee = Staff.get(Staff.name == "Lee")
    flow.sign_in("Maya", "1234")
    assert "Lee — counter" in sign_in_names(flow)

    def deactivate(dialog):
        dialog.table.setFocus()
        flow.press("Ctrl+Home")  # in a table Home goes to the first column, not the first row
        flow.move_to(dialog.table, "Lee")
        assert dialog.active_button.text() == "&Deactivate"
        flow.press("Alt+D")
        flow.wait_until(lambda: not Staff.get_by_id(lee.id).active)
        assert "Deactivated" in " ".join(
            str(dialog.model.index(r, 2).data()) for r in range(dialog.model.rowCount())
        )
        flow.press("Escape")

    from_staff_menu(flow, "S&taff", (deactivate, "Staff"))
    flow.wait_for_dialogs()
    assert not any(name.startswith("Lee") for name in sign_in_names(flow))

    # The toolbar's user menu (its arrow). Alt+T here would only highlight the Staff menu:
    # after a dialog opened from that menu has closed, the offscreen window's menu bar no
    # longer pops up its menu (see the report).
    staff_button = flow.window.staff_button
    arrow = QPoint(staff_button.width() - 4, staff_button.height() // 2)
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&Audit log"))
    flow.qtbot.mouseClick(staff_button, Qt.MouseButton.LeftButton, pos=arrow)
    flow.wait_for_dialogs()
    [audit] = [w for w in QApplication.topLevelWidgets() if isinstance(w, AuditLogDialog)]
    flow.wait_until(audit.isVisible)
    model = audit.model
    rows = [
        " ".join(str(model.index(r, c).data() or "") for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]
    newest = rows[0]
    assert "Maya" in newest and "Lee" in audit.details.toPlainText() + newest
    assert audit.count_label.text().endswith("entries")
    audit.close()


# -- contacts ----------------------------------------------------------------------------------


def test_archive_a_customer_with_delete_then_unarchive_it(flow: Flow):
    person = a_card_holder(newest=True, with_email=True)
    contacts = filter_contacts(flow, person.email)
    flow.press("Down")  # from the filter into the table
    assert contacts.table.hasFocus() and contacts.current_contact_id() == person.id

    said = {}

    def confirm(box):
        said["text"] = box.text()
        flow.press("Return")  # Archive is the default

    flow.in_next_dialog(confirm, "Archive customers")
    flow.press("Delete")
    flow.wait_for_dialogs()
    assert said["text"].startswith("Archive 1 customers?")
    assert Contact.get_by_id(person.id).archived_at is not None
    flow.wait_until(lambda: contacts.model.rowCount() == 0)

    # The counter no longer finds them.
    flow.press("Ctrl+1")
    counter = flow.current_view()
    flow.type(person.card_number)
    flow.press("Return")
    flow.wait_until(lambda: counter.right.currentWidget() is counter.unknown_card)

    # Show "Archived" in Contacts and unarchive with Ctrl+U.
    flow.press("Ctrl+2")
    archived = contacts.filter_bar.archived
    for _ in range(10):
        if archived.hasFocus():
            break
        flow.press("Tab")
    assert archived.hasFocus()
    flow.type("Archived")
    assert archived.currentData() == "archived"
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    assert contacts.model.contact_id(0) == person.id
    contacts.table.setFocus()
    flow.press("Ctrl+U")
    assert Contact.get_by_id(person.id).archived_at is None
    flow.wait_until(lambda: contacts.model.rowCount() == 0)
    flow.press("Ctrl+1")
    flow.press("Escape")  # the unknown card's page: start again
    assert counter.search_box.text() == ""
    show_at_counter(flow, person)


def test_export_the_customers_as_vcards(flow: Flow, tmp_path: Path):
    out = tmp_path / "for the phone.vcf"
    status = {}

    def export(dialog):
        flow.press("Alt+F")  # Format
        flow.press("Down")
        assert dialog.format.currentData() == "vcard3"
        flow.press("Return")  # Export…, which asks where
        flow.wait_until(lambda: out.exists() and dialog.status.text())
        status["text"] = dialog.status.text()
        flow.press("Escape")

    def where(file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(out))
        flow.press("Return")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&Export"))
    flow.in_next_dialog(export, "Export customers")
    flow.in_next_dialog(where, "Export customers")
    flow.press("Alt+F")
    flow.wait_for_dialogs()

    text = out.read_text(encoding="utf-8")
    live = Contact.select().where(Contact.archived_at.is_null(), Contact.erased_at.is_null())
    assert text.count("BEGIN:VCARD") == live.count()
    assert "VERSION:3.0" in text
    person = a_card_holder(newest=True, with_email=True)
    assert person.email in text
    assert str(live.count()) in status["text"].replace(",", "")


def test_a_manager_exports_a_persons_data_as_a_zip(flow: Flow, tmp_path: Path):
    person = a_card_holder(newest=True, with_email=True)
    out = tmp_path / "subject access request.zip"
    flow.sign_in("Maya", "1234")
    contacts = filter_contacts(flow, person.email)
    said = {}

    def where(file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(out))
        flow.press("Return")

    def told(box):
        said["text"] = box.text()
        flow.press("Return")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Export personal data"))
    flow.in_next_dialog(where, "Export personal data of")
    flow.in_next_dialog(told, "Export personal data")
    flow.click(contacts.findChild(object, "contactsMore"))
    flow.wait_for_dialogs()

    assert str(out) in said["text"]
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"person.json", "person.vcf", "summary.pdf"} <= names
        data = archive.read("person.json").decode("utf-8")
        assert archive.read("summary.pdf").startswith(b"%PDF-")
    assert person.email in data and person.given_name in data
    json.loads(data)


def test_a_cashier_is_told_a_persons_data_export_is_a_managers(flow: Flow, tmp_path: Path):
    person = a_card_holder(newest=True, with_email=True)
    flow.sign_in("Sam", "0000")
    contacts = filter_contacts(flow, person.email)
    said = {}
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Export personal data"))
    flow.in_next_dialog(lambda box: (said.update(text=box.text()), flow.press("Return")),
                        "Export personal data")  # fmt: skip
    flow.click(contacts.findChild(object, "contactsMore"))
    flow.wait_for_dialogs()
    assert said["text"] == "Sign in as a manager to export personal data."


# -- the counter -------------------------------------------------------------------------------


def test_f5_logs_a_phone_call_at_the_counter(flow: Flow):
    customer = a_card_holder(newest=True, with_email=True)
    flow.sign_in("Sam", "0000")
    counter = show_at_counter(flow, customer)

    def call(dialog):
        flow.press("Alt+K")
        flow.type("Call")
        assert dialog.fields.kind() == "call"
        flow.press("Alt+D")
        flow.type("Out")
        flow.press("Alt+S")
        flow.type("Rang to say the resoled boots are ready")
        flow.press("Return")

    flow.in_next_dialog(call, "Log contact")
    flow.press("F5")
    flow.wait_for_dialogs()

    logged = Interaction.get(
        Interaction.contact == customer.id,
        Interaction.summary == "Rang to say the resoled boots are ready",
    )
    sam = Staff.get(Staff.name == "Sam")
    assert (logged.kind, logged.direction, logged.staff_id) == ("call", "outbound", sam.id)

    flow.press("F4")  # the history tab shows it
    flow.wait_until(lambda: counter.tabs.currentIndex() == 1)
    flow.wait_until(lambda: "resoled boots" in _all_text(counter.timeline))


def _all_text(widget) -> str:
    view = widget.findChild(object, "timelineView") or widget
    from PySide6.QtWidgets import QAbstractItemView

    views = [view] if isinstance(view, QAbstractItemView) else widget.findChildren(
        QAbstractItemView)  # fmt: skip
    texts = []
    for each in views:
        model = each.model()
        for row in range(model.rowCount()):
            texts.append(str(model.index(row, 0).data() or ""))
    return "\n".join(texts)


def test_the_loyalty_card_prints_from_the_counter_with_a_preview(flow: Flow):
    customer = a_card_holder(newest=True, with_email=True)
    show_at_counter(flow, customer)
    seen = {}

    def look(dialog):
        seen["title"] = dialog.windowTitle()
        seen["status"] = dialog.status.text()
        flow.press("Escape")

    flow.in_next_dialog(look, "Loyalty cards")
    flow.press("Ctrl+Shift+P")
    flow.wait_for_dialogs()
    assert seen["status"].startswith("1 page")


# -- today -------------------------------------------------------------------------------------


def test_a_query_is_answered_then_followed_up_and_opened_from_today(flow: Flow):
    customer = a_card_holder(newest=True, with_email=True)
    flow.sign_in("Sam", "0000")
    show_at_counter(flow, customer)

    def query(dialog):
        flow.press("Alt+K")
        flow.type("Que")
        assert dialog.fields.kind() == "query"
        flow.press("Alt+S")
        flow.type("Do you stock the green laces?")
        flow.press("Return")

    flow.in_next_dialog(query, "Log contact")
    flow.press("F5")
    flow.wait_for_dialogs()
    case = Interaction.get(Interaction.summary == "Do you stock the green laces?")
    assert case.first_response_at is None

    flow.press("Ctrl+3")
    today = flow.current_view()
    flow.move_to(today.work_list, "Do you stock the green laces?")
    assert today.answered_action.isEnabled()
    toolbar = today.findChild(object, "todayActions")
    flow.click(toolbar.widgetForAction(today.answered_action))
    case = Interaction.get_by_id(case.id)
    assert case.first_response_at is not None and case.status == "open"
    flow.wait_until(lambda: not today.answered_action.isEnabled())

    def plan(dialog):
        flow.type("Order green laces for them")
        flow.press("Alt+M")  # Tomorrow
        flow.press("Return")

    flow.move_to(today.work_list, "Do you stock the green laces?")
    flow.in_next_dialog(plan, "follow-up")
    flow.press("Ctrl+T")
    flow.wait_for_dialogs()
    task = Task.get(Task.title == "Order green laces for them")
    assert task.contact_id == customer.id and task.done_at is None

    flow.move_to(today.work_list, "Do you stock the green laces?")
    flow.press("Return")  # opens the customer at the counter
    assert flow.window.current_view_key() == "counter"
    assert flow.current_view().shown_contact_id == customer.id


# -- reports -----------------------------------------------------------------------------------


def make_report(flow: Flow, reports, title: str, fill=None) -> str:
    flow.press("Ctrl+5")
    flow.move_to(reports.catalogue, title)
    if fill is not None:
        fill()
    reports.status.setText("")
    flow.press("Ctrl+Return")
    flow.wait_until(lambda: "page" in reports.status.text(), 30_000)
    return reports.status.text()


def test_every_report_opens_a_preview(flow: Flow):
    customer = a_card_holder(newest=True, with_email=True)
    flow.press("Ctrl+5")
    reports = flow.current_view()
    assert reports.body.currentWidget() is reports.empty
    assert not reports.save_button.isEnabled()

    def one_customer():
        flow.qtbot.mouseClick(reports.customer, Qt.MouseButton.LeftButton)
        flow.press("Ctrl+A")
        flow.type(str(customer.id))

    def a_few_customers():
        flow.qtbot.mouseClick(reports.ids, Qt.MouseButton.LeftButton)
        flow.press("Ctrl+A")
        flow.type("1, 2, 3")

    made = {
        "Customer dossier": make_report(flow, reports, "Customer dossier", one_customer),
        "Loyalty cards": make_report(flow, reports, "Loyalty cards", a_few_customers),
        "Segment list": make_report(flow, reports, "Segment list"),  # its first segment
        "Loyalty liability": make_report(flow, reports, "Loyalty liability"),
        "Retention summary": make_report(flow, reports, "Retention summary"),
        "Today's follow-up list": make_report(flow, reports, "Today's follow-up list"),
    }
    assert reports.body.currentWidget() is reports.preview
    assert reports.save_button.isEnabled() and reports.print_button.isEnabled()
    for title, status in made.items():
        assert status.split(".")[0].endswith(("page", "pages")), (title, status)
    assert reports.request.kind == "followups"


def test_a_report_without_its_customer_says_what_is_missing(flow: Flow):
    flow.press("Ctrl+5")
    reports = flow.current_view()
    flow.move_to(reports.catalogue, "Customer dossier")
    flow.press("Ctrl+Return")
    assert reports.status.text() == "Type the customer's number or card number."
    assert reports.body.currentWidget() is reports.empty


# -- the file menu -----------------------------------------------------------------------------


def test_file_quit_closes_the_window(flow: Flow):
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&Quit"))
    flow.press("Alt+F")
    flow.wait_for_dialogs()
    flow.wait_until(lambda: not flow.window.isVisible())


def test_the_activity_feed_filters_by_kind_and_staff_from_the_keyboard(flow: Flow):
    flow.press("Ctrl+3")
    today = flow.current_view()
    flow.press("Ctrl+Tab")  # the Activity tab
    feed = today.activity_view
    flow.wait_until(lambda: today.tabs.currentWidget() is feed and feed.model.rowCount() > 0)
    kinds = {line.entry.kind for line in feed.model.entries}
    assert len(kinds) > 1  # the demo's feed mixes kinds

    def tab_to(widget) -> None:
        for _ in range(12):
            if widget.hasFocus():
                return
            flow.press("Tab")
        raise AssertionError(f"Tab never reaches {widget.objectName()}")

    tab_to(feed.kind_filter)
    flow.type("Comp")  # a list: typing picks the kind that starts so
    flow.wait_until(lambda: feed.kind_filter.currentData() == "complaint")
    flow.wait_until(lambda: {line.entry.kind for line in feed.model.entries} == {"complaint"})

    # A staff member who logged complaints (which one depends on the day the demo ends).
    logged = Interaction.select().where(
        Interaction.kind == "complaint", Interaction.staff.is_null(False)
    )
    who = Staff.get_by_id(logged.order_by(Interaction.occurred_at.desc()).first().staff_id)
    tab_to(feed.staff_filter)
    flow.type(who.name[:3])
    flow.wait_until(lambda: feed.staff_filter.currentText().startswith(who.name[:3]))
    lee = Staff.get_by_id(feed.staff_filter.currentData())
    assert lee.id == who.id
    flow.wait_until(
        lambda: (
            feed.model.rowCount() > 0
            and all(
                line.entry.kind == "complaint" and line.entry.staff_name == lee.name
                for line in feed.model.entries
            )
        )
    )
    logged_by_lee = Interaction.select().where(
        Interaction.kind == "complaint", Interaction.staff == lee.id
    )
    assert feed.model.rowCount() <= logged_by_lee.count()
