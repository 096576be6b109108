"""Benchmark: a campaign's letters, one page each, written to one PDF.

Run: python -m tests.benchmarks.bench_campaign_letters [--letters 100000] [--out DIR]
     [--labels]
A fresh shop (with a logo and an address) is made in a temporary folder; --letters synthetic
messages are merged from one template: every third carries a voucher code of its own (text,
Code128 and QR), every seventh is to a customer whose name and town are in another script
(Arabic, Chinese, Korean, Greek, Cyrillic, Hebrew). campaign_letters writes them to
DIR/campaign-letters.pdf (DIR: /tmp). Prints recipients, pages, seconds (by the clock and
of this process's CPU: on a busy machine the second says what the work costs), pages a
second, the file's size and the process's peak memory; with --labels, the same for
address-label sheets of the same recipients. Not part of the test run: timings depend on
the machine.
"""

from __future__ import annotations

import argparse
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from relapp.db.connection import open_database
from relapp.domain.campaigns.recipients import Message, Recipient
from relapp.domain.shop.logo import set_logo
from relapp.domain.shop.settings import save_settings
from relapp.domain.shop.shops import add_shop
from relapp.reports.campaign_letters import LABEL_LAYOUTS, address_labels, campaign_letters

# As a shop types it: one line per paragraph, a blank line between paragraphs.
TEMPLATE = "\n".join(
    [
        "Dear {given},",
        "",
        "Spring has come to Lantern & Lane, and with it our first harvest teas from Darjeeling"
        " and Uji. As one of our regular customers, you are invited to taste them before anyone"
        " else, at our tasting evening on Thursday 15 October from 6 pm.",
        "",
        "Your card holds {points} points. Bring this letter to the shop before 31 October and"
        " we will take 15% off your next purchase: show the voucher below at the till, or tell"
        " us the code.",
        "",
        "We look forward to seeing you.",
        "",
        "Kind regards,",
        "Anna Lee",
        "Lantern & Lane Teas",
    ]
)

LATIN = [("Ann", "Smith"), ("Zoë", "Ó Súilleabháin"), ("José", "García"), ("Liam", "Nguyen")]
OTHER_SCRIPTS = [
    ("محمد", "حسن", "الرياض"),
    ("伟", "王", "北京"),
    ("민준", "김", "서울"),
    ("Δήμητρα", "Παπαδοπούλου", "Αθήνα"),
    ("Анастасия", "Иванова", "Москва"),
    ("דוד", "כהן", "תל אביב"),
]


def synthetic_messages(count: int) -> list[Message]:
    messages = []
    for number in range(count):
        if number % 7 == 3:
            given, family, town = OTHER_SCRIPTS[number % len(OTHER_SCRIPTS)]
        else:
            given, family = LATIN[number % len(LATIN)]
            town = "Fremantle"
        recipient = Recipient(
            contact_id=number + 1,
            given_name=given,
            family_name=family,
            name=f"{given} {family}",
            email=None,
            phone=None,
            street=f"{number % 300 + 1} Harbour Street",
            locality=town,
            region="WA",
            postcode=f"{6000 + number % 900}",
            country="",
            points_balance=number % 2000,
            card_number=None,
        )
        voucher = f"SPRING-{number:06d}" if number % 3 == 0 else None
        body = TEMPLATE.format(given=given, points=recipient.points_balance)
        messages.append(Message(recipient, body, "Spring teas", voucher))
    return messages


def make_shop(folder: Path) -> None:
    open_database(folder / "shop.db")
    save_settings(shop_name="Lantern & Lane Teas")
    add_shop("Lantern & Lane Fremantle", "12 Harbour Street\nFremantle WA 6160")
    logo = Image.new("RGB", (400, 160), "white")
    ImageDraw.Draw(logo).ellipse((10, 10, 150, 150), fill="teal")
    logo.save(folder / "logo.png")
    set_logo(folder / "logo.png")


def timed(work: Callable[[], int]) -> tuple[int, float, float]:
    """What work returned, and the seconds it took by the clock and of this process's CPU."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def report(what: str, count: int, pages: int, wall: float, cpu: float, path: Path) -> None:
    print(
        f"| {what} | {count:,} | {pages:,} | {wall:.1f} s | {cpu:.1f} s | {pages / wall:,.0f}"
        f" | {path.stat().st_size / 1e6:.1f} MB |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--labels", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        make_shop(Path(folder))
        messages = synthetic_messages(args.letters)
        letters_out = args.out / "campaign-letters.pdf"
        pages, wall, cpu = timed(lambda: campaign_letters(messages, letters_out))
        print(f"Python {platform.python_version()} on {platform.machine()}.\n")
        print("| output | recipients | pages | seconds | CPU seconds | pages a second | file |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        report("letters", len(messages), pages, wall, cpu, letters_out)
        if args.labels:
            layout = LABEL_LAYOUTS["A4 3x7"]
            labels_out = args.out / "campaign-labels.pdf"
            people = [message.recipient for message in messages]
            _, wall, cpu = timed(lambda: address_labels(people, labels_out, layout))
            sheets = -(-len(messages) // layout.per_sheet)
            report("labels (A4 3x7), pages = sheets", len(people), sheets, wall, cpu, labels_out)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nPeak memory of the whole run: {peak:,.0f} MB.")


if __name__ == "__main__":
    main()
