"""A campaign's channel files read back as their readers read them: the CSVs with the csv
module, the emails with the standard library's mail parser."""

from __future__ import annotations

import csv
import re
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapp.domain.campaigns.recipients import Message, Recipient
from relapp.domain.campaigns.sms import sms_segments
from relapp.errors import RelappError
from relapp.exchange.campaign_files import (
    eml_file_name,
    eml_files,
    mailchimp_csv,
    sms_csv,
    sms_link,
)

ODD_NAMES = [
    'Zoë "Zed" Martin',
    "Martin, Zoë",
    "Anne\nMarie",
    "محمد علي",
    "Ann 😀 Lee",
    "O'Brien; <script>",
    "  spaced   out  ",
]
SENDER = "Bean There <hello@beanthere.example>"
OPT_OUT = "Reply STOP, or unsubscribe at https://beanthere.example/stop?c=1."


def person(contact_id=1, name="Zoë Martin", **fields) -> Recipient:
    given, _, family = name.partition(" ")
    values = {
        "contact_id": contact_id,
        "given_name": given,
        "family_name": family,
        "name": name,
        "email": f"c{contact_id}@example.com",
        "phone": "+61412345678",
        "street": "1 Main St",
        "locality": "Sydney",
        "region": "NSW",
        "postcode": "2000",
        "country": "",
        "points_balance": 340,
        "card_number": None,
        "customer_since": "2019-03-07",
    }
    return Recipient(**{**values, **fields})


