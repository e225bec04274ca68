#!/usr/bin/env bash
# The whole test suite, on a fresh machine as typed: installs what the browser tests need
# (Debian's chromium, chromium-driver and a CJK font) when missing, then runs the Rust tests,
# the API contract (tests/api.sh: openapi-spec-validator and Schemathesis against a real
# server) and the browser tests. Fails on the first failure. `.ci/run` calls this same script.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
   || ! fc-list 2>/dev/null | grep -qi 'cjk\|wqy\|noto sans sc'; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
fi
cargo test --release
bash tests/api.sh
python3 tests/browser/run.py
bash tests/python.sh
