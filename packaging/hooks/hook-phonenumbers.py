# Replaces the stock hook (which collects every submodule): Relapp parses and formats numbers
# only, so the geocoding, carrier and time zone tables (about 40 MB) stay out of the bundle.
from PyInstaller.utils.hooks import collect_submodules

UNUSED = ("geocoder", "geodata", "carrier", "carrierdata", "timezone", "tzdata")

hiddenimports = collect_submodules(
    "phonenumbers",
    filter=lambda name: not any(part in UNUSED for part in name.split(".")[1:2]),
)
