#!/usr/bin/env bash
# Builds the .deb with CPack from a built tree, checks its control fields
# and file list, extracts it into a temporary root with dpkg-deb -x (no
# root rights, no dpkg database touched) and runs the extracted mfo:
# --version, db init, the shipped config, the man page, the completion.
# Exits 77 (skipped) without cpack or dpkg-deb.
# Usage: package_test.sh BUILD_DIR
set -uo pipefail

build=$(realpath "$1")
for tool in cpack dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" \
    >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    echo "FAIL: cpack" >&2
    exit 1
fi
debs=("$work"/out/*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || {
    echo "FAIL: expected one .deb, got: ${debs[*]}" >&2
    exit 1
}
deb=${debs[0]}

# Control fields: the name, and a Depends on every shared library mfo
# links (as dpkg-shlibdeps names them on Debian 12) plus adduser.
[[ $(dpkg-deb -f "$deb" Package) == mfo ]] || fail "Package is not mfo"
[[ -n $(dpkg-deb -f "$deb" Maintainer) ]] || fail "no Maintainer"
depends=$(dpkg-deb -f "$deb" Depends)
depend_names=$(tr ',' '\n' <<<"$depends" | sed 's/(.*//; s/ //g')
for package in libc6 libstdc++6 libsqlite3-0 libsodium23 libcpp-httplib0.11 \
    libutf8proc2 libcrypt1 adduser; do
    grep -qxF "$package" <<<"$depend_names" ||
        fail "Depends lacks $package: $depends"
done
controls=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
for control in conffiles postinst prerm postrm; do
    grep -qx "./$control" <<<"$controls" || fail "no $control in the package"
done
[[ $(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) == \
    /etc/mfo/mfo.conf ]] || fail "/etc/mfo/mfo.conf is not a conffile"

files=$(dpkg-deb -c "$deb" | awk '{ print $NF }')
for file in ./usr/bin/mfo ./usr/libexec/mfo/mfo-serve \
    ./usr/share/man/man1/mfo.1.gz \
    ./usr/share/bash-completion/completions/mfo \
    ./usr/share/zsh/vendor-completions/_mfo \
    ./usr/share/fish/vendor_completions.d/mfo.fish \
    ./usr/share/mfo/templates/layout.mustache \
    ./usr/share/mfo/static/style.css \
    ./usr/lib/systemd/system/mfo.service ./etc/mfo/mfo.conf \
    ./usr/share/doc/mfo/README.md ./usr/share/doc/mfo/SECURITY.md \
    ./usr/share/doc/mfo/configuration.md ./usr/share/doc/mfo/admin-guide.md \
    ./usr/share/doc/mfo/examples/nginx.conf; do
    grep -qx -- "$file" <<<"$files" || fail "the package lacks $file"
done
grep -q '^\./usr/local' <<<"$files" && fail "the package uses /usr/local"

root=$work/root
dpkg-deb -x "$deb" "$root" || { echo "FAIL: dpkg-deb -x" >&2; exit 1; }
mfo=$root/usr/bin/mfo
for program in "$mfo" "$root/usr/libexec/mfo/mfo-serve"; do
    ldd "$program" | grep -q 'not found' &&
        fail "unresolved libraries: $(ldd "$program")"
done

version=$("$mfo" --version) || fail "mfo --version failed"
[[ $version =~ ^mfo\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [^\)]+\)$ ]] ||
    fail "mfo --version printed '$version'"

mkdir "$work/instance"
(
    cd "$work/instance" &&
        "$mfo" --quiet db init &&
        [[ -f mfo.db ]] &&
        "$mfo" db status --json | grep -q '"schema_version":'
) || fail "mfo db init in a fresh folder"

# mfo serve finds mfo-serve relative to mfo in the unpacked tree and
# answers; --port 0 takes a free port, which the start-up line names.
log=$work/serve.log
(cd "$work/instance" && exec "$mfo" serve --port 0) 2>"$log" &
server=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$log")
    [[ -n $port ]] && break
    sleep 0.05
done
if [[ -z $port ]]; then
    fail "mfo serve from the package did not start: $(cat "$log")"
elif [[ $(curl -s "http://127.0.0.1:$port/healthz") != ok ]]; then
    fail "mfo serve from the package does not answer /healthz"
fi
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null

# The shipped config parses, and points the service at /var/lib/mfo.
shown=$("$mfo" --config "$root/etc/mfo/mfo.conf" config show) ||
    fail "the shipped /etc/mfo/mfo.conf does not load"
grep -q '^database  *\/var\/lib\/mfo\/mfo.db ' <<<"$shown" ||
    fail "the shipped config does not set the database: $shown"
grep -q '^secure_cookies  *true ' <<<"$shown" ||
    fail "the shipped config does not turn secure_cookies on"

if command -v groff >/dev/null; then
    warnings=$(gzip -dc "$root/usr/share/man/man1/mfo.1.gz" |
        groff -man -ww -z 2>&1)
    [[ -z $warnings ]] || fail "installed man page: $warnings"
fi
bash -c 'source "$1" && complete -p mfo >/dev/null' bash \
    "$root/usr/share/bash-completion/completions/mfo" ||
    fail "the installed bash completion does not register mfo"

exit "$((failures > 0))"
