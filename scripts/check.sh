#!/bin/sh
# Everything 'make check' runs, in order, each step counted as one test,
# plus every test the guests run. The last line is "check: N passed, N
# failed"; the exit status is non-zero if anything failed. Each step's log
# is build/check/STEP.log, and its time is printed.
#
#  1. packages, the tree   scripts/deps.sh, tree.sh (the series, git am),
#                          export-check.sh (patches/ matches the tree)
#  2. the mails            checkpatch.sh (--strict --codespell), series-check.sh
#                          (count, subjects, sign-offs, cover letter),
#                          send-dry-run.sh (git send-email --dry-run to
#                          get_maintainer.pl's addresses), docs.sh (make
#                          htmldocs of the series' documentation)
#  3. x86_64               kernel.sh (the guest kernel, built during step 2,
#                          which mostly uses one core), selftests.sh, the
#                          extra build (driver =m, MEMORY_FAILURE=n), which
#                          is also the nested guest's kernel, modcheck.sh,
#                          vmkit.sh, initramfs.sh; the x86_64 guest (boot.sh)
#  4. arm64 and bisection  kernel.sh arm64 (the guest kernel), selftests.sh,
#                          initramfs.sh; build-series.sh x86_64 and arm64
#                          (every patch builds, no new W=1/sparse/kernel-doc
#                          warning); the extra arm64 build (KVM=n, driver =m)
#  5. the arm64 guest      boot.sh test, then nofwb (no FEAT_S2FWB)
. "$(dirname "$0")/common.sh"
set +e	# a failed step is counted, not fatal

logs=$build/check
mkdir -p "$logs"
passed=0
failed=0
start=$(date +%s)

# tally NAME STATUS SECONDS: count step NAME, print its result, and on
# failure the end of its log; returns STATUS
tally() {
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "ok - $1 ($3 s)"
		return 0
	fi
	failed=$((failed + 1))
	echo "not ok - $1 ($3 s), last lines of $logs/$1.log:"
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

# bgstep NAME COMMAND...: step NAME in the background, as the steps that
# follow it need only one core; collect NAME waits for it and counts it.
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
	echo "make check took $(($(date +%s) - start)) s"
	echo "check: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

step deps "$top/scripts/deps.sh" || finish
step tree "$top/scripts/tree.sh" || finish
step export-check "$top/scripts/export-check.sh" || finish
# The x86_64 guest kernel builds on both cores while the checks of the
# mails, which mostly use one, read the tree.
bgstep build-x86_64 "$top/scripts/kernel.sh" x86_64
step checkpatch "$top/scripts/checkpatch.sh"
step series-check "$top/scripts/series-check.sh"
step send-dry-run "$top/scripts/send-dry-run.sh"
step docs "$top/scripts/docs.sh"

# initramfs ARCH: the ARCH guest's initramfs, with the files guest/files
# lists for ARCH (the Makefile reads it too)
initramfs() {
	# shellcheck disable=SC2046 # one word per file
	step "initramfs-$1" "$top/scripts/initramfs.sh" "$1" \
		"$build/initramfs-$1.cpio.gz" $("$top/scripts/guest-files.sh" "$1")
}

# boot ARCH MODE KERNEL: boot the ARCH guest in MODE (scripts/boot.sh);
# report NAME waits for it and counts its tests one by one.
boot() {
	name=guest-$1
	[ "$2" = test ] || name=$name-$2
	echo "booting the $1 guest, $2 mode (log: $logs/$name.log)"
	date +%s > "$logs/$name.start"
	"$top/scripts/boot.sh" "$1" "$2" "$3" \
		"$build/initramfs-$1.cpio.gz" "$logs/$name.log" \
		> "$logs/$name.result" 2>&1 &
	echo $! > "$logs/$name.pid"
}

report() {
	name=$1
	wait "$(cat "$logs/$name.pid")"
	grc=$?
	tr -d '\r' < "$logs/$name.log" | grep -E '^(not )?ok [0-9]' | sed 's/^/    /'
	grep -v '^boot.sh:' "$logs/$name.result" | sed 's/^/    /'
	echo "    $name: $(sed -n 's/^boot.sh: guest ran for/the guest ran for/p' \
		"$logs/$name.result"), results $(($(date +%s) - $(cat "$logs/$name.start"))) s after its start"
	line=$(tail -n 1 "$logs/$name.result")
	gp=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
	gf=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
	passed=$((passed + ${gp:-0}))
	failed=$((failed + ${gf:-0}))
	# A guest that failed without a failed test (timeout, warning) still fails.
	if [ $grc != 0 ] && [ "${gf:-0}" = 0 ]; then
		failed=$((failed + 1))
		echo "not ok - $name (see above)"
	fi
}

# 3. x86_64: the guest kernel, the extra build that is also the nested
# guest's kernel, and the guest, in the background
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
	# Alone on the machine: twice, with builds beside it, the guest hung
	# (see README, "What make check runs")
	boot x86_64 test "$build/x86_64/arch/x86/boot/bzImage"
	report guest-x86_64
else
	x86=
fi

# 4. arm64 and every patch of the series (build/linux is checked out
# patch by patch: nothing else may build from it meanwhile)
arm64=
step build-arm64 "$top/scripts/kernel.sh" arm64 && arm64=ok &&
	cp "$build/arm64/arch/arm64/boot/Image" "$logs/Image-arm64"
[ -n "$arm64" ] &&
	step selftests-arm64 "$top/scripts/selftests.sh" arm64 &&
	initramfs arm64 || arm64=
[ ! -f "$build/x86_64/vmlinux" ] ||
	step build-series-x86_64 "$top/scripts/build-series.sh" x86_64
[ ! -f "$build/arm64/vmlinux" ] ||
	step build-series-arm64 "$top/scripts/build-series.sh" arm64
step build-extra-arm64 sh -c "'$top/scripts/kernel.sh' arm64 \
	'$build/arm64-nokvm' '$top/configs/arm64-nokvm.config' &&
	'$top/scripts/modcheck.sh' '$build/arm64-nokvm' '$logs/build-extra-arm64.log'"


# 5. the arm64 guest, on the kernel of step 4 (build-series.sh leaves
# build/arm64 with a mix of objects: a copy of its image)
if [ -n "$arm64" ]; then
	boot arm64 test "$logs/Image-arm64"
	report guest-arm64
	boot arm64 nofwb "$logs/Image-arm64"
	report guest-arm64-nofwb
fi
finish