def message(recipient: Recipient, body="Hello {name}", subject="Spring sale") -> Message:
    return Message(recipient=recipient, body=body, subject=subject)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def read_email(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def to_name(path: Path) -> str:
    """The To display name as RFC 2047 reads it. The standard library's parser before CPython
    gh-128110 keeps the folding space between two encoded words of a long name, which
    section 6.2 says to drop (mail programs do); email.header's decoder drops it, so a
    header with adjacent encoded words is read with that."""
    name = read_email(path)["To"].addresses[0].display_name
    raw = str(BytesParser(policy=policy.compat32).parsebytes(path.read_bytes())["To"])
    if re.search(r"\?=\s+=\?", raw):
        name = str(make_header(decode_header(raw.rpartition(" <")[0])))
    return name


def body_text(email) -> str:
    return email.get_content().replace("\r\n", "\n")  # the file's lines end in CRLF


# --- Mailchimp --------------------------------------------------------------------------------


def test_mailchimp_file_has_mailchimps_labels_and_one_row_per_email(tmp_path):
    target = tmp_path / "audience.csv"
    messages = [
        message(person(1, "Zoë Martin", street="1 Main St\nUnit 2", country="AU")),
        message(person(2, "No Mail", email=None)),
        message(person(3, "Empty Mail", email="")),
        message(person(4, "Sam Lee", phone=None, street="", locality="")),
    ]
    written = mailchimp_csv(messages, target, tags=["VIP", "Spring, 2026", "VIP", " "])

    assert written == 2  # two of the four had no email address
    assert read_csv(target) == [
        ["Email Address", "First Name", "Last Name", "Phone Number", "Address", "Customer Since",
         "Tags"],
        [
            "c1@example.com", "Zoë", "Martin", "+61412345678",
            "1 Main St  Unit 2  Sydney  NSW  2000  AU", "2019-03-07", 'VIP,"Spring, 2026"',
        ],
        ["c4@example.com", "Sam", "Lee", "", "", "2019-03-07", 'VIP,"Spring, 2026"'],
    ]  # fmt: skip


def test_mailchimp_file_is_utf8_without_bom_with_crlf_and_rfc4180_quoting(tmp_path):
    target = tmp_path / "audience.csv"
    mailchimp_csv([message(person(1, 'Zoë "Z", Martin'))], target, tags=["a,b"])
    raw = target.read_bytes()
    assert raw.startswith(b"Email Address,First Name,")
    assert raw.split(b"\r\n")[1] == (
        'c1@example.com,Zoë,"""Z"", Martin",+61412345678,'
        '1 Main St  Sydney  NSW  2000,2019-03-07,"""a,b"""'.encode()
    )
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")


def test_an_address_part_keeps_its_own_spaces_single(tmp_path):
    target = tmp_path / "audience.csv"
    mailchimp_csv([message(person(1, street="12  Long   Road", locality="St  Kilda"))], target)
    assert read_csv(target)[1][4] == "12 Long Road  St Kilda  NSW  2000"


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_come_back_from_the_mailchimp_file_as_they_were(tmp_path, name):
    target = tmp_path / "audience.csv"
    recipient = person(7, given_name=name, family_name=name[::-1])
    mailchimp_csv([message(recipient)], target)
    rows = read_csv(target)
    assert len(rows) == 2
    assert rows[1][1:3] == [name, name[::-1]]


def test_no_recipient_with_an_email_still_writes_the_header(tmp_path):
    target = tmp_path / "audience.csv"
    assert mailchimp_csv([message(person(email=None))], target) == 0
    assert read_csv(target) == [
        [
            "Email Address",
            "First Name",
            "Last Name",
            "Phone Number",
            "Address",
            "Customer Since",
            "Tags",
        ]
    ]


def test_a_file_is_replaced_whole_and_leaves_no_part_file(tmp_path):
    target = tmp_path / "audience.csv"
    target.write_text("old content that is longer than the new file will be\n" * 50)
    mailchimp_csv([message(person())], target)
    assert len(read_csv(target)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audience.csv"]


def test_a_missing_folder_is_said_in_words(tmp_path):
    with pytest.raises(RelappError, match="does not exist"):
        mailchimp_csv([message(person())], tmp_path / "nowhere" / "audience.csv")


# --- SMS --------------------------------------------------------------------------------------


def test_sms_file_has_number_text_encoding_and_count_for_each_phone(tmp_path):
    target = tmp_path / "texts.csv"
    long_text = "Spring sale, 20% off: " + "a" * 150 + " €"
    messages = [
        message(person(1), body=long_text),
        message(person(2, phone=None), body="skipped"),
        message(person(3, phone="+447700900123"), body="Cześć Zoë, line one\nline two 😀"),
    ]
    assert sms_csv(messages, target) == 2
    assert read_csv(target) == [
        ["Phone", "Message", "Encoding", "Segments"],
        ["+61412345678", long_text, "GSM-7", "2"],
        ["+447700900123", "Cześć Zoë, line one\nline two 😀", "UCS-2", "1"],
    ]
    assert sms_segments(long_text).characters == 22 + 150 + 3


# --- email ------------------------------------------------------------------------------------


def test_an_email_per_recipient_with_an_address_ready_to_send(tmp_path):
    messages = [
        message(person(42, "Zoë Martin"), body="Hello Zoë,\nyour points: 340", subject="Spring"),
        message(person(43, "No Mail", email=None)),
    ]
    paths = eml_files(messages, tmp_path, sender=SENDER, opt_out=OPT_OUT)

    assert paths == [tmp_path / "42-zoë-martin.eml"]
    email = read_email(paths[0])
    assert email["To"].addresses[0].display_name == "Zoë Martin"
    assert email["To"].addresses[0].addr_spec == "c42@example.com"
    assert str(email["From"]) == SENDER
    assert email["Subject"] == "Spring"
    assert email["Date"].datetime is not None
    assert re.fullmatch(r"<[^<>@\s]+@beanthere\.example>", email["Message-ID"])
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert body_text(email) == (
        "Hello Zoë,\nyour points: 340\n\n"
        "Reply STOP, or unsubscribe at https://beanthere.example/stop?c=1.\n"
    )
    assert email["List-Unsubscribe"] == "<https://beanthere.example/stop?c=1>"


def test_the_file_is_rfc5322_ascii_headers_crlf_lines_of_at_most_78(tmp_path):
    recipient = person(1, "محمد علي بن عبد الله الهاشمي القرشي ومعه اسم طويل جداً جداً 😀")
    [path] = eml_files([message(recipient)], tmp_path, sender=SENDER, opt_out=OPT_OUT)
    raw = path.read_bytes()
    head, _, _ = raw.partition(b"\r\n\r\n")
    assert head.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert to_name(path) == recipient.name


@pytest.mark.parametrize(
    ("opt_out", "header"),
    [
        ("Write to mailto:stop@beanthere.example to stop.", "<mailto:stop@beanthere.example>"),
        (
            "Stop: MAILTO:stop@beanthere.example?subject=stop or https://beanthere.example/x",
            "<MAILTO:stop@beanthere.example?subject=stop>, <https://beanthere.example/x>",
        ),
        (
            "Désabonnement : https://beanthere.example/désinscrire",
            "<https://beanthere.example/d%C3%A9sinscrire>",
        ),
        ("Reply STOP to stop hearing from us.", None),
        ("See http://beanthere.example/stop (not https).", None),
    ],
)
def test_list_unsubscribe_only_when_the_opt_out_holds_a_mailto_or_https_link(
    tmp_path, opt_out, header
):
    [path] = eml_files([message(person())], tmp_path, sender=SENDER, opt_out=opt_out)
    email = read_email(path)
    assert email["List-Unsubscribe"] == header
    assert body_text(email).rstrip("\n").endswith(opt_out)


def test_a_long_unsubscribe_link_stays_a_link_not_encoded_words(tmp_path):
    link = "https://beanthere.example/unsubscribe/" + "x" * 120
    [path] = eml_files([message(person())], tmp_path, sender=SENDER, opt_out=f"Stop: {link}")
    assert f"List-Unsubscribe: <{link}>\r\n".encode() in path.read_bytes()


@pytest.mark.parametrize("opt_out", ["", "   \n"])
def test_every_email_must_carry_an_opt_out(tmp_path, opt_out):
    with pytest.raises(RelappError, match="opt out"):
        eml_files([message(person())], tmp_path, sender=SENDER, opt_out=opt_out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sender", ["", "Bean There", "a@b.example, c@d.example"])
def test_a_sender_that_is_not_one_address_is_refused(tmp_path, sender):
    with pytest.raises(RelappError, match="sender"):
        eml_files([message(person())], tmp_path, sender=sender, opt_out=OPT_OUT)


def test_a_line_break_in_a_name_or_subject_cannot_add_a_header(tmp_path):
    recipient = person(1, "Eve\r\nBcc: everyone@example.com")
    hostile = message(recipient, subject="Hi\nBcc: everyone@example.com")
    [path] = eml_files([hostile], tmp_path, sender=SENDER, opt_out=OPT_OUT)
    email = read_email(path)
    assert email["Bcc"] is None
    assert email["To"].addresses[0].display_name == "Eve Bcc: everyone@example.com"
    assert email["Subject"] == "Hi Bcc: everyone@example.com"


def test_international_addresses(tmp_path):
    messages = [
        message(person(1, email="zoe@bücher.example")),
        message(person(2, email="zoë@example.com")),
    ]
    domain_only, local_part = eml_files(messages, tmp_path, sender=SENDER, opt_out=OPT_OUT)
    assert read_email(domain_only)["To"].addresses[0].addr_spec == "zoe@xn--bcher-kva.example"
    assert domain_only.read_bytes().partition(b"\r\n\r\n")[0].isascii()
    # A non-ASCII local part has no ASCII form: the file has UTF-8 headers (RFC 6532), which
    # the standard library's parser does not decode; the line is read as it is.
    head = local_part.read_bytes().partition(b"\r\n\r\n")[0].decode("utf-8")
    assert "To: Zoë Martin <zoë@example.com>" in head.split("\r\n")


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_come_back_from_the_email_on_one_line(tmp_path, name):
    [path] = eml_files([message(person(5, name))], tmp_path, sender=SENDER, opt_out=OPT_OUT)
    assert to_name(path) == " ".join(name.split())
    assert read_email(path)["To"].addresses[0].display_name == " ".join(name.split())


def test_no_space_of_a_long_name_is_lost_where_the_header_folds(tmp_path):
    # Python 3.11's own folding writes this name with the space of "Gräfin Süßwaren" as the
    # fold between two encoded words, where RFC 2047 readers drop it: "GräfinSüßwaren".
    name = "Bäckerei Éloïse Żółć Bäckerei Gräfin Süßwaren Bäckerei Straße"
    [path] = eml_files([message(person(3, name))], tmp_path, sender=SENDER, opt_out=OPT_OUT)
    raw = str(BytesParser(policy=policy.compat32).parsebytes(path.read_bytes())["To"])
    assert str(make_header(decode_header(raw.rpartition(" <")[0]))) == name
    assert to_name(path) == name


display_names = st.text(min_size=1, max_size=80)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=display_names)
def test_any_name_comes_back_from_the_email(tmp_path, name):
    [path] = eml_files([message(person(9, name))], tmp_path, sender=SENDER, opt_out=OPT_OUT)
    assert to_name(path) == " ".join(name.split())
    assert read_email(path)["To"].addresses[0].addr_spec == "c9@example.com"


WINDOWS_RESERVED = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
DEVICE_NAMES = re.compile(r"(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?", re.IGNORECASE)


@pytest.mark.parametrize(
    ("name", "file_name"),
    [
        ("Zoë Martin", "7-zoë-martin.eml"),
        ('A<b>c:"d"/e\\f|g?h*i.', "7-a-b-c-d-e-f-g-h-i.eml"),
        ("CON", "7-con.eml"),
        ("محمد علي", "7-محمد-علي.eml"),
        ("😀😀", "7.eml"),
        ("...", "7.eml"),
        ("x" * 100, "7-" + "x" * 40 + ".eml"),
    ],
)
def test_file_names_are_safe_on_windows(name, file_name):
    assert eml_file_name(person(7, name)) == file_name


@given(st.text(max_size=80))
def test_any_name_gives_a_file_name_windows_accepts(name):
    file_name = eml_file_name(person(12, name))
    assert not WINDOWS_RESERVED.search(file_name)
    assert not DEVICE_NAMES.fullmatch(file_name.rpartition(".")[0])
    assert file_name.startswith("12") and file_name.endswith(".eml")
    assert not file_name[:-4].endswith((" ", "."))
    assert len(file_name) <= 60


# --- sms: link --------------------------------------------------------------------------------


def test_an_sms_link_carries_the_number_and_the_percent_encoded_text():
    assert sms_link("+61412345678", "Hi Zoë & co? 20%\nBye") == (
        "sms:+61412345678?body=Hi%20Zo%C3%AB%20%26%20co%3F%2020%25%0ABye"
    )
    assert sms_link("+61 412 345 678", "") == "sms:+61412345678?body="


@pytest.mark.parametrize("phone", ["0412345678", "+0412", "", "+61 4123 abc"])
def test_an_sms_link_needs_an_international_number(phone):
    with pytest.raises(RelappError, match="international form"):
        sms_link(phone, "Hi")
