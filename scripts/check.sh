#!/bin/sh
# Everything 'make check' runs, each step counted as one test, plus every
# test the guests run. The last line is "check: N passed, N failed"; the
# exit status is non-zero if anything failed. Each step's log is
# build/check/STEP.log, and its time is printed with the time it took in
# the previous run.
#
# The machine has two cores; the steps are laid out so that both stay busy:
#
#  1. packages, the tree   scripts/deps.sh, tree.sh (the series, git am)
#  2. the mails, beside    export-check.sh (patches/ matches the tree),
#     the x86_64 kernel    series-check.sh (count, subjects, sign-offs,
#                          cover letter), send-dry-run.sh, on one core,
#                          while kernel.sh x86_64 builds the guest kernel
#  3. the x86_64 guest     selftests.sh, the extra build (driver =m,
#                          MEMORY_FAILURE=n; also the nested guest's kernel),
#                          modcheck.sh, vmkit.sh, initramfs.sh; then the
#                          x86_64 guest starts (boot.sh; one host core,
#                          single-threaded TCG, see platform/x86_64.sh): it
#                          is the longest step, so it starts as early as
#                          it can
#  4. beside the guest     checkpatch.sh (--strict --codespell), docs.sh
#                          (make htmldocs); kernel.sh arm64, selftests.sh,
#                          vmkit.sh, initramfs.sh; build-series.sh x86_64
#                          and arm64 (every patch builds, no new
#                          W=1/sparse/kernel-doc warning); then the arm64
#                          guest in test and nofwb mode, on the core the
#                          builds leave to it
#  5. the guests' results
#
# The compiler cache is ccache's own, shared by every clone on the machine
# (scripts/common.sh, ccache_env). The times of this run are kept in
# build/check/times for the next one; a clone without them shows those of
# scripts/check-times or check-times-warm (clean clones with an empty and
# a warm cache, README).
. "$(dirname "$0")/common.sh"
set +e	# a failed step is counted, not fatal

logs=$build/check
mkdir -p "$logs"
passed=0
failed=0
start=$(date +%s)

# The previous run's times, NAME SECONDS per line. A clone without them
# takes a reference run's (README): with a warm compiler cache if ccache
# holds about what both arches' builds fill, else with an empty one.
prev=$logs/times
prevwhat="previous run"
if [ ! -s "$prev" ]; then
	kib=$(ccache --print-stats 2>/dev/null |
		awk '$1 == "cache_size_kibibyte" { print $2 }')
	if [ "${kib:-0}" -ge 100000 ]; then
		prev=$top/scripts/check-times-warm
		prevwhat="reference run, warm compiler cache"
	else
		prev=$top/scripts/check-times
		prevwhat="reference run, empty compiler cache"
	fi
fi
[ -f "$prev" ] || { prev=/dev/null; prevwhat="previous run (none known)"; }
: > "$logs/times.new"
last() {	# last NAME: the seconds NAME took in $prev, or ?
	t=$(awk -v n="$1" '$1 == n { print $2 }' "$prev")
	echo "${t:-?}"
}
expected=$(last total)
echo "check: the $prevwhat took ${expected} s in all (each step: its time, then 'last', the $prevwhat's)"
# the steps to come, in the order they ended then, each with its time
[ "$expected" = '?' ] || awk '$1 != "total" {
		item = $1 " " $2 " s"
		if (line != "" && length(line) + length(item) > 70) {
			print "    " line ","
			line = ""
		}
		line = line == "" ? item : line ", " item
	}
	END { if (line != "") print "    " line }' "$prev"

# left: what the previous run's total leaves of this one, for the user
left() {
	[ "$expected" != '?' ] || return 0
	l=$((expected - ($(date +%s) - start)))
	[ $l -gt 0 ] && echo ", about $l s left" || echo ", past the $prevwhat's total"
}

# tally NAME STATUS SECONDS: count step NAME, print its result, and on
# failure the end of its log; returns STATUS
tally() {
	echo "$1 $3" >> "$logs/times.new"
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "ok - $1 ($3 s; last $(last "$1") s$(left))"
		return 0
	fi
	failed=$((failed + 1))
	echo "not ok - $1 ($3 s; last $(last "$1") s), last lines of $logs/$1.log:"
	tail -n 25 "$logs/$1.log" | sed 's/^/    /'
	return 1
}

# step NAME COMMAND...: run COMMAND, its output in $logs/NAME.log
step() {
	name=$1
	shift
	t0=$(date +%s)
	"$@" > "$logs/$name.log" 2>&1
	tally "$name" $? $(($(date +%s) - t0))
}

# bgstep NAME COMMAND...: step NAME in the background; collect NAME waits
# for it and counts it.
bgstep() {
	bgname=$1
	shift
	rm -f "$logs/$bgname.rc"
	(
		t0=$(date +%s)
		"$@" > "$logs/$bgname.log" 2>&1
		echo "$? $(($(date +%s) - t0))" > "$logs/$bgname.rc"
	) &
	echo $! > "$logs/$bgname.bgpid"
}

collect() {
	wait "$(cat "$logs/$1.bgpid")"
	read -r rc secs < "$logs/$1.rc"
	tally "$1" "$rc" "$secs"
}

