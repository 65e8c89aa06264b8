// SPDX-License-Identifier: GPL-2.0-only
/*
 * timer-stress: do timed sleeps keep ending while another CPU changes the
 * machine's memory map?
 *
 *   timer-stress [-t SECONDS] [-u MICROSECONDS] BDF
 *
 * A toggler thread, pinned to CPU 0, flips the memory-space enable bit of
 * the PCI command register of BDF through its sysfs config file, as fast
 * as it can: each flip adds or removes the function's BARs in the
 * emulator's memory map. A sleeper thread, pinned to CPU 1, meanwhile
 * sleeps MICROSECONDS (default 50) at a time, each sleep arming CPU 1's
 * local timer, and counts its sleeps. After SECONDS (default 20) the toggler stops and restores
 * the command register; the sleeper must then finish within 10 s.
 *
 * This is the emulator check of scripts/check.sh's x86_64 guest: under
 * QEMU 7.2's multi-threaded TCG, a vCPU could use a stale memory map
 * while another vCPU changed it, and a local APIC timer write of CPU 1
 * could land in another device (QEMU printed "vtd_mem_write: MMIO over
 * range: addr=0x380"), after which CPU 1's timer was never armed again and
 * every timed sleep there never ended (platform/x86_64.sh). The check
 * fails, instead of hanging, when the sleeper does not come back: the main
 * thread waits on CPU 0 with a timeout. It prints the sleeps done, the
 * longest one, and the flips.
 *
 * The device must have no driver (or one that does not mind): the test
 * writes its config space behind the driver's back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2

static int cfg_fd;
static uint16_t cmd_saved;
static volatile int stop;
static unsigned long flips, sleeps;
static double worst_ms;
static volatile int sleeper_done;
static long sleep_ns = 50000;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "# cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		exit(2);
	}
}

static void *toggler(void *arg)
{
	uint16_t cmd = cmd_saved;

	(void)arg;
	pin(0);
	while (!stop) {
		cmd ^= PCI_COMMAND_MEMORY;
		if (pwrite(cfg_fd, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd)) {
			fprintf(stderr, "# config write: %s\n", strerror(errno));
			exit(2);
		}
		flips++;
	}
	return NULL;
}

static void *sleeper(void *arg)
{
	const struct timespec ts = { 0, sleep_ns };

	(void)arg;
	pin(1);
	while (!stop) {
		double t0 = now_ms(), dt;

		nanosleep(&ts, NULL);
		dt = now_ms() - t0;
		if (dt > worst_ms)
			worst_ms = dt;
		sleeps++;
	}
	sleeper_done = 1;
	return NULL;
}

int main(int argc, char **argv)
{
	int secs = 20, opt, i;
	pthread_t t, s;
	char path[256];

	while ((opt = getopt(argc, argv, "t:u:")) != -1) {
		if (opt == 't')
			secs = atoi(optarg);
		else if (opt == 'u')
			sleep_ns = atol(optarg) * 1000;
		else
			secs = 0;
	}
	if (optind + 1 != argc || secs <= 0 || sleep_ns <= 0 || sleep_ns >= 1000000000) {
		fprintf(stderr, "usage: %s [-t SECONDS] [-u MICROSECONDS] BDF\n", argv[0]);
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("# timer-stress: needs 2 CPUs\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", argv[optind]);
	cfg_fd = open(path, O_RDWR);
	if (cfg_fd < 0 ||
	    pread(cfg_fd, &cmd_saved, sizeof(cmd_saved), PCI_COMMAND) != sizeof(cmd_saved)) {
		fprintf(stderr, "# %s: %s\n", path, strerror(errno));
		return 2;
	}
	pin(0);
	if (pthread_create(&s, NULL, sleeper, NULL) ||
	    pthread_create(&t, NULL, toggler, NULL)) {
		fprintf(stderr, "# pthread_create failed\n");
		return 2;
	}
	sleep(secs);
	stop = 1;
	pthread_join(t, NULL);
	pwrite(cfg_fd, &cmd_saved, sizeof(cmd_saved), PCI_COMMAND);
	/* The sleeper's last sleep is short: give it 10 s, in steps on CPU 0 */
	for (i = 0; i < 100 && !sleeper_done; i++)
		usleep(100000);
	printf("# timer-stress %s: %lu memory-enable flips on CPU 0, %lu sleeps of %ld us on CPU 1, longest %.1f ms\n",
	       argv[optind], flips, sleeps, sleep_ns / 1000, worst_ms);
	if (!sleeper_done) {
		printf("# timer-stress: CPU 1's sleeper did not come back within 10 s of the end\n");
		return 1;
	}
	pthread_join(s, NULL);
	return 0;
}
