#!/usr/bin/env bash
# Install the Debian packages the product and its tests need, when missing.
# As root: apt-get installs them. Otherwise: one line saying what to install, exit 1.
set -euo pipefail
# espeak-ng: scripts/prompts.py renders the kiosk's spoken prompts with its Mandarin voice.
want=(libzbar0 fonts-noto-cjk fonts-wqy-zenhei poppler-utils redis-server redis-tools espeak-ng)
[ "${1:-}" = "--test" ] && want+=(chromium)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
