// SPDX-License-Identifier: GPL-2.0
/*
 * Firmware-first memory errors on the GPU memory, through GHES for real.
 *
 * scripts/boot.sh gives the x86_64 guest a HEST (firmware/x86_64-hest.asl)
 * with one Generic Hardware Error Source that the kernel polls (about once
 * a second). Its error status address is a 64-bit word of guest RAM above
 * mem= at GHES_ADDR, and this program plays the firmware: through /dev/mem
 * it points that word at an error status block in the next page, writes a
 * CPER memory error section into the block and sets the block status last.
 * GHES reads the record, hands the address to memory_failure() (for an
 * uncorrected error) or to soft offline (for a corrected one over the
 * threshold), and clears the block status, which is what this program
 * waits for.
 *
 * With the BAR2 of BDF mapped and a page of it touched, as an early-kill
 * task (PR_MCE_KILL_EARLY), in this order:
 *  1. a corrected error with the threshold flag at page OFF + 4 KiB: no
 *     signal; the page keeps its data (checked at the end);
 *  2. a recoverable uncorrected error at HOLE, a pfn without struct page
 *     that no driver owns: GHES drops it (guest/test.sh checks the
 *     "Invalid address in generic error data" line);
 *  3. a recoverable uncorrected error at the page at OFF of the GPU memory:
 *     BUS_MCEERR_AO at the page's address in this mapping, then pread and
 *     pwrite of the page fail with EIO.
 * guest/test.sh checks the kernel log afterwards: exactly one "recovery
 * action" line for the page, none for the others.
 *
 * usage: nvgrace-ghes BDF MEM_BASE GHES_ADDR OFF HOLE
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "vfio-group.h"

/* The ACPI and UEFI (CPER) layouts, as include/acpi/actbl1.h and
 * include/linux/cper.h have them: packed, little-endian */
struct hest_generic_status {		/* acpi_hest_generic_status */
	uint32_t block_status;
	uint32_t raw_data_offset;
	uint32_t raw_data_length;
	uint32_t data_length;
	uint32_t error_severity;
} __attribute__((packed));

struct hest_generic_data {		/* acpi_hest_generic_data, revision 2 */
	uint8_t section_type[16];
	uint32_t error_severity;
	uint16_t revision;
	uint8_t validation_bits;
	uint8_t flags;
	uint32_t error_data_length;
	uint8_t fru_id[16];
	uint8_t fru_text[20];
} __attribute__((packed));

struct cper_mem_err {			/* cper_sec_mem_err */
	uint64_t validation_bits;
	uint64_t error_status;
	uint64_t physical_addr;
	uint64_t physical_addr_mask;
	uint16_t node, card, module, bank, device, row, column, bit_pos;
	uint64_t requestor_id, responder_id, target_id;
	uint8_t error_type, extended;
	uint16_t rank, mem_array_handle, mem_dev_handle;
} __attribute__((packed));

_Static_assert(sizeof(struct hest_generic_status) == 20, "status block header");
_Static_assert(sizeof(struct hest_generic_data) == 64, "generic error data");
_Static_assert(sizeof(struct cper_mem_err) == 80, "memory error section");

struct record {
	struct hest_generic_status status;
	struct hest_generic_data data;
	struct cper_mem_err mem;
} __attribute__((packed));

/* CPER_SEC_PLATFORM_MEM, a5bc1114-6f64-4ede-b863-3e83ed7c83b1, as stored */
static const uint8_t sec_platform_mem[16] = {
	0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
	0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1,
};

#define CPER_SEV_RECOVERABLE		0
#define CPER_SEV_CORRECTED		2
#define CPER_SEC_ERROR_THRESHOLD_EXCEEDED 0x08
#define CPER_MEM_VALID_PA		0x0002
#define BLOCK_UNCORRECTABLE		0x1	/* ACPI_HEST_UNCORRECTABLE */
#define BLOCK_CORRECTABLE		0x2	/* ACPI_HEST_CORRECTABLE */
#define BLOCK_ONE_ENTRY			(1 << 4)	/* error data entry count */

#define PAGE				4096UL
#define WAIT_SECONDS			60

