#!/bin/sh
# Installs the Debian packages misswitch needs to build, test and run its demo, if missing.
# Run as root (make demo / make test call it); does nothing when everything is present.
set -eu

# clang and libclang-rt-14-dev (libFuzzer; only recommended by clang, so named here) build the
# extract readers' fuzzers, whose 30-second smoke run is part of `make test`.
PACKAGES="build-essential cmake pkg-config libpq-dev libxml2-dev libxml2-utils liblua5.4-dev \
libsodium-dev libcmocka-dev postgresql-15 postgresql-common postgresql-15-pgtap \
libtap-parser-sourcehandler-pgtap-perl clang libclang-rt-14-dev"

missing=""
for package in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $package" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "misswitch: missing Debian packages:$missing" >&2
    echo "HINT: run as root, or: sudo apt-get install$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# postgresql-15 carries the contrib extensions (pg_trgm, fuzzystrmatch, unaccent). Its 'main'
# cluster is never used: tests and the demo make their own throwaway cluster.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
