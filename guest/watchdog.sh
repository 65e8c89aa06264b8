#!/bin/sh
# The watchdog of lib.sh's limit(): sh watchdog.sh PID SECONDS WHAT
#
# Sleeps SECONDS; if process PID (a process group leader) is still there,
# prints on the console why the test WHAT stopped making progress and
# kills the group. limit() starts one watchdog pinned to each CPU: if one
# CPU's local timer no longer fires (guest/timer-stress.c), the watchdog
# on another CPU still wakes up; the first one awake does the work.
pid=$1 secs=$2
shift 2

sleep "$secs" >/dev/null 2>&1 </dev/null
kill -0 "$pid" 2>/dev/null || exit 0
mkdir "/tmp/watchdog.$pid" 2>/dev/null || exit 0	# another CPU's was first

echo "# TIMEOUT: $* still runs after $secs s; diagnosis follows"
# A CPU whose count does not move between the two lines has lost its timer
echo "# timer interrupts per CPU: $(grep LOC: /proc/interrupts)"
sleep 1
echo "# one second later:         $(grep LOC: /proc/interrupts)"
# Every task's state and stack (t), the locks held (d, with lockdep), the
# stacks of the CPUs that run something (l)
# a mark without the command, whose slashes would end the sed address
mark="nvgrace watchdog: pid $pid timed out"
echo "$mark" > /dev/kmsg
for key in t d l; do
	echo $key > /proc/sysrq-trigger
done
dmesg | sed -n "/$mark/,\$p" | sed 's/^/# kernel: /'
kill -9 -- "-$pid" 2>/dev/null