static int failures;
static volatile sig_atomic_t sigbus_count;
static volatile int sigbus_code;
static void *volatile sigbus_addr;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# FAILED: " __VA_ARGS__);			\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static void die(const char *what)
{
	printf("# nvgrace-ghes: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void on_sigbus(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	sigbus_code = info->si_code;
	sigbus_addr = info->si_addr;
	sigbus_count++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Play the firmware: write a record for @phys with @sev into the block,
 * status last, and wait for GHES to clear the status. Return the seconds
 * that took, or -1 on timeout.
 */
static double report(struct record *blk, uint64_t phys, unsigned int sev,
		     unsigned int flags)
{
	struct record r = { 0 };
	double t0 = now();

	r.status.data_length = sizeof(r.data) + sizeof(r.mem);
	r.status.error_severity = sev;
	memcpy(r.data.section_type, sec_platform_mem, 16);
	r.data.error_severity = sev;
	r.data.revision = 0x0201;
	r.data.flags = flags;
	r.data.error_data_length = sizeof(r.mem);
	r.mem.validation_bits = CPER_MEM_VALID_PA;
	r.mem.physical_addr = phys;
	r.mem.physical_addr_mask = ~(PAGE - 1);

	/* everything but the status, then the status, as firmware does */
	memcpy((char *)blk + sizeof(uint32_t), (char *)&r + sizeof(uint32_t),
	       sizeof(r) - sizeof(uint32_t));
	__atomic_store_n(&blk->status.block_status, BLOCK_ONE_ENTRY |
			 (sev == CPER_SEV_CORRECTED ? BLOCK_CORRECTABLE :
			  BLOCK_UNCORRECTABLE), __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&blk->status.block_status, __ATOMIC_SEQ_CST)) {
		if (now() - t0 > WAIT_SECONDS)
			return -1;
		pause_ms(10);
	}
	return now() - t0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	uint64_t base, ghes, off, hole, region, memsize;
	char pattern[64], buf[64];
	int container, device, mem;
	const char *step;
	uint64_t *pointer;
	struct record *blk;
	double t, t0;
	char *map, *win;

	if (argc != 6) {
		fprintf(stderr, "usage: %s BDF MEM_BASE GHES_ADDR OFF HOLE\n", argv[0]);
		return 2;
	}
	base = strtoull(argv[2], NULL, 0);
	ghes = strtoull(argv[3], NULL, 0);
	off = strtoull(argv[4], NULL, 0);
	hole = strtoull(argv[5], NULL, 0);
	if ((ghes | off) & (PAGE - 1)) {
		errno = EINVAL;
		die("GHES_ADDR and OFF must be page aligned");
	}

	device = vfio_gpu_mem_open(argv[1], &container, &region, &memsize, &step);
	if (device < 0)
		die(step);
	if (off + 2 * PAGE > memsize) {
		errno = EINVAL;
		die("OFF + 8 KiB is past the GPU memory");
	}
	map = mmap(NULL, memsize, PROT_READ | PROT_WRITE, MAP_SHARED, device,
		   region);
	if (map == MAP_FAILED)
		die("mmap of BAR2");
	sigaction(SIGBUS, &sa, NULL);
	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		die("PR_MCE_KILL");
	/* both pages mapped (early kill only reaches mapped pages), with data */
	snprintf(pattern, sizeof(pattern), "nvgrace-ghes pattern at %#llx",
		 (unsigned long long)off + PAGE);
	memcpy(map + off + PAGE, pattern, sizeof(pattern));
	memcpy(map + off, pattern, sizeof(pattern));

	/*
	 * Write-back, without O_SYNC: GHES maps the error status address
	 * with ioremap_cache(), and x86 PAT refuses a second mapping of the
	 * same page with another memory type (mmap fails with EAGAIN).
	 */
	mem = open("/dev/mem", O_RDWR);
	if (mem < 0)
		die("/dev/mem");
	win = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mem, ghes);
	if (win == MAP_FAILED)
		die("mmap of /dev/mem at GHES_ADDR");
	pointer = (uint64_t *)win;
	blk = (struct record *)(win + PAGE);
	memset(blk, 0, sizeof(*blk));
	__atomic_store_n(pointer, ghes + PAGE, __ATOMIC_SEQ_CST);

	/* 1. corrected, over the threshold: soft offline, nothing for us */
	t = report(blk, base + off + PAGE, CPER_SEV_CORRECTED,
		   CPER_SEC_ERROR_THRESHOLD_EXCEEDED);
	CHECK(t >= 0, "GHES did not take the corrected record in %d s", WAIT_SECONDS);
	printf("# corrected error (threshold exceeded) at %#llx: taken in %.1f s\n",
	       (unsigned long long)(base + off + PAGE), t);

	/* 2. uncorrected at a pfn no driver owns */
	t = report(blk, hole, CPER_SEV_RECOVERABLE, 0);
	CHECK(t >= 0, "GHES did not take the record for HOLE in %d s", WAIT_SECONDS);
	printf("# recoverable error at %#llx (no owner): taken in %.1f s\n",
	       (unsigned long long)hole, t);

	/* 3. uncorrected at the page: memory_failure() for its owner */
	t0 = now();
	t = report(blk, base + off + 0x40, CPER_SEV_RECOVERABLE, 0);
	CHECK(t >= 0, "GHES did not take the record for the page in %d s", WAIT_SECONDS);
	while (!sigbus_count && now() - t0 < WAIT_SECONDS)
		pause_ms(10);
	printf("# recoverable error at %#llx: taken in %.1f s, SIGBUS after %.1f s: %s at %p (page mapped at %p)\n",
	       (unsigned long long)(base + off + 0x40), t, now() - t0,
	       sigbus_count ? (sigbus_code == BUS_MCEERR_AO ? "BUS_MCEERR_AO" :
			       sigbus_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" :
			       "another si_code") : "none",
	       sigbus_addr, map + off);
	CHECK(sigbus_count == 1 && sigbus_code == BUS_MCEERR_AO &&
	      sigbus_addr == map + off,
	      "expected one BUS_MCEERR_AO at %p, got %d signals, last code %d at %p",
	      map + off, (int)sigbus_count, sigbus_code, sigbus_addr);

	errno = 0;
	CHECK(pread(device, buf, sizeof(buf), region + off) < 0 && errno == EIO,
	      "pread of the poisoned page: %s, not EIO", strerror(errno));
	errno = 0;
	CHECK(pwrite(device, buf, sizeof(buf), region + off + 128) < 0 && errno == EIO,
	      "pwrite of the poisoned page: %s, not EIO", strerror(errno));

	/* the page of the corrected error is untouched */
	CHECK(pread(device, buf, sizeof(buf), region + off + PAGE) == sizeof(buf) &&
	      !memcmp(buf, pattern, sizeof(pattern)),
	      "the page of the corrected error no longer reads its pattern");
	CHECK(!memcmp(map + off + PAGE, pattern, sizeof(pattern)),
	      "the page of the corrected error differs through the mapping");
	CHECK(sigbus_count == 1, "%d signals in all, expected 1", (int)sigbus_count);

	printf("# %s\n", failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
