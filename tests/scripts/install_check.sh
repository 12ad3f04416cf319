#!/usr/bin/env bash
# cmake --install into a temporary prefix, then check that the tools, the
# library and the man pages are there and that an installed tool runs.
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
fail() { echo "install_check: $*" >&2; exit 1; }
for f in bin/tl-admin share/man/man1/tl-admin.1 bin/tl-apply-free share/man/man1/tl-apply-free.1 bin/tl-buy bin/tl-pay bin/tl-status share/man/man1/tl-buy.1 share/man/man1/tl-pay.1 share/man/man1/tl-status.1 sbin/ticketlemond share/man/man8/ticketlemond.8 share/man/man5/ticketlemon.toml.5 include/ticket/config.h; do
  [ -e "$prefix/$f" ] || fail "missing $f"
done
ls "$prefix"/lib*/libticket.so* >/dev/null 2>&1 || ls "$prefix"/lib/*/libticket.so* >/dev/null 2>&1 || fail "missing libticket.so"
[ ! -e "$prefix/bin/tl-bench" ] || fail "tl-bench must not be installed"
"$prefix/bin/tl-admin" --version | grep -q "TicketLemon" || fail "installed tl-admin does not run"
echo "install_check: ok"
