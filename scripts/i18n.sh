#!/usr/bin/env bash
# Re-extract the UI strings, merge them into the Chinese catalog, fill new entries from a
# translation table (a .py file defining ZH = {msgid: msgstr}) and compile. The catalog is
# sorted and carries no source locations, so branches that add strings merge cleanly
# (.gitattributes merges it as a union). Serialised with
# flock so several people (or agents) can run it at once in one work tree.
# Usage: scripts/i18n.sh [TABLE.py]
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/wenming-i18n.lock
flock 9
pot=$(mktemp --suffix=.pot)
.venv/bin/pybabel -q extract -F babel.cfg -k _l --no-location --sort-output -o "$pot" .
.venv/bin/pybabel -q update -i "$pot" -d server/translations --width 100 --ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date
rm -f "$pot"
status=0
if [ $# -gt 0 ]; then
  .venv/bin/python scripts/po_fill.py server/translations/zh_Hans_CN/LC_MESSAGES/messages.po "$1" || status=$?
fi
.venv/bin/pybabel -q compile -d server/translations
exit $status
