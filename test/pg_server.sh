#!/bin/sh
# SPDX-License-Identifier: MIT
# pg_server.sh - a throw-away PostgreSQL 15 server for the catalog tests
# (test/test_catalog.c; a Python test can call it the same way).
#
#   test/pg_server.sh start DIR   initdb into DIR/data, start a server that
#                                 listens only on a Unix socket in DIR
#                                 (listen_addresses=''), make database
#                                 "zipscan", print its libpq URL
#   test/pg_server.sh stop DIR    stop it (DIR is left for the caller)
#
# Exit 77 with one line on stderr when no server can be started (no
# PostgreSQL binaries, initdb or pg_ctl failing): callers skip.  As root
# the server runs as "nobody" (PostgreSQL refuses root), DIR owned by it
# (its parent must let nobody through: mkdtemp's 0700 does not).
# fsync=off: a test server's data is thrown away.
set -u
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

as_server() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

skip() {
	echo "PostgreSQL: $*" >&2
	exit 77
}

case $cmd in
start)
	[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] ||
		skip "no PostgreSQL 15 server in $PGBIN (Debian: postgresql)"
	mkdir -p "$dir" || skip "cannot make $dir"
	[ "$(id -u)" = 0 ] && chown nobody:nogroup "$dir"
	as_server "$PGBIN/initdb" -D "$dir/data" -A trust -U zipscan -E UTF8 \
		--no-sync > "$dir/initdb.log" 2>&1 ||
		skip "initdb failed (see $dir/initdb.log)"
	as_server "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-t 30 -o "-c listen_addresses='' -k $dir -c fsync=off" \
		start > /dev/null 2>&1 ||
		skip "the server did not start (see $dir/server.log)"
	"$PGBIN/createdb" -h "$dir" -U zipscan zipscan 2> "$dir/createdb.log" ||
		skip "createdb failed (see $dir/createdb.log)"
	echo "postgresql:///zipscan?host=$dir&user=zipscan"
	;;
stop)
	as_server "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop \
		> /dev/null 2>&1
	;;
*)
	echo "usage: $0 start|stop DIR" >&2
	exit 2
	;;
esac
