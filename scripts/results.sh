#!/bin/sh
# Judge a guest console log: scripts/results.sh LOG
#
# Fails (exit 1) and prints the reason when:
#  - the guest never printed "NVGRACE-GUEST-DONE rc=N" (timeout, panic, hang),
#  - N is not 0,
#  - the dmesg dump contains a kernel warning, BUG, oops, panic, lockdep
#    report, call trace, or a KTAP "not ok" line (a failed KUnit test),
#  - a TAP line says "not ok", "Bail out!" was printed, or the TAP plans
#    ("1..N" lines) do not add up to the number of results seen.
# TAP results are counted on the console output outside the dmesg dump,
# unindented lines only: "ok N" passed, "ok N ... # SKIP" skipped,
# "not ok N" failed. The last line printed is always
# "N passed, N failed" (", N skipped" appended when some were).
. "$(dirname "$0")/common.sh"

[ $# = 1 ] || die "usage: results.sh LOG"
[ -f "$1" ] || die "no such log: $1"

tr -d '\r' < "$1" | awk '
function bad(msg) { problems[++nproblems] = msg }

/^----- guest dmesg begin -----$/ { indmesg = 1; sawdmesg = 1; next }
/^----- guest dmesg end -----$/ { indmesg = 0; next }

indmesg {
	if ($0 ~ /WARNING:|BUG:|Oops|Kernel panic|KASAN|UBSAN|INFO: |Call Trace/ ||
	    $0 ~ /general protection fault|possible .*locking dependency/ ||
	    ($0 ~ /^[ \t]*not ok [0-9]/ && $0 !~ /# SKIP/))
		bad("dmesg: " $0)
	next
}

# Outside the dmesg dump: keep crash lines in case the guest died.
/Kernel panic|BUG:|Oops|WARNING:|Call Trace/ { crash[++ncrash] = $0 }
{ tail[NR % 20] = $0 }

/^NVGRACE-GUEST-DONE rc=/ { done = 1; rc = substr($0, 23) + 0; next }

/^ok [0-9]/ {
	if ($0 ~ /# [Ss][Kk][Ii][Pp]/)
		skipped++
	else
		passed++
	next
}
/^not ok [0-9]/ { failed++; bad("test: " $0); next }
/^1\.\.[0-9]+/ { split($0, p, /[. ]+/); planned += p[2]; plans++; next }
/^Bail out!/ { bad("test: " $0); next }

END {
	if (!done) {
		bad("the guest did not reach NVGRACE-GUEST-DONE (timeout, hang or crash)")
		for (i = 1; i <= ncrash; i++)
			bad("console: " crash[i])
		print "last console lines:"
		for (i = NR - 19; i <= NR; i++)
			if (i > 0)
				print "  | " tail[i % 20]
	} else if (rc != 0) {
		bad("the guest test script exited with rc=" rc)
	}
	if (done && !sawdmesg)
		bad("no dmesg dump in the log")
	if (plans && planned != passed + failed + skipped)
		bad("TAP plans announce " planned " tests, " passed + failed + skipped " results seen")
	for (i = 1; i <= nproblems; i++)
		print "FAIL: " problems[i]
	line = (passed + 0) " passed, " (failed + 0) " failed"
	if (skipped)
		line = line ", " skipped " skipped"
	print line
	exit nproblems ? 1 : 0
}'
