#!/usr/bin/env bash
# Installs what the tests drive for real on a fresh Debian machine with the .NET SDK. Idempotent; needs root (or sudo).
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)   # the SMTP server tests talk to
command -v pdftotext >/dev/null || missing+=(poppler-utils)                            # reads the delivery PDF's text
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || missing+=(fonts-noto-core) # PDF fonts: Latin, Cyrillic, Arabic, Ethiopic
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
command -v tesseract >/dev/null || missing+=(tesseract-ocr)                            # reads the share card's text back
[ -x /usr/bin/chromium ] || missing+=(chromium)                                       # the browser tests (Playwright drives it)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)            # the suite's second run: a private cluster the tests start
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The tests start their own PostgreSQL cluster (its own port and folder); a machine without the server fails here, loudly.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "PostgreSQL was not installed: the suite cannot run on both engines." >&2; exit 1; }
# axe-core, which the browser tests inject to check accessibility, and Lighthouse, which scores it (pinned by tests/package-lock.json).
modules="$(dirname "$0")/node_modules"
[ -f "$modules/axe-core/axe.min.js" ] && [ -f "$modules/lighthouse/cli/index.js" ] || npm ci --prefix "$(dirname "$0")" --no-audit --no-fund >/dev/null
