// SPDX-License-Identifier: GPL-2.0
/*
 * The data half of the real-client test (guest/vm.sh): QEMU passes the
 * emulated GPU to a nested guest with -device vfio-pci, and data must go
 * through unchanged both ways. One program for both sides:
 *
 *   nvgrace-vm fill BDF      in L1, before QEMU starts: write the L1
 *                            pattern through the VFIO region (pwrite)
 *   nvgrace-vm l2 BDF SIZE   in L2: check the BAR2 that QEMU built (sysfs
 *                            resource flags, config header), read the L1
 *                            pattern through an mmap of sysfs resource2,
 *                            write the L2 pattern, read the padding, and
 *                            the device's ID register through resource0
 *   nvgrace-vm verify BDF    in L1, after QEMU exits: read the L2 pattern
 *                            back (pread)
 *   nvgrace-vm l2read BDF OFF
 *                            in L2: read the word at OFF of BAR2 through
 *                            resource2, print it or the SIGBUS it got
 *   nvgrace-vm refused BDF OFF
 *                            in L1, once the page at OFF is poisoned: the
 *                            device opens, pread of the page fails with
 *                            EIO, the next page reads
 *
 * The samples are the first word of the first page of every MiB of the
 * GPU memory and of its last page; the L2 pattern goes to the second word.
 * In L2, BDF is the function's address in L2 and SIZE the GPU memory size
 * in bytes. The l2 command prints one "nvgrace-vm: ok - ..." or
 * "nvgrace-vm: not ok - ..." line per check, for L1 to count, and the
 * guest physical addresses of BAR0 and BAR2 ("nvgrace-vm: ipa ...", for
 * L1 to look up their stage-2 entries on arm64); fill and verify exit
 * non-zero on failure. No driver binds the function in L2: where no
 * firmware enabled its memory decoding (arm64 virt booted with -kernel),
 * the l2 command enables it through sysfs config, as a driver would.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vfio-group.h"

#define MIB		(1ULL << 20)
#define PAGE		4096ULL

/* IORESOURCE_* flags as sysfs 'resource' prints them (linux/ioport.h) */
#define RES_MEM		0x00000200ULL
#define RES_PREFETCH	0x00002000ULL
#define RES_MEM_64	0x00100000ULL

#define EDU_ID		0x010000edU	/* QEMU's edu, version 1.0: register 0 */

static int failed;

