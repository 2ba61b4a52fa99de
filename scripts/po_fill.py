"""Fill untranslated or fuzzy entries of a .po catalog from a Python dict file.

Usage: python scripts/po_fill.py CATALOG.po TRANSLATIONS.py   (the file defines ZH = {msgid: msgstr})
Prints the msgids still missing. The .po stays the source of truth; this only saves typing.
"""

import runpy
import sys

from babel.messages.pofile import read_po, write_po


def main(argv: list[str]) -> int:
    catalog_path, table_path = argv
    table = runpy.run_path(table_path)["ZH"]
    with open(catalog_path, "rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id or (message.string and not message.fuzzy):
            continue
        if message.id in table:
            message.string = table[message.id]
            message.flags.discard("fuzzy")
        else:
            missing.append(message.id)
    catalog.obsolete.clear()
    with open(catalog_path, "wb") as handle:
        write_po(handle, catalog, width=100, no_location=True, sort_output=True)
    for msgid in missing:
        print("missing:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