finish() {
	total=$(($(date +%s) - start))
	echo "total $total" >> "$logs/times.new"
	# Only a run that got to the end sets the times for the next one
	[ -z "${1:-}" ] || mv "$logs/times.new" "$logs/times"
	echo "make check took $total s (the $prevwhat: $expected s)"
	echo "check: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

step deps "$top/scripts/deps.sh" || finish
step tree "$top/scripts/tree.sh" || finish

# 2. The x86_64 guest kernel builds on both cores while the checks that
# only read the tree and the mails, which mostly use one, run beside it.
# A patches/ that does not match the tree fails export-check here and
# build-series.sh below, which refuses to walk such a tree.
bgstep build-x86_64 "$top/scripts/kernel.sh" x86_64
step export-check "$top/scripts/export-check.sh"
step series-check "$top/scripts/series-check.sh"
step send-dry-run "$top/scripts/send-dry-run.sh"

# initramfs ARCH: the ARCH guest's initramfs, with the files guest/files
# lists for ARCH (the Makefile reads it too)
initramfs() {
	# shellcheck disable=SC2046 # one word per file
	step "initramfs-$1" "$top/scripts/initramfs.sh" "$1" \
		"$build/initramfs-$1.cpio.gz" $("$top/scripts/guest-files.sh" "$1")
}

# guest ARCH MODE KERNEL: boot the ARCH guest in MODE (scripts/boot.sh),
# for the guest lane; report NAME counts its tests one by one.
guest() {
	name=guest-$1
	[ "$2" = test ] || name=$name-$2
	echo "booting the $1 guest, $2 mode (log: $logs/$name.log; last $(last "$name") s)"
	t0=$(date +%s)
	# Beside the builds a guest runs up to three times slower than alone
	BOOT_TIMEOUT=${BOOT_TIMEOUT:-2400} "$top/scripts/boot.sh" "$1" "$2" "$3" \
		"$build/initramfs-$1.cpio.gz" "$logs/$name.log" \
		> "$logs/$name.result" 2>&1
	echo "$? $(($(date +%s) - t0))" > "$logs/$name.rc"
}

report() {
	name=$1
	[ -f "$logs/$name.rc" ] || return 0	# never booted: its build failed
	read -r grc secs < "$logs/$name.rc"
	echo "$name $secs" >> "$logs/times.new"
	tr -d '\r' < "$logs/$name.log" | grep -E '^(not )?ok [0-9]' | sed 's/^/    /'
	grep -v '^boot.sh:' "$logs/$name.result" | sed 's/^/    /'
	echo "    $name: $(sed -n 's/^boot.sh: guest ran for/the guest ran for/p' \
		"$logs/$name.result"); $secs s in all (last $(last "$name") s)"
	line=$(tail -n 1 "$logs/$name.result")
	gp=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
	gf=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
	passed=$((passed + ${gp:-0}))
	failed=$((failed + ${gf:-0}))
	# A guest that failed without a failed test (timeout, warning) still fails.
	if [ "$grc" != 0 ] && [ "${gf:-0}" = 0 ]; then
		failed=$((failed + 1))
		echo "not ok - $name (see above)"
	fi
}

# 3. x86_64: the guest kernel, the extra build that is also the nested
# guest's kernel, the guest's files; then the guest lane in the background
# (the guest keeps its own copy of the image: build-series.sh relinks)
rm -f "$logs"/guest-*.rc
x86=
collect build-x86_64 && x86=ok
if [ -n "$x86" ] &&
	step selftests-x86_64 "$top/scripts/selftests.sh" x86_64 &&
	step build-extra-x86_64 sh -c "'$top/scripts/kernel.sh' x86_64 \
		'$build/l2-x86_64' '$top/configs/x86_64-l2.config' &&
		'$top/scripts/modcheck.sh' '$build/l2-x86_64' '$logs/build-extra-x86_64.log'" &&
	step vmkit-x86_64 "$top/scripts/vmkit.sh" x86_64 \
		"$build/selftests-x86_64/vmkit.cpio" &&
	initramfs x86_64; then
	cp "$build/x86_64/arch/x86/boot/bzImage" "$logs/bzImage-x86_64"
else
	x86=
fi
(
	[ -z "$x86" ] || guest x86_64 test "$logs/bzImage-x86_64"
) &
lane=$!

# The checks that read the mails and the documentation, on the core the
# x86_64 guest leaves
step checkpatch "$top/scripts/checkpatch.sh"
step docs "$top/scripts/docs.sh"

# 4. arm64 and every patch of the series, beside the guests (build/linux
# is checked out patch by patch: nothing else may build from it meanwhile)
arm64=
step build-arm64 "$top/scripts/kernel.sh" arm64 && arm64=ok &&
	cp "$build/arm64/arch/arm64/boot/Image" "$logs/Image-arm64"
[ -n "$arm64" ] &&
	step selftests-arm64 "$top/scripts/selftests.sh" arm64 &&
	step vmkit-arm64 "$top/scripts/vmkit.sh" arm64 \
		"$build/selftests-arm64/vmkit.cpio" &&
	initramfs arm64 || arm64=
[ ! -f "$build/l2-x86_64/vmlinux" ] ||
	step build-series-x86_64 "$top/scripts/build-series.sh" x86_64
[ ! -f "$build/arm64/vmlinux" ] ||
	step build-series-arm64 "$top/scripts/build-series.sh" arm64
# The arm64 guests in a lane of their own, on the core the builds leave
# free: the x86_64 guest is the longest step of all, so they end beside it
# rather than after it.
lane64=
if [ -n "$arm64" ]; then
	(
		guest arm64 test "$logs/Image-arm64"
		guest arm64 nofwb "$logs/Image-arm64"
	) &
	lane64=$!
fi

# 5. The guests' results
echo "waiting for the guests$(left)"
wait $lane
[ -z "$lane64" ] || wait $lane64
for g in guest-x86_64 guest-arm64 guest-arm64-nofwb; do
	report $g
done
finish complete
