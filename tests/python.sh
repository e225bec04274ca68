#!/usr/bin/env bash
# The Python package (python/) and the Spark job (spark/), on a fresh machine as typed:
# installs what is missing — Java 17 from Debian (openjdk-17-jre-headless), python3-venv,
# and, in a virtualenv under the target dir, pinned maturin, pytest, pyspark, pyarrow,
# pandas and polars from PyPI — builds the casematch binary (fixtures and the reference
# dedupe), runs `pip install ./python` (a release build sharing the target dir, so the
# compiled dependencies are reused) and then the pytest suites of python/ and spark/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
VENV="$CARGO_TARGET_DIR/python-venv"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
apt_install() {
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
# pyspark 4 runs on Java 17 or newer
if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
  apt_install openjdk-17-jre-headless
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
fi
PIP_PINS=(maturin==1.16.0 pytest==9.2.0 pyspark==4.0.1 pyarrow==26.0.1 pandas==2.2.3 polars==2.1.0)
if ! "$VENV/bin/python" -c 'import maturin, pytest, pyspark, pyarrow, pandas, polars' 2>/dev/null; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PIP_PINS[@]}"
fi
export PATH="$VENV/bin:$PATH"
started=$(date +%s)
cargo build --release --bin casematch
"$VENV/bin/pip" install -q --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps ./python
built=$(date +%s)
echo "python.sh: binary and package built in $((built - started)) s"
export CASEMATCH_BIN="$CARGO_TARGET_DIR/release/casematch"
export PYSPARK_PYTHON="$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$VENV/bin/python"
python -m pytest -q -p no:cacheprovider python/tests spark/tests
echo "python.sh: tests ran in $(( $(date +%s) - built )) s"
