#!/usr/bin/env bash
# Installs the Debian packages mfo needs to build, test or run, and only the
# ones that are missing, so a second `make` costs nothing.
#   scripts/install-deps.sh build   compiler, cmake and the libraries
#   scripts/install-deps.sh test    build + what the test suite drives
#   scripts/install-deps.sh bench   build + what bench/run.sh drives,
#                                   the Flask reference app included
set -euo pipefail

what=${1:-build}
packages=(g++ cmake make pkg-config git libcli11-dev libsqlitecpp-dev
          libsodium-dev libkainjow-mustache-dev libcpp-httplib-dev catch2
          libutf8proc-dev libcrypt-dev sqlite3)
if [[ $what == test ]]; then
    packages+=(clang libclang-rt-14-dev chromium curl groff-base
               python3-flask-security python3-flask-sqlalchemy python3-argon2
               python3-bcrypt bash-completion zsh fish dpkg-dev
               mandoc)
fi
if [[ $what == bench ]]; then
    packages+=(wrk hyperfine curl python3 util-linux python3-flask-security
               python3-flask-sqlalchemy python3-argon2 python3-bcrypt gunicorn)
fi

missing=()
# Node.js may come from outside Debian (a nodesource package bundles npm);
# asking apt for Debian's npm then would conflict, so only fill a gap.
if [[ $what == test ]] && ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
fi
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
fi
echo "installing: ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
