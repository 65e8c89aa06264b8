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
# 6. guest tests         scripts/selftests.sh, vmkit.sh (QEMU and the
#                        nested guest), initramfs.sh, boot.sh
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
step build-arm64 sh -c "'$top/scripts/kernel.sh' arm64 && '$top/scripts/warnings.sh' arm64"

[ -n "$x86" ] || finish
step selftests-x86_64 "$top/scripts/selftests.sh" x86_64 || finish
step vmkit-x86_64 "$top/scripts/vmkit.sh" x86_64 \
	"$build/selftests-x86_64/vmkit.cpio" || finish
# The guest files, as guest/files lists them (the Makefile reads it too)
guest_files=
for f in $(grep -v '^#' "$top/guest/files"); do
	case $f in
	*/*) guest_files="$guest_files $top/$f" ;;
	*) guest_files="$guest_files $build/selftests-x86_64/$f" ;;
	esac
done
# shellcheck disable=SC2086 # one word per file
step initramfs-x86_64 "$top/scripts/initramfs.sh" x86_64 \
	"$build/initramfs-x86_64.cpio.gz" $guest_files || finish

# The guest's own tests are counted one by one.
echo "booting the x86_64 guest (log: $logs/guest-x86_64.log)"
"$top/scripts/boot.sh" x86_64 test "$build/x86_64/arch/x86/boot/bzImage" \
	"$build/initramfs-x86_64.cpio.gz" "$logs/guest-x86_64.log" \
	> "$logs/guest-x86_64.result" 2>&1
grc=$?
tr -d '\r' < "$logs/guest-x86_64.log" | grep -E '^(not )?ok [0-9]' | sed 's/^/    /'
grep -v '^boot.sh:' "$logs/guest-x86_64.result" | sed 's/^/    /'
line=$(tail -n 1 "$logs/guest-x86_64.result")
gp=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
gf=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
passed=$((passed + ${gp:-0}))
failed=$((failed + ${gf:-0}))
# A guest that failed without a failed test (timeout, warning) still fails.
if [ $grc != 0 ] && [ "${gf:-0}" = 0 ]; then
	failed=$((failed + 1))
	echo "not ok - guest-x86_64 (see above)"
fi
finish
