"""FieldProblems: the sentences under a form go away once they no longer describe it."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QSpinBox, QVBoxLayout

from relapp.ui.widgets.field_problems import FieldProblems


def form(qtbot, check=None):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    name, email, count, kind = QLineEdit(), QLineEdit(), QSpinBox(), QComboBox()
    kind.addItems(["call", "email"])
    fields = {"name": name, "email": email, "count": count, "kind": kind}
    problems = FieldProblems(fields, check=check)
    layout = QVBoxLayout(dialog)
    for widget in (*fields.values(), problems):
        layout.addWidget(widget)
    dialog.show()
    problems.dialog = dialog  # kept alive with the test's reference
    return problems, fields


def test_without_a_check_editing_a_field_takes_its_sentence_away(app, qtbot):
    problems, fields = form(qtbot)
    problems.show_problems(
        {"name": "Enter a name.", "email": "Not an email.", "count": "Too many."}
    )
    assert problems.text() == "Enter a name.\nNot an email.\nToo many."

    qtbot.keyClicks(fields["email"], "ann@example.com")
    assert problems.text() == "Enter a name.\nToo many."
    assert fields["email"].property("invalid") is False
    assert fields["name"].property("invalid") is True

    fields["count"].setValue(3)
    fields["kind"].setCurrentIndex(1)  # no problem of its own: nothing else goes
    assert problems.text() == "Enter a name."
    qtbot.keyClicks(fields["name"], "Ann")
    assert not problems.isVisible()
    assert problems.problems == {}


def test_with_a_check_a_sentence_stays_while_the_field_is_still_wrong(app, qtbot):
    def check():
        found = {}
        if "@" not in email.text():
            found["email"] = "Not an email."
        if not name.text() and not family.text():
            found["name"] = "Enter a name."
        return found

    name, family, email = QLineEdit(), QLineEdit(), QLineEdit()
    problems = FieldProblems({"name": name, "family": family, "email": email}, check=check)
    for widget in (name, family, email, problems):
        qtbot.addWidget(widget)
    problems.show_problems(check() | {"family": "Taken already."})  # one the check cannot see
    problems.show()

    qtbot.keyClicks(email, "ann")  # still no @
    assert "Not an email." in problems.text()
    qtbot.keyClicks(email, "@example.com")
    assert "Not an email." not in problems.text()
    assert email.property("invalid") is False

    qtbot.keyClicks(family, "Lee")  # a name at last: "Enter a name." goes with the edit
    assert problems.text() == ""
    assert not problems.isVisible()


def test_a_sentence_for_the_whole_form_stays_until_the_next_attempt(app, qtbot):
    problems, fields = form(qtbot)
    problems.show_problems({"": "The database is busy; try again."})
    qtbot.keyClicks(fields["name"], "Ann")
    assert problems.text() == "The database is busy; try again."
