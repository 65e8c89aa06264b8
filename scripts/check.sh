#!/bin/sh
# Everything 'make check' runs, in order, each step counted as one test,
# plus every test the guest runs. The last line is "check: N passed, N
# failed"; the exit status is non-zero if anything failed.
#
# 1. packages            scripts/deps.sh
# 2. the tree            scripts/tree.sh (the series applied with git am)
# 3. checkpatch          scripts/checkpatch.sh
# 4. per-patch builds    scripts/build-series.sh x86_64 (+ W=1, sparse)
# 5. arm64 build         scripts/kernel.sh arm64 + scripts/warnings.sh arm64
# 6. x86_64 guest tests  scripts/selftests.sh, vmkit.sh (QEMU and the
#                        nested guest), initramfs.sh, boot.sh
# 7. arm64 guest tests   scripts/selftests.sh, initramfs.sh, boot.sh (test,
#                        then nofwb: a CPU without FEAT_S2FWB)
. "$(dirname "$0")/common.sh"
set +e	# a failed step is counted, not fatal

logs=$build/check
mkdir -p "$logs"
passed=0
failed=0
start=$(date +%s)

# step NAME COMMAND...: run COMMAND, its output in $logs/NAME.log
step() {
	name=$1
	shift
	t0=$(date +%s)
	if "$@" > "$logs/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $name ($(($(date +%s) - t0)) s)"
		return 0
	fi
	failed=$((failed + 1))
	echo "not ok - $name ($(($(date +%s) - t0)) s), last lines of $logs/$name.log:"
	tail -n 25 "$logs/$name.log" | sed 's/^/    /'
	return 1
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
step checkpatch "$top/scripts/checkpatch.sh"
x86=ok
step build-series-x86_64 "$top/scripts/build-series.sh" x86_64 || x86=
arm64=ok
step build-arm64 sh -c "'$top/scripts/kernel.sh' arm64 && '$top/scripts/warnings.sh' arm64" ||
	arm64=

# initramfs ARCH: the ARCH guest's initramfs, with the files guest/files
# lists for ARCH (the Makefile reads it too)
initramfs() {
	# shellcheck disable=SC2046 # one word per file
	step "initramfs-$1" "$top/scripts/initramfs.sh" "$1" \
		"$build/initramfs-$1.cpio.gz" $("$top/scripts/guest-files.sh" "$1")
}

# guest ARCH MODE KERNEL: boot the ARCH guest in MODE (scripts/boot.sh);
# its own tests are counted one by one.
guest() {
	name=guest-$1
	[ "$2" = test ] || name=$name-$2
	echo "booting the $1 guest, $2 mode (log: $logs/$name.log)"
	t0=$(date +%s)
	"$top/scripts/boot.sh" "$1" "$2" "$3" "$build/initramfs-$1.cpio.gz" \
		"$logs/$name.log" > "$logs/$name.result" 2>&1
	grc=$?
	tr -d '\r' < "$logs/$name.log" | grep -E '^(not )?ok [0-9]' | sed 's/^/    /'
	grep -v '^boot.sh:' "$logs/$name.result" | sed 's/^/    /'
	echo "    $name took $(($(date +%s) - t0)) s"
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

if [ -n "$x86" ] &&
	step selftests-x86_64 "$top/scripts/selftests.sh" x86_64 &&
	step vmkit-x86_64 "$top/scripts/vmkit.sh" x86_64 \
		"$build/selftests-x86_64/vmkit.cpio" &&
	initramfs x86_64; then
	guest x86_64 test "$build/x86_64/arch/x86/boot/bzImage"
fi

# The kernel of step 5; no nested guest kit (x86_64 only)
if [ -n "$arm64" ] &&
	step selftests-arm64 "$top/scripts/selftests.sh" arm64 &&
	initramfs arm64; then
	guest arm64 test "$build/arm64/arch/arm64/boot/Image"
	guest arm64 nofwb "$build/arm64/arch/arm64/boot/Image"
fi
finish