static void die(const char *what)
{
	printf("nvgrace-vm: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The word L1 writes at sample @off; L2 writes its complement after it */
static uint64_t pattern(uint64_t off)
{
	return 0x6e76677261636500ULL ^ (off / PAGE * 0x9e3779b97f4a7c15ULL);
}

/* The sample after @off: the next MiB, then the last page, then @size */
static uint64_t next_sample(uint64_t off, uint64_t size)
{
	if (off == size - PAGE)
		return size;
	off += MIB;
	return off < size - PAGE ? off : size - PAGE;
}

#define for_each_sample(off, size) \
	for (off = 0; off < size; off = next_sample(off, size))

static void result(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("nvgrace-vm: %s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failed++;
}

/* L1: the VFIO device, the BAR2 region offset and the GPU memory size */
static int open_region(const char *bdf, uint64_t *region, uint64_t *memsize)
{
	const char *step;
	int container, device;

	device = vfio_gpu_mem_open(bdf, &container, region, memsize,
				   &step);
	if (device < 0)
		die(step);
	return device;
}

static int fill(const char *bdf)
{
	uint64_t region, size, off, w[2];
	int device = open_region(bdf, &region, &size);
	unsigned int n = 0;

	for_each_sample(off, size) {
		w[0] = pattern(off);
		w[1] = 0;
		if (pwrite(device, w, sizeof(w), region + off) != sizeof(w))
			die("pwrite");
		n++;
	}
	printf("nvgrace-vm: wrote the L1 pattern to %u pages of %s (%llu MiB)\n",
	       n, bdf, (unsigned long long)(size / MIB));
	return 0;
}

static int verify(const char *bdf)
{
	uint64_t region, size, off, w[2];
	int device = open_region(bdf, &region, &size);
	unsigned int n = 0, bad = 0;

	for_each_sample(off, size) {
		if (pread(device, w, sizeof(w), region + off) != sizeof(w))
			die("pread");
		if (w[1] != ~pattern(off) && !bad++)
			printf("nvgrace-vm: %s offset %#llx: %#llx, L2 wrote %#llx\n",
			       bdf, (unsigned long long)off,
			       (unsigned long long)w[1],
			       (unsigned long long)~pattern(off));
		n++;
	}
	printf("nvgrace-vm: %u of %u pages of %s hold the L2 pattern\n",
	       n - bad, n, bdf);
	return bad ? 1 : 0;
}

/*
 * L1, after a page at @off was poisoned: the device opens again, pread of
 * that page fails with EIO and the next page reads
 */
static int refused(const char *bdf, uint64_t off)
{
	uint64_t region, size, w;
	int device = open_region(bdf, &region, &size);
	ssize_t r;

	errno = 0;
	r = pread(device, &w, sizeof(w), region + off);
	printf("nvgrace-vm: %s reopened; pread at %#llx: %s\n", bdf,
	       (unsigned long long)off, r < 0 ? strerror(errno) : "read");
	if (r >= 0 || errno != EIO)
		return 1;
	if (pread(device, &w, sizeof(w), region + off + PAGE) != sizeof(w)) {
		printf("nvgrace-vm: pread of the next page: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static sigjmp_buf read_env;
static volatile int read_code;
static void *volatile read_addr;

static void on_sigbus(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	read_code = info->si_code;
	read_addr = info->si_addr;
	siglongjmp(read_env, 1);
}

/*
 * L2: read the word at @off of BAR2 through sysfs resource2 and print it,
 * or the SIGBUS the read got
 */
static int l2read(const char *bdf, uint64_t off)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	char path[256];
	uint64_t got;
	char *map;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource2", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die(path);
	map = mmap(NULL, off + PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap resource2");
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(read_env, 1)) {
		printf("nvgrace-vm: read %s %#llx: SIGBUS, si_code %d, address %p (the word at %p)\n",
		       bdf, (unsigned long long)off, read_code, read_addr,
		       map + off);
		return 1;
	}
	got = *(volatile uint64_t *)(map + off);
	printf("nvgrace-vm: read %s %#llx: %#llx%s\n", bdf,
	       (unsigned long long)off, (unsigned long long)got,
	       got == pattern(off) ? ", the L1 pattern" : "");
	return 0;
}

/* L2: read a sysfs file of the function */
static FILE *sysfs(const char *bdf, const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, name);
	f = fopen(path, "r");
	if (!f)
		die(path);
	return f;
}

static int l2(const char *bdf, uint64_t memsize)
{
	unsigned long long start = 0, end = 0, flags = 0, start0 = 0, end0 = 0;
	uint64_t barsize = 1, off, bar, pad[3];
	unsigned int n = 0, bad = 0, i;
	uint32_t cfg[16], decode, id;
	char path[256];
	char *map;
	FILE *f;
	int fd;

	while (barsize < memsize)
		barsize <<= 1;

	/* Line 3 of 'resource' is BAR2 */
	f = sysfs(bdf, "resource");
	for (i = 0; i < 3; i++)
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			die("resource");
	fclose(f);
	result(end - start + 1 == barsize && (flags & RES_MEM) &&
	       (flags & RES_PREFETCH) && (flags & RES_MEM_64),
	       "L2 %s: BAR2 %#llx-%#llx (%llu MiB), flags %#llx: 64-bit prefetchable memory, %llu MiB expected",
	       bdf, start, end, (end - start + 1) / MIB, flags,
	       (unsigned long long)(barsize / MIB));

	f = sysfs(bdf, "config");
	if (fread(cfg, sizeof(cfg), 1, f) != 1)
		die("config");
	fclose(f);
	decode = cfg[PCI_COMMAND / 4] & PCI_COMMAND_MEMORY;
	if (!decode) {
		uint16_t cmd = (cfg[PCI_COMMAND / 4] & 0xffff) | PCI_COMMAND_MEMORY;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
		fd = open(path, O_WRONLY);
		if (fd < 0 || pwrite(fd, &cmd, 2, PCI_COMMAND) != 2)
			die("enabling memory decoding");
		close(fd);
		f = sysfs(bdf, "config");
		if (fread(cfg, sizeof(cfg), 1, f) != 1)
			die("config");
		fclose(f);
	}
	bar = ((uint64_t)cfg[PCI_BASE_ADDRESS_3 / 4] << 32) |
	      (cfg[PCI_BASE_ADDRESS_2 / 4] & PCI_BASE_ADDRESS_MEM_MASK);
	result((cfg[PCI_BASE_ADDRESS_2 / 4] & ~PCI_BASE_ADDRESS_MEM_MASK) ==
	       (PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH) &&
	       bar == start && (cfg[PCI_COMMAND / 4] & PCI_COMMAND_MEMORY),
	       "L2 %s: config header BAR2/BAR3 0x%08x 0x%08x, memory decoding %s%s",
	       bdf, cfg[PCI_BASE_ADDRESS_2 / 4], cfg[PCI_BASE_ADDRESS_3 / 4],
	       cfg[PCI_COMMAND / 4] & PCI_COMMAND_MEMORY ? "on" : "off",
	       decode ? "" : " (enabled by the test: no firmware did)");

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource2", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die(path);
	map = mmap(NULL, barsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap resource2");

	for_each_sample(off, memsize) {
		volatile uint64_t *p = (volatile uint64_t *)(map + off);
		uint64_t got = p[0];

		if (got != pattern(off) && !bad++)
			printf("nvgrace-vm: %s offset %#llx reads %#llx, L1 wrote %#llx\n",
			       bdf, (unsigned long long)off,
			       (unsigned long long)got,
			       (unsigned long long)pattern(off));
		p[1] = ~pattern(off);
		n++;
	}
	result(!bad, "L2 %s: %u of %u sampled pages (every MiB, first and last) read the L1 pattern through resource2; L2 pattern written",
	       bdf, n - bad, n);

	/* The first, a middle and the last word of the padding, if any */
	if (memsize == barsize) {
		result(1, "L2 %s: no BAR padding (the memory size is a power of two)",
		       bdf);
	} else {
		pad[0] = *(volatile uint64_t *)(map + memsize);
		pad[1] = *(volatile uint64_t *)(map + ((memsize + barsize) / 2 & ~7ULL));
		pad[2] = *(volatile uint64_t *)(map + barsize - 8);
		result(pad[0] == ~0ULL && pad[1] == ~0ULL && pad[2] == ~0ULL,
		       "L2 %s: the BAR padding %#llx-%#llx reads %#llx %#llx %#llx (all-ones expected)",
		       bdf, (unsigned long long)memsize,
		       (unsigned long long)barsize - 1,
		       (unsigned long long)pad[0], (unsigned long long)pad[1],
		       (unsigned long long)pad[2]);
	}

	munmap(map, barsize);
	close(fd);

	/* BAR0: the device's own registers, passed through as well */
	f = sysfs(bdf, "resource");
	if (fscanf(f, "%llx %llx %llx", &start0, &end0, &flags) != 3)
		die("resource");
	fclose(f);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die(path);
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap resource0");
	id = *(volatile uint32_t *)map;
	result(id == EDU_ID, "L2 %s: BAR0 %#llx-%#llx: the ID register reads %#x (%#x expected)",
	       bdf, start0, end0, id, EDU_ID);
	munmap(map, PAGE);
	close(fd);
	printf("nvgrace-vm: ipa %s BAR0 %#llx BAR2 %#llx\n", bdf, start0, start);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return fill(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "verify"))
		return verify(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "l2"))
		return l2(argv[2], strtoull(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "l2read"))
		return l2read(argv[2], strtoull(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "refused"))
		return refused(argv[2], strtoull(argv[3], NULL, 0));
	printf("usage: nvgrace-vm fill BDF | verify BDF | l2 BDF SIZE | l2read BDF OFF | refused BDF OFF\n");
	return 2;
}
