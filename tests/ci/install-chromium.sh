#!/usr/bin/env bash
# make test: the HTML report is checked in a real browser (step html-report-chromium), headless Chromium from the
# distribution's packages (Debian/Ubuntu: chromium). Installs it when missing; fails, saying why, when it cannot.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: Chromium is missing and this is not a Debian-like system: install your distribution's" \
       "chromium package (the step html-report-chromium needs it)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-chromium: Chromium is missing; run as root: apt-get install chromium" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-chromium: installing Debian's chromium package (headless browser for the HTML report check)"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
command -v chromium >/dev/null 2>&1 || { echo "install-chromium: chromium is still missing after apt-get" >&2; exit 1; }
