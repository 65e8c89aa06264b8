// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvgrace-fuzz: a seeded fuzzer of the userspace ABI of one VFIO device
 * bound to nvgrace-gpu-vfio-pci.
 *
 * It runs random but well-formed sequences of VFIO operations on the
 * device and checks every result against a model of the driver's rules:
 *
 *  - VFIO_DEVICE_GET_REGION_INFO of every index with argsz 0, small,
 *    minimal, exact, big and huge: EINVAL below the minimum, the argsz
 *    needed for the capability chain when it does not fit, nothing written
 *    past it, and for BAR2 a power-of-two size with one sparse mmap area
 *    covering exactly [0, memory size);
 *  - VFIO_DEVICE_GET_IRQ_INFO, VFIO_DEVICE_FEATURE (probes and harmless
 *    gets/sets) and VFIO_DEVICE_IOEVENTFD on BAR2 (always ENOTTY) with
 *    random indexes, flags and argsz;
 *  - VFIO_DEVICE_RESET: works iff the device reports VFIO_DEVICE_FLAGS_RESET
 *    (at most 100 resets and full reopens on such a device: a bus reset can
 *    take a second), resets the emulated BAR2 register, breaks nothing;
 *  - mmap of BAR2 at random offsets and lengths: it succeeds iff the
 *    mapping is MAP_SHARED, page aligned and inside the memory, else EINVAL;
 *    munmap of whole and partial mappings;
 *  - reads and writes of random bytes of live mappings (SIGBUS caught with
 *    sigsetjmp): no signal while memory decode is on, BUS_ADRERR at the
 *    touched address while it is off; data checked against a shadow copy of
 *    a few tracked pages;
 *  - pread/pwrite of every region index: BAR2 returns the real data inside
 *    the memory, 0xff in the padding, a short count across the BAR end,
 *    EINVAL at or past it, EIO while memory decode is off, and never
 *    touches the caller's buffer past the returned count; also with a
 *    buffer that is itself a BAR2 mapping; BAR0 and the missing BARs, ROM
 *    and VGA regions as vfio-pci-core does;
 *  - config space accesses of 1, 2, 4 and 8 bytes at random offsets, in
 *    and out of range (EFAULT), random writes included: the emulated BAR2
 *    register follows a model of the sizing rules, and the memory enable
 *    bit of the command register switches BAR2 off and on;
 *  - close and reopen of the device fd, with or without live mappings: a
 *    mapping that outlives its fd keeps working, and a fresh open resets
 *    the emulated BAR2 register.
 *
 * The fuzzer writes to the device memory: run it only on a test machine,
 * on a device whose memory has no poisoned page (pread of one fails with
 * EIO, which the fuzzer reports). Run as root, after binding the device:
 *
 *	nvgrace-fuzz [-n OPS] [-s SEED] [-t SECONDS] 0000:00:03.0
 *
 * OPS defaults to 100000, SEED to the time, SECONDS (the time bound) to
 * 240. The seed is printed first ("# seed N"): the same seed on the same
 * device replays the same operations. Exit status 0 only if every check
 * held; a failed check prints "# FAIL op N: ...". The time bound only
 * caps the run on a slow or busy machine: reaching it ends the run early
 * with the checks of the operations that ran, prints "# time bound ..."
 * with their number, and is not a failure (how fast the machine runs is
 * not what the fuzzer tests; a program that stops making progress is
 * the guest watchdog's to catch), unless fewer than a quarter of OPS ran:
 * that few operations do not test what the run claims to.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vfio-group.h"

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BAR_FLAGS	(PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH)
#define REGION_FLAGS	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | \
			 VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS)
#define NREGIONS	VFIO_PCI_NUM_REGIONS
#define NMAPS		16	/* live BAR2 mappings at most */
#define NTRACK		8	/* pages whose content the fuzzer knows */
#define MAX_FAILS	20	/* FAIL lines printed at most */
#define DECODE_OFF_MAX	8	/* ops with memory decode off before restoring */
#define MAX_SLOW	100	/* resets + full reopens of a device that resets */
#define INFO_BUF	8192
#define RW_BUF		(64 * 1024)
#define CANARY		0xa5

/* Operation kinds, for the counts */
enum {
	OP_REGION_INFO, OP_IRQ_INFO, OP_FEATURE, OP_IOEVENTFD, OP_RESET,
	OP_MMAP, OP_MUNMAP, OP_TOUCH, OP_RW_BAR2, OP_RW_MAPBUF, OP_RW_OTHER,
	OP_CFG_READ, OP_CFG_WRITE, OP_DECODE, OP_REOPEN, NR_OPS
};

static const char * const op_name[NR_OPS] = {
	"region_info", "irq_info", "feature", "ioeventfd", "reset", "mmap",
	"munmap", "touch", "rw_bar2", "rw_mapbuf", "rw_other", "cfg_read",
	"cfg_write", "decode", "reopen",
};

/* Relative frequency of each kind */
static const unsigned int op_weight[NR_OPS] = {
	[OP_REGION_INFO] = 8, [OP_IRQ_INFO] = 4, [OP_FEATURE] = 4,
	[OP_IOEVENTFD] = 3, [OP_RESET] = 1, [OP_MMAP] = 7, [OP_MUNMAP] = 4,
	[OP_TOUCH] = 20, [OP_RW_BAR2] = 20, [OP_RW_MAPBUF] = 3,
	[OP_RW_OTHER] = 6, [OP_CFG_READ] = 8, [OP_CFG_WRITE] = 5,
	[OP_DECODE] = 2, [OP_REOPEN] = 1,
};

struct mapping {
	char *addr;
	u64 off;	/* region offset of addr */
	size_t len;	/* page multiple */
};

struct region {
	bool present;	/* VGA, for one, is not there for most devices */
	u64 offset;
	u64 size;
	u32 flags;
	u32 needed;	/* argsz that returns the capability chain */
};

static struct {
	const char *bdf;
	int container, group, dev;
	size_t pg;
	struct region reg[NREGIONS];
	struct vfio_irq_info irq[VFIO_PCI_NUM_IRQS];
	bool irq_ok[VFIO_PCI_NUM_IRQS];
	u64 bar2, barsz, memsz, cfg, cfgsz;
	bool can_reset;
	bool decode;		/* memory decode on, as the command register says */
	unsigned int decode_off_ops;
	u64 bar_model;		/* the emulated BAR2/BAR3 register */
	u8 ids[4];		/* vendor and device ID */
	bool edu;		/* QEMU's edu device: BAR0 + 4 is a liveness register */
	struct mapping maps[NMAPS];
	unsigned int nmaps;
	u64 track[NTRACK];	/* region offsets of the tracked pages */
	u8 *shadow[NTRACK];
	int evfd;
	unsigned int slow;	/* resets and full reopens (each resets it) */
	double t0;
} fz;

static u64 opno;
static unsigned int fails;
static unsigned long count[NR_OPS], checks;
static unsigned long n_adrerr, n_reset_ok, n_reset_err, n_reset_skip;
static unsigned long n_reopen_full, n_mmap_ok, n_mmap_einval, n_short, n_pad;
static unsigned long n_pad_decode_off;

/* xorshift64* */
static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A random number in [0, n); 0 for n == 0 */
static u64 below(u64 n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int one_in)
{
	return below(one_in) == 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (++fails > MAX_FAILS)
		return;
	printf("# FAIL op %llu: ", (unsigned long long)opno);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("# FATAL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(2);
}

/* Check that a call returned @want (>= 0) or failed with @err */
static bool expect_ret(long ret, long want, int err, const char *what)
{
	checks++;
	if (want >= 0 && ret == want)
		return true;
	if (want < 0 && ret == -1 && errno == err)
		return true;
	if (want >= 0)
		fail("%s: returned %ld (%s), expected %ld", what, ret,
		     ret < 0 ? strerror(errno) : "ok", want);
	else
		fail("%s: returned %ld (%s), expected %s", what, ret,
		     ret < 0 ? strerror(errno) : "ok", strerror(err));
	return false;
}

/* SIGBUS from touching a mapping */
static sigjmp_buf sb_env;
static volatile sig_atomic_t sb_armed;
static volatile int sb_code;
static void * volatile sb_addr;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "# FAIL: SIGBUS outside a touch\n";

	(void)sig;
	(void)uc;
	sb_code = si->si_code;
	sb_addr = si->si_addr;
	if (sb_armed) {
		sb_armed = 0;
		siglongjmp(sb_env, 1);
	}
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

/*
 * Read (or, with @wr, write @val to) the byte at @p. Return 0, or the
 * si_code of the SIGBUS it raised (its address in sb_addr).
 */
static int touch_byte(volatile u8 *p, bool wr, u8 val, u8 *got)
{
	sb_addr = NULL;
	/* SA_NODEFER: no signal mask to restore, so no syscall here */
	if (sigsetjmp(sb_env, 0))
		return sb_code;
	sb_armed = 1;
	if (wr)
		*p = val;
	else
		*got = *p;
	sb_armed = 0;
	return 0;
}

static void fill_random(void *buf, size_t len)
{
	u8 *p = buf;
	size_t i = 0;
	u64 x;

	while (i < len) {
		x = rnd();
		for (int k = 0; k < 8 && i < len; k++, x >>= 8)
			p[i++] = x;
	}
}

/* Index of the tracked page that holds region offset @off, or -1 */
static int tracked(u64 off)
{
	u64 page = off & ~(u64)(fz.pg - 1);

	for (int i = 0; i < NTRACK; i++)
		if (fz.track[i] == page)
			return i;
	return -1;
}

/* Does [off, off + len) of the region overlap a tracked page? */
static bool overlaps_tracked(u64 off, u64 len)
{
	for (int i = 0; i < NTRACK; i++)
		if (off < fz.track[i] + fz.pg && fz.track[i] < off + len)
			return true;
	return false;
}

/* The memory now holds @buf at [off, off + len): update the shadow */
static void shadow_store(u64 off, const u8 *buf, u64 len)
{
	for (u64 i = 0; i < len; i++) {
		int t = tracked(off + i);

		if (t >= 0)
			fz.shadow[t][(off + i) & (fz.pg - 1)] = buf[i];
	}
}

/* @buf was read from [off, off + len) of the memory: check the shadow */
static void shadow_check(u64 off, const u8 *buf, u64 len, const char *what)
{
	for (u64 i = 0; i < len; i++) {
		int t = tracked(off + i);
		u8 want;

		if (t < 0)
			continue;
		want = fz.shadow[t][(off + i) & (fz.pg - 1)];
		checks++;
		if (buf[i] != want) {
			fail("%s: byte at region offset 0x%llx is 0x%02x, wrote 0x%02x",
			     what, (unsigned long long)(off + i), buf[i], want);
			return;
		}
	}
}

static int region_info(u32 index, void *buf, u32 argsz)
{
	struct vfio_region_info *info = buf;

	info->argsz = argsz;
	info->index = index;
	info->flags = 0;
	info->cap_offset = 0;
	return ioctl(fz.dev, VFIO_DEVICE_GET_REGION_INFO, info);
}

static void open_device(void)
{
	fz.dev = ioctl(fz.group, VFIO_GROUP_GET_DEVICE_FD, fz.bdf);
	if (fz.dev < 0)
		die("VFIO_GROUP_GET_DEVICE_FD %s: %s", fz.bdf, strerror(errno));
}

static void open_container(void)
{
	const char *step;

	fz.group = vfio_group_open(fz.bdf, &fz.container, &step);
	if (fz.group < 0)
		die("%s: %s", step, strerror(errno));
	open_device();
}

static ssize_t cfg_read(u64 pos, void *buf, size_t len)
{
	return pread(fz.dev, buf, len, fz.cfg + pos);
}

/* Read the command register into the model of memory decode */
static void read_decode(void)
{
	u16 cmd;

	if (cfg_read(PCI_COMMAND, &cmd, 2) != 2)
		die("cannot read the command register: %s", strerror(errno));
	fz.decode = le16toh(cmd) & PCI_COMMAND_MEMORY;
}

static void set_decode(bool on)
{
	u16 cmd;

	if (cfg_read(PCI_COMMAND, &cmd, 2) != 2)
		die("cannot read the command register: %s", strerror(errno));
	cmd = le16toh(cmd) & ~PCI_COMMAND_MEMORY;
	cmd = htole16(cmd | (on ? PCI_COMMAND_MEMORY : 0));
	expect_ret(pwrite(fz.dev, &cmd, 2, fz.cfg + PCI_COMMAND), 2, 0,
		   "write of the command register");
	read_decode();
	checks++;
	if (fz.decode != on)
		fail("memory decode reads %s after turning it %s",
		     fz.decode ? "on" : "off", on ? "on" : "off");
	fz.decode_off_ops = 0;
}

/* What the device says before the fuzzing starts */
static void setup(void)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	struct vfio_region_info_cap_sparse_mmap *sparse;
	static u8 buf[INFO_BUF];
	struct vfio_region_info *info = (void *)buf;
	struct vfio_info_cap_header *hdr;
	u32 off;

	if (ioctl(fz.dev, VFIO_DEVICE_GET_INFO, &dinfo))
		die("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
	fz.can_reset = dinfo.flags & VFIO_DEVICE_FLAGS_RESET;

	for (u32 i = 0; i < NREGIONS; i++) {
		struct region *r = &fz.reg[i];

		if (region_info(i, buf, sizeof(*info))) {
			if (errno != EINVAL)
				die("region %u info: %s", i, strerror(errno));
			continue;
		}
		r->present = true;
		r->offset = info->offset;
		r->size = info->size;
		r->flags = info->flags;
		r->needed = info->argsz;
	}
	for (u32 i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		fz.irq[i].argsz = sizeof(fz.irq[i]);
		fz.irq[i].index = i;
		fz.irq_ok[i] = !ioctl(fz.dev, VFIO_DEVICE_GET_IRQ_INFO,
				      &fz.irq[i]);
	}

	fz.bar2 = fz.reg[VFIO_PCI_BAR2_REGION_INDEX].offset;
	fz.barsz = fz.reg[VFIO_PCI_BAR2_REGION_INDEX].size;
	fz.cfg = fz.reg[VFIO_PCI_CONFIG_REGION_INDEX].offset;
	fz.cfgsz = fz.reg[VFIO_PCI_CONFIG_REGION_INDEX].size;
	if (!fz.barsz || fz.reg[2].needed > INFO_BUF ||
	    region_info(VFIO_PCI_BAR2_REGION_INDEX, buf, fz.reg[2].needed))
		die("BAR2 is empty or has no capabilities: is %s bound to nvgrace-gpu-vfio-pci?",
		    fz.bdf);
	sparse = NULL;
	for (off = info->cap_offset; off && off + sizeof(*hdr) <= fz.reg[2].needed;
	     off = hdr->next) {
		hdr = (void *)(buf + off);
		if (hdr->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			sparse = (void *)hdr;
			break;
		}
	}
	if (!sparse || sparse->nr_areas != 1)
		die("BAR2 has no sparse mmap area: is %s bound to nvgrace-gpu-vfio-pci?",
		    fz.bdf);
	fz.memsz = sparse->areas[0].size;
	if (!fz.memsz || fz.memsz % fz.pg || fz.memsz > fz.barsz ||
	    fz.barsz & (fz.barsz - 1) || fz.memsz < 16 * fz.pg)
		die("BAR2 size 0x%llx, memory 0x%llx: not a usable pair",
		    (unsigned long long)fz.barsz,
		    (unsigned long long)fz.memsz);

	if (cfg_read(0, fz.ids, 4) != 4)
		die("config space read: %s", strerror(errno));
	fz.edu = fz.ids[0] == 0x34 && fz.ids[1] == 0x12 &&
		 fz.ids[2] == 0xe8 && fz.ids[3] == 0x11;
	fz.bar_model = BAR_FLAGS;
	read_decode();
	if (!fz.decode)
		set_decode(true);
	fz.evfd = eventfd(0, EFD_CLOEXEC);
	if (fz.evfd < 0)
		die("eventfd: %s", strerror(errno));

	/* The tracked pages: both ends, the middle, and a few at random */
	fz.track[0] = 0;
	fz.track[1] = fz.pg;
	fz.track[2] = fz.memsz - fz.pg;
	fz.track[3] = fz.memsz - 2 * fz.pg;
	fz.track[4] = fz.memsz / 2 & ~(u64)(fz.pg - 1);
	for (int i = 5; i < NTRACK; i++) {
		do {
			fz.track[i] = below(fz.memsz / fz.pg) * fz.pg;
		} while (tracked(fz.track[i]) != i);
	}
	for (int i = 0; i < NTRACK; i++) {
		fz.shadow[i] = malloc(fz.pg);
		if (!fz.shadow[i])
			die("out of memory");
		fill_random(fz.shadow[i], fz.pg);
		if (pwrite(fz.dev, fz.shadow[i], fz.pg, fz.bar2 + fz.track[i]) !=
		    (ssize_t)fz.pg)
			die("pwrite of BAR2 at 0x%llx: %s (poisoned?)",
			    (unsigned long long)fz.track[i], strerror(errno));
	}
}

/* Walk the capability chain of a region info, @len bytes of it valid */
static void check_chain(u32 index, const u8 *buf, u32 len)
{
	const struct vfio_region_info *info = (const void *)buf;
	const struct vfio_info_cap_header *hdr;
	const struct vfio_region_info_cap_sparse_mmap *sparse = NULL;
	u32 off = info->cap_offset;
	int n;

	for (n = 0; off; n++) {
		checks++;
		if (n >= 16 || off < sizeof(*info) || off + sizeof(*hdr) > len) {
			fail("region %u: capability at 0x%x out of bounds (argsz 0x%x) or chain too long",
			     index, off, len);
			return;
		}
		hdr = (const void *)(buf + off);
		if (hdr->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP)
			sparse = (const void *)hdr;
		off = hdr->next;
	}
	if (index != VFIO_PCI_BAR2_REGION_INDEX)
		return;
	checks++;
	if (!sparse || (const u8 *)&sparse->areas[1] > buf + len ||
	    sparse->header.version != 1 || sparse->nr_areas != 1 ||
	    sparse->areas[0].offset != 0 || sparse->areas[0].size != fz.memsz)
		fail("BAR2 sparse mmap capability is wrong or missing (%s, %u areas, 0x%llx+0x%llx, memory 0x%llx)",
		     sparse ? "present" : "missing", sparse ? sparse->nr_areas : 0,
		     sparse ? (unsigned long long)sparse->areas[0].offset : 0ULL,
		     sparse ? (unsigned long long)sparse->areas[0].size : 0ULL,
		     (unsigned long long)fz.memsz);
}

static void op_region_info(void)
{
	static u8 buf[INFO_BUF];
	struct vfio_region_info *info = (void *)buf;
	const u32 minsz = sizeof(*info);
	u32 index, argsz, needed, written;
	char what[64];
	int ret;

	index = chance(8) ? NREGIONS + below(3) : below(NREGIONS);
	if (chance(40))
		index = (u32)rnd();
	needed = index < NREGIONS && fz.reg[index].present ?
		 fz.reg[index].needed : minsz;
	switch (below(6)) {
	case 0:
		argsz = 0;
		break;
	case 1:
		argsz = 1 + below(minsz - 1);
		break;
	case 2:
		argsz = minsz;
		break;
	case 3:
		argsz = needed;
		break;
	case 4:
		argsz = needed + below(INFO_BUF - needed + 1);
		break;
	default:
		argsz = chance(2) ? UINT32_MAX : (u32)rnd();
		break;
	}
	memset(buf, CANARY, sizeof(buf));
	snprintf(what, sizeof(what), "GET_REGION_INFO index %u argsz %u",
		 index, argsz);
	ret = region_info(index, buf, argsz);
	if (argsz < minsz || index >= NREGIONS || !fz.reg[index].present) {
		expect_ret(ret, -1, EINVAL, what);
		written = minsz;
	} else {
		struct region *r = &fz.reg[index];

		if (!expect_ret(ret, 0, 0, what))
			return;
		checks++;
		if (info->offset != r->offset || info->size != r->size ||
		    info->flags != r->flags || info->index != index)
			fail("%s: offset 0x%llx size 0x%llx flags 0x%x index %u changed",
			     what, (unsigned long long)info->offset,
			     (unsigned long long)info->size, info->flags,
			     info->index);
		checks++;
		if (info->offset != (u64)index << 40)
			fail("%s: offset 0x%llx", what,
			     (unsigned long long)info->offset);
		if (argsz < needed) {
			checks++;
			if (info->argsz != needed || info->cap_offset)
				fail("%s: argsz %u cap_offset %u, expected argsz %u and no chain",
				     what, info->argsz, info->cap_offset,
				     needed);
			written = minsz;
		} else {
			checks++;
			if (info->argsz != argsz)
				fail("%s: argsz changed to %u", what,
				     info->argsz);
			check_chain(index, buf, needed);
			written = needed;
		}
		if (index == VFIO_PCI_BAR2_REGION_INDEX) {
			checks++;
			if (info->flags != REGION_FLAGS ||
			    info->size != fz.barsz ||
			    (info->size & (info->size - 1)) ||
			    info->size < fz.memsz)
				fail("%s: BAR2 flags 0x%x size 0x%llx", what,
				     info->flags,
				     (unsigned long long)info->size);
			checks++;
			if (argsz >= needed && info->cap_offset != minsz)
				fail("%s: cap_offset %u", what,
				     info->cap_offset);
		}
	}
	for (u32 i = written; i < sizeof(buf); i++) {
		if (buf[i] != CANARY) {
			fail("%s: byte %u written, past the %u bytes of the answer",
			     what, i, written);
			break;
		}
	}
	checks++;
}

static void op_irq_info(void)
{
	struct vfio_irq_info info;
	const u32 minsz = sizeof(info);
	char what[64];
	u32 index;
	int ret;

	index = chance(10) ? (u32)rnd() : below(VFIO_PCI_NUM_IRQS + 2);
	memset(&info, 0, sizeof(info));
	info.index = index;
	switch (below(4)) {
	case 0:
		info.argsz = below(minsz);
		break;
	case 1:
		info.argsz = minsz;
		break;
	case 2:
		info.argsz = minsz + below(64);
		break;
	default:
		info.argsz = (u32)rnd();
		break;
	}
	snprintf(what, sizeof(what), "GET_IRQ_INFO index %u argsz %u", index,
		 info.argsz);
	ret = ioctl(fz.dev, VFIO_DEVICE_GET_IRQ_INFO, &info);
	if (info.argsz < minsz || index >= VFIO_PCI_NUM_IRQS ||
	    !fz.irq_ok[index]) {
		expect_ret(ret, -1, EINVAL, what);
		return;
	}
	if (!expect_ret(ret, 0, 0, what))
		return;
	checks++;
	if (info.flags != fz.irq[index].flags ||
	    info.count != fz.irq[index].count ||
	    !(info.flags & VFIO_IRQ_INFO_EVENTFD))
		fail("%s: flags 0x%x count %u, were 0x%x and %u", what,
		     info.flags, info.count, fz.irq[index].flags,
		     fz.irq[index].count);
}

static void op_feature(void)
{
	struct {
		struct vfio_device_feature f;
		u8 data[64];
	} buf;
	const u32 minsz = sizeof(buf.f);
	const u32 known = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_MASK;
	u32 feature, flags, argsz;
	char what[80];
	int ret;

	feature = chance(3) ? 16 + below(VFIO_DEVICE_FEATURE_MASK - 15) :
			      below(9);
	flags = feature;
	if (chance(2))
		flags |= VFIO_DEVICE_FEATURE_PROBE;
	if (chance(2))
		flags |= VFIO_DEVICE_FEATURE_GET;
	if (chance(2))
		flags |= VFIO_DEVICE_FEATURE_SET;
	if (chance(16))
		flags |= 1U << (19 + below(13));
	/* Entering low power for real is not this fuzzer's business */
	if (feature >= VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY &&
	    feature <= VFIO_DEVICE_FEATURE_LOW_POWER_EXIT &&
	    (flags & VFIO_DEVICE_FEATURE_SET))
		flags |= VFIO_DEVICE_FEATURE_PROBE;
	argsz = chance(4) ? below(minsz) : minsz + below(sizeof(buf.data) + 1);
	fill_random(buf.data, sizeof(buf.data));
	buf.f.argsz = argsz;
	buf.f.flags = flags;
	snprintf(what, sizeof(what), "DEVICE_FEATURE flags 0x%x argsz %u",
		 flags, argsz);
	ret = ioctl(fz.dev, VFIO_DEVICE_FEATURE, &buf);
	if (argsz < minsz || (flags & ~known) ||
	    (!(flags & VFIO_DEVICE_FEATURE_PROBE) &&
	     (flags & VFIO_DEVICE_FEATURE_GET) &&
	     (flags & VFIO_DEVICE_FEATURE_SET)))
		expect_ret(ret, -1, EINVAL, what);
	else if (feature >= 16)
		expect_ret(ret, -1, ENOTTY, what);
	else
		checks++;	/* a known feature: any answer, no crash */
}

static void op_ioeventfd(void)
{
	struct vfio_device_ioeventfd ev;
	/* The kernel's minsz: the struct without its tail padding */
	const u32 minsz = offsetof(struct vfio_device_ioeventfd, fd) +
			  sizeof(ev.fd);
	char what[96];
	int ret;

	memset(&ev, 0, sizeof(ev));
	ev.argsz = chance(5) ? below(minsz) : minsz + below(16);
	ev.flags = chance(4) ? (u32)rnd() : 1U << below(4);
	ev.offset = fz.bar2 + (chance(4) ? below(fz.barsz) :
			       below(fz.memsz) & ~7ULL);
	if (chance(10))
		ev.offset = fz.bar2 + below(1ULL << 40);
	ev.data = rnd();
	ev.fd = chance(3) ? -1 : fz.evfd;
	snprintf(what, sizeof(what), "IOEVENTFD argsz %u flags 0x%x offset 0x%llx",
		 ev.argsz, ev.flags, (unsigned long long)ev.offset);
	ret = ioctl(fz.dev, VFIO_DEVICE_IOEVENTFD, &ev);
	expect_ret(ret, -1, ev.argsz < minsz ? EINVAL : ENOTTY, what);
}

/* The page sized part of a mapping that holds a tracked page, if any */
static int pick_mapping(u64 *page_out)
{
	struct mapping *m;
	int candidates[NTRACK], n = 0;

	if (!fz.nmaps)
		return -1;
	m = &fz.maps[below(fz.nmaps)];
	for (int t = 0; t < NTRACK; t++)
		if (fz.track[t] >= m->off && fz.track[t] < m->off + m->len)
			candidates[n++] = t;
	if (n && chance(2))
		*page_out = fz.track[candidates[below(n)]] - m->off;
	else
		*page_out = below(m->len / fz.pg) * fz.pg;
	return m - fz.maps;
}

/* Touch byte @i of the mapping @m and check the rules */
static void touch_check(struct mapping *m, u64 i, bool wr)
{
	volatile u8 *p = (volatile u8 *)m->addr + i;
	u64 off = m->off + i;
	u8 val = rnd(), got = 0;
	int code;

	code = touch_byte(p, wr, val, &got);
	checks++;
	if (!fz.decode) {
		if (code == BUS_ADRERR && sb_addr == (void *)p) {
			n_adrerr++;
			return;
		}
		fail("%s at %p (region offset 0x%llx) with memory decode off: %s %d at %p, expected BUS_ADRERR at the address",
		     wr ? "write" : "read", (void *)p,
		     (unsigned long long)off, code ? "si_code" : "no SIGBUS",
		     code, sb_addr);
		return;
	}
	if (code) {
		fail("%s at %p (region offset 0x%llx): SIGBUS si_code %d at %p with memory decode on",
		     wr ? "write" : "read", (void *)p,
		     (unsigned long long)off, code, sb_addr);
		return;
	}
	if (wr)
		shadow_store(off, &val, 1);
	else
		shadow_check(off, &got, 1, "read through a mapping");
}

static void op_touch(void)
{
	u64 page;
	int i = pick_mapping(&page);

	if (i < 0)
		return;
	touch_check(&fz.maps[i], page + below(fz.pg), chance(2));
}

static void unmap_at(unsigned int i)
{
	struct mapping *m = &fz.maps[i];

	if (munmap(m->addr, m->len))
		fail("munmap of %p + 0x%zx: %s", (void *)m->addr, m->len,
		     strerror(errno));
	fz.maps[i] = fz.maps[--fz.nmaps];
}

static void op_mmap(void)
{
	u64 off, len, pages = fz.memsz / fz.pg, rlen;
	int flags = MAP_SHARED;
	bool ok;
	char *p;

	if (fz.nmaps == NMAPS)
		unmap_at(below(NMAPS));
	switch (below(10)) {
	case 0: case 1: case 2: case 3:
		/* Around a tracked page */
		off = fz.track[below(NTRACK)];
		off -= below(4) * fz.pg;
		if (off > fz.memsz)
			off = 0;
		len = (1 + below(8)) * fz.pg;
		if (chance(8))
			len += below(fz.pg);	/* a partial last page */
		break;
	case 4: case 5:
		off = below(pages) * fz.pg;
		len = (1 + below(32)) * fz.pg;
		break;
	case 6:
		off = 0;
		len = fz.memsz;
		break;
	case 7:
		/* Into or past the padding, or past the BAR */
		off = (pages - below(4)) * fz.pg;
		len = (1 + below(8)) * fz.pg;
		if (chance(3))
			off = fz.memsz + below((fz.barsz - fz.memsz) / fz.pg + 2) *
					 fz.pg;
		if (chance(8))
			len = fz.barsz;
		break;
	case 8:
		/* Unaligned, empty, private */
		off = below(pages) * fz.pg;
		len = (1 + below(4)) * fz.pg;
		switch (below(3)) {
		case 0:
			off += 1 + below(fz.pg - 1);
			break;
		case 1:
			len = 0;
			break;
		default:
			flags = MAP_PRIVATE;
			break;
		}
		break;
	default:
		/* Far past the BAR, in the region's offset space */
		off = (fz.barsz + below((1ULL << 40) - fz.barsz)) &
		      ~(u64)(fz.pg - 1);
		len = fz.pg;
		break;
	}
	rlen = (len + fz.pg - 1) & ~(u64)(fz.pg - 1);
	ok = flags == MAP_SHARED && !(off % fz.pg) && len &&
	     off < fz.memsz && rlen <= fz.memsz - off;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fz.dev,
		 fz.bar2 + off);
	checks++;
	if (p == MAP_FAILED) {
		if (ok)
			fail("mmap of 0x%llx bytes at BAR2 offset 0x%llx: %s, expected success",
			     (unsigned long long)len, (unsigned long long)off,
			     strerror(errno));
		else if (errno != EINVAL)
			fail("mmap of 0x%llx bytes at BAR2 offset 0x%llx (%s): %s, expected EINVAL",
			     (unsigned long long)len, (unsigned long long)off,
			     flags == MAP_SHARED ? "shared" : "private",
			     strerror(errno));
		else
			n_mmap_einval++;
		return;
	}
	if (!ok) {
		fail("mmap of 0x%llx bytes at BAR2 offset 0x%llx (%s) succeeded: memory is 0x%llx, BAR 0x%llx",
		     (unsigned long long)len, (unsigned long long)off,
		     flags == MAP_SHARED ? "shared" : "private",
		     (unsigned long long)fz.memsz,
		     (unsigned long long)fz.barsz);
		munmap(p, len);
		return;
	}
	n_mmap_ok++;
	fz.maps[fz.nmaps++] = (struct mapping){ p, off, rlen };
	if (chance(2))
		touch_check(&fz.maps[fz.nmaps - 1], below(rlen), chance(2));
}

static void op_munmap(void)
{
	struct mapping *m;
	unsigned int i;
	size_t cut;

	if (!fz.nmaps)
		return;
	i = below(fz.nmaps);
	m = &fz.maps[i];
	if (m->len == fz.pg || chance(2)) {
		unmap_at(i);
		return;
	}
	/* Split off the head or the tail */
	cut = (1 + below(m->len / fz.pg - 1)) * fz.pg;
	if (chance(2)) {
		if (munmap(m->addr, cut))
			fail("munmap of the head of %p: %s", (void *)m->addr,
			     strerror(errno));
		m->addr += cut;
		m->off += cut;
	} else {
		if (munmap(m->addr + m->len - cut, cut))
			fail("munmap of the tail of %p: %s", (void *)m->addr,
			     strerror(errno));
	}
	m->len -= cut;
	if (chance(2))
		touch_check(m, below(m->len), false);
}

/* A random BAR2 region offset and length for pread/pwrite */
static void pick_bar2_range(u64 *pos, u64 *len)
{
	switch (below(12)) {
	case 0: case 1: case 2: case 3:
		*pos = fz.track[below(NTRACK)] + below(fz.pg);
		break;
	case 4: case 5: case 6:
		*pos = below(fz.memsz);
		break;
	case 7:
		*pos = fz.memsz - below(64);	/* across the memory end */
		break;
	case 8:
		*pos = fz.memsz + below(fz.barsz - fz.memsz + 1);
		break;
	case 9:
		*pos = fz.barsz - 1 - below(64);	/* across the BAR end */
		break;
	case 10:
		*pos = fz.barsz + below(64);		/* at or past the end */
		break;
	default:
		*pos = fz.barsz + below((1ULL << 40) - fz.barsz);
		break;
	}
	switch (below(16)) {
	case 0:
		*len = 1 + below(RW_BUF);
		break;
	case 1: case 2: case 3:
		*len = 1 + below(3 * fz.pg);
		break;
	default:
		*len = 1 << below(4);
		if (chance(2))
			*len = 1 + below(64);
		break;
	}
}

/*
 * Check a BAR2 pread/pwrite of @len bytes at @pos that returned @ret,
 * from or into @buf (@buf + @ret on is @guard, for a read). Updates the
 * shadow for a write.
 */
static void check_bar2_rw(bool wr, u64 pos, u64 len, ssize_t ret,
			  const u8 *buf, const char *via)
{
	u64 want, mem;
	char what[96];

	snprintf(what, sizeof(what), "BAR2 %s%s of %llu bytes at 0x%llx",
		 wr ? "pwrite" : "pread", via, (unsigned long long)len,
		 (unsigned long long)pos);
	if (pos >= fz.barsz) {
		expect_ret(ret, -1, EINVAL, what);
		return;
	}
	if (!fz.decode && pos >= fz.memsz) {
		/*
		 * Only padding: as vfio-pci-core does for any BAR access,
		 * EIO. Counted apart, so that it does not hide other failures.
		 */
		checks++;
		if (ret == -1 && errno == EIO)
			return;
		if (n_pad_decode_off++ < 3)
			fail("%s (only BAR padding) with memory decode off: returned %zd (%s), expected EIO",
			     what, ret, ret < 0 ? strerror(errno) : "ok");
		else
			fails++;
		return;
	}
	if (!fz.decode) {
		/* As vfio-pci-core does for any BAR access */
		expect_ret(ret, -1, EIO, what);
		return;
	}
	want = len < fz.barsz - pos ? len : fz.barsz - pos;
	if (!expect_ret(ret, want, 0, what))
		return;
	if (want < len)
		n_short++;
	mem = pos < fz.memsz ? (want < fz.memsz - pos ? want : fz.memsz - pos) : 0;
	if (mem < want)
		n_pad++;
	if (wr) {
		shadow_store(pos, buf, mem);
		return;
	}
	shadow_check(pos, buf, mem, what);
	for (u64 i = mem; i < want; i++) {
		checks++;
		if (buf[i] != 0xff) {
			fail("%s: padding byte at 0x%llx reads 0x%02x, not 0xff",
			     what, (unsigned long long)(pos + i), buf[i]);
			break;
		}
	}
}

static void op_rw_bar2(void)
{
	static u8 buf[RW_BUF + 64];
	u64 pos, len;
	ssize_t ret;
	bool wr = chance(2);

	pick_bar2_range(&pos, &len);
	if (wr) {
		fill_random(buf, len < 256 ? len : 256);
		for (u64 i = 256; i < len; i += 256)
			memcpy(buf + i, buf, len - i < 256 ? len - i : 256);
		ret = pwrite(fz.dev, buf, len, fz.bar2 + pos);
		check_bar2_rw(true, pos, len, ret, buf, "");
		return;
	}
	memset(buf, CANARY, len + 64);
	ret = pread(fz.dev, buf, len, fz.bar2 + pos);
	check_bar2_rw(false, pos, len, ret, buf, "");
	/* Nothing past what was returned: no data from outside the region */
	for (u64 i = ret > 0 ? (u64)ret : 0; i < len + 64; i++) {
		if (buf[i] != CANARY) {
			fail("BAR2 pread of %llu bytes at 0x%llx returned %zd but wrote byte %llu",
			     (unsigned long long)len, (unsigned long long)pos,
			     ret, (unsigned long long)i);
			break;
		}
	}
	checks++;
}

/*
 * pread/pwrite of BAR2 with a buffer in a BAR2 mapping: the kernel faults
 * the buffer in while it copies (memory decode on only: with it off the
 * access fails before the copy, and a fault in the copy is EFAULT).
 */
static void op_rw_mapbuf(void)
{
	static u8 tmp[4096];
	struct mapping *m;
	u64 page, boff, len, pos, moff;
	bool wr = chance(2);
	ssize_t ret;
	int i;

	if (!fz.decode)
		return;
	i = pick_mapping(&page);
	if (i < 0)
		return;
	m = &fz.maps[i];
	len = 1 + below(fz.pg < sizeof(tmp) ? fz.pg : sizeof(tmp));
	boff = page + below(fz.pg - len + 1);
	moff = m->off + boff;		/* region offset of the buffer */
	if (overlaps_tracked(moff, len))
		return;
	/* A range of the memory that does not overlap the buffer's */
	do {
		pos = chance(2) ? fz.track[below(NTRACK)] + below(fz.pg) :
				  below(fz.memsz);
		if (pos + len > fz.memsz)
			pos = fz.memsz - len;
	} while (pos < moff + len && moff < pos + len);

	if (wr) {
		ret = pwrite(fz.dev, m->addr + boff, len, fz.bar2 + pos);
		if (!expect_ret(ret, len, 0, "BAR2 pwrite from a BAR2 mapping"))
			return;
		memcpy(tmp, m->addr + boff, len);
		shadow_store(pos, tmp, len);
	} else {
		ret = pread(fz.dev, m->addr + boff, len, fz.bar2 + pos);
		if (!expect_ret(ret, len, 0, "BAR2 pread into a BAR2 mapping"))
			return;
		memcpy(tmp, m->addr + boff, len);
		shadow_check(pos, tmp, len, "BAR2 pread into a BAR2 mapping");
	}
	/* Both sides agree */
	if (pread(fz.dev, tmp, len, fz.bar2 + pos) != (ssize_t)len) {
		fail("BAR2 pread of %llu bytes at 0x%llx: %s",
		     (unsigned long long)len, (unsigned long long)pos,
		     strerror(errno));
		return;
	}
	checks++;
	if (memcmp(tmp, m->addr + boff, len))
		fail("BAR2 %s a mapping: 0x%llx and the buffer at 0x%llx differ",
		     wr ? "pwrite from" : "pread into",
		     (unsigned long long)pos, (unsigned long long)moff);
}

/*
 * Other regions: BAR0, the missing BARs, ROM, config (elsewhere), VGA and
 * past the last region. Writes only to the edu liveness register of BAR0
 * and to regions that refuse them.
 */
static void op_rw_other(void)
{
	static const u32 idx[] = { 0, 1, 3, 4, 5, 6, 8, 9, 10 };
	u8 buf[4096 + 16];
	u32 index = idx[below(ARRAY_SIZE(idx))];
	u64 size = index < NREGIONS ? fz.reg[index].size : 0;
	u64 base = (u64)index << 40, pos, len, want;
	bool wr = chance(3);
	char what[80];
	ssize_t ret;

	pos = chance(4) ? below(1ULL << 40) : size ? below(size + 64) : below(64);
	len = chance(4) ? 1 + below(4096) : 1ULL << below(4);
	/*
	 * QEMU's edu takes only 4- and 8-byte accesses to BAR0 and fails the
	 * others, which an x86 guest reads as all-ones but an arm64 guest
	 * takes as a synchronous external abort: an oops in vfio-pci-core's
	 * read. So BAR0 accesses stay whole aligned 32-bit words.
	 */
	if (index == VFIO_PCI_BAR0_REGION_INDEX && fz.edu) {
		pos &= ~3ULL;
		len = (len + 3) & ~3ULL;
	}
	if (wr && index == VFIO_PCI_BAR0_REGION_INDEX) {
		u32 val = rnd(), got = 0;

		if (!fz.edu || size < 8)
			return;
		ret = pwrite(fz.dev, &val, 4, base + 4);
		snprintf(what, sizeof(what), "BAR0 pwrite at 4");
		if (!expect_ret(ret, fz.decode ? 4 : -1, EIO, what) ||
		    !fz.decode)
			return;
		ret = pread(fz.dev, &got, 4, base + 4);
		if (expect_ret(ret, 4, 0, "BAR0 pread at 4")) {
			checks++;
			if (got != ~val)
				fail("edu liveness register reads 0x%x after 0x%x",
				     got, val);
		}
		return;
	}
	snprintf(what, sizeof(what), "region %u %s of %llu bytes at 0x%llx",
		 index, wr ? "pwrite" : "pread", (unsigned long long)len,
		 (unsigned long long)pos);
	memset(buf, CANARY, sizeof(buf));
	if (wr)
		ret = pwrite(fz.dev, buf, len, base + pos);
	else
		ret = pread(fz.dev, buf, len, base + pos);
	if (!size || pos >= size || index >= NREGIONS ||
	    (wr && index == VFIO_PCI_ROM_REGION_INDEX)) {
		expect_ret(ret, -1, EINVAL, what);
		return;
	}
	if (index > VFIO_PCI_BAR5_REGION_INDEX) {
		checks++;	/* a ROM or VGA region the device has: any answer */
		return;
	}
	want = len < size - pos ? len : size - pos;
	if (!expect_ret(ret, fz.decode ? (long)want : -1, EIO, what))
		return;
	for (u64 i = ret > 0 ? (u64)ret : 0; i < sizeof(buf); i++) {
		if (buf[i] != CANARY) {
			fail("%s: byte %llu written past the %zd returned",
			     what, (unsigned long long)i, ret);
			break;
		}
	}
}

/* Check config space bytes read at @pos against the model */
static void check_cfg_read(u64 pos, const u8 *buf, size_t len)
{
	u64 le = htole64(fz.bar_model);
	const u8 *bar = (const u8 *)&le;

	for (size_t i = 0; i < len; i++) {
		u64 p = pos + i;

		checks++;
		if (p < 4 && buf[i] != fz.ids[p]) {
			fail("config byte 0x%llx reads 0x%02x, was 0x%02x",
			     (unsigned long long)p, buf[i], fz.ids[p]);
			return;
		}
		if (p >= PCI_BASE_ADDRESS_2 && p < PCI_BASE_ADDRESS_4 &&
		    buf[i] != bar[p - PCI_BASE_ADDRESS_2]) {
			fail("config byte 0x%llx (emulated BAR2) reads 0x%02x, expected 0x%02x (BAR2 0x%016llx)",
			     (unsigned long long)p, buf[i],
			     bar[p - PCI_BASE_ADDRESS_2],
			     (unsigned long long)fz.bar_model);
			return;
		}
		if (p == PCI_COMMAND &&
		    !!(buf[i] & PCI_COMMAND_MEMORY) != fz.decode) {
			fail("command register reads 0x%02x, memory decode was %s",
			     buf[i], fz.decode ? "on" : "off");
			return;
		}
	}
}

/* A config space offset and size, in range or not */
static void pick_cfg(u64 *pos, size_t *len, bool *in_range)
{
	static const size_t sizes[] = { 1, 2, 4, 8 };

	*len = sizes[below(4)];
	switch (below(10)) {
	case 0:
		*pos = PCI_COMMAND;
		break;
	case 1: case 2:
		*pos = PCI_BASE_ADDRESS_1 + below(16);	/* around BAR2 */
		break;
	case 3:
		*pos = fz.cfgsz - below(8);		/* across the end */
		break;
	case 4:
		*pos = fz.cfgsz + below(chance(2) ? 64 : (1ULL << 40) - fz.cfgsz);
		break;
	default:
		*pos = below(fz.cfgsz);
		break;
	}
	*in_range = *pos < fz.cfgsz && *len <= fz.cfgsz - *pos;
}

static void op_cfg_read(void)
{
	u8 buf[8];
	u64 pos;
	size_t len;
	bool in;
	ssize_t ret;
	char what[64];

	pick_cfg(&pos, &len, &in);
	snprintf(what, sizeof(what), "config pread of %zu bytes at 0x%llx",
		 len, (unsigned long long)pos);
	ret = cfg_read(pos, buf, len);
	if (!in) {
		expect_ret(ret, -1, EFAULT, what);
		return;
	}
	if (expect_ret(ret, len, 0, what))
		check_cfg_read(pos, buf, len);
}

static void op_cfg_write(void)
{
	u8 buf[8];
	u64 pos, le;
	size_t len;
	bool in;
	ssize_t ret;
	char what[64];

	pick_cfg(&pos, &len, &in);
	fill_random(buf, len);
	/* Mostly all-ones (BAR sizing) or an address in the BAR2 bytes */
	if (chance(3))
		memset(buf, 0xff, len);
	if (pos == PCI_COMMAND && len >= 2) {
		/* Memory decode off one time in two, the rest as it is */
		u16 cmd;

		if (cfg_read(PCI_COMMAND, &cmd, 2) != 2)
			die("command register: %s", strerror(errno));
		cmd = le16toh(cmd) & ~PCI_COMMAND_MEMORY;
		if (chance(2))
			cmd |= PCI_COMMAND_MEMORY;
		cmd = htole16(cmd);
		memcpy(buf, &cmd, 2);
	}
	snprintf(what, sizeof(what), "config pwrite of %zu bytes at 0x%llx",
		 len, (unsigned long long)pos);
	ret = pwrite(fz.dev, buf, len, fz.cfg + pos);
	if (!in) {
		expect_ret(ret, -1, EFAULT, what);
		return;
	}
	if (!expect_ret(ret, len, 0, what))
		return;
	/* The model of the emulated BAR2: sized like hardware */
	if (pos < PCI_BASE_ADDRESS_4 && pos + len > PCI_BASE_ADDRESS_2) {
		le = htole64(fz.bar_model);
		for (size_t i = 0; i < len; i++)
			if (pos + i >= PCI_BASE_ADDRESS_2 &&
			    pos + i < PCI_BASE_ADDRESS_4)
				((u8 *)&le)[pos + i - PCI_BASE_ADDRESS_2] = buf[i];
		fz.bar_model = (le64toh(le) & ~(fz.barsz - 1)) | BAR_FLAGS;
	}
	if (pos <= PCI_COMMAND && pos + len > PCI_COMMAND) {
		bool was = fz.decode;

		read_decode();
		if (was && !fz.decode)
			fz.decode_off_ops = 0;
	}
}

static void op_decode(void)
{
	set_decode(!fz.decode);
}

static void op_reset(void)
{
	int ret;

	/* A reset can take a second: a bounded number, the same every run */
	if (fz.can_reset && fz.slow >= MAX_SLOW) {
		n_reset_skip++;
		return;
	}
	fz.slow++;
	ret = ioctl(fz.dev, VFIO_DEVICE_RESET);
	if (!fz.can_reset) {
		/* The device cannot reset: the error it gives */
		checks++;
		if (!ret)
			fail("VFIO_DEVICE_RESET works without VFIO_DEVICE_FLAGS_RESET");
		n_reset_err++;
		return;
	}
	if (!expect_ret(ret, 0, 0, "VFIO_DEVICE_RESET"))
		return;
	n_reset_ok++;
	fz.bar_model = BAR_FLAGS;
}

static void op_reopen(void)
{
	/* A full close resets the device too, slow on a bus reset */
	if (fz.can_reset && fz.slow >= MAX_SLOW) {
		if (!fz.nmaps) {
			/* Keep the device open with a mapping */
			char *p = mmap(NULL, fz.pg, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fz.dev, fz.bar2);

			if (p == MAP_FAILED)
				die("mmap of BAR2: %s", strerror(errno));
			fz.maps[fz.nmaps++] = (struct mapping){ p, 0, fz.pg };
		}
	} else if (chance(2)) {
		while (fz.nmaps)
			unmap_at(fz.nmaps - 1);
	}
	if (close(fz.dev))
		fail("close of the device fd: %s", strerror(errno));
	fz.dev = -1;
	/* Mappings outlive the fd */
	for (int k = 0; k < 3 && fz.nmaps; k++) {
		struct mapping *m = &fz.maps[below(fz.nmaps)];

		touch_check(m, below(m->len), chance(2));
	}
	open_device();
	if (!fz.nmaps) {
		/* The device was closed: opened afresh, decode on */
		fz.slow++;
		n_reopen_full++;
		fz.bar_model = BAR_FLAGS;
		read_decode();
		checks++;
		if (!fz.decode) {
			fail("memory decode is off after a fresh open");
			set_decode(true);
		}
	}
}

static unsigned int pick_op(void)
{
	static unsigned int total;
	unsigned int w;

	if (!total)
		for (int i = 0; i < NR_OPS; i++)
			total += op_weight[i];
	w = below(total);
	for (int i = 0; i < NR_OPS; i++) {
		if (w < op_weight[i])
			return i;
		w -= op_weight[i];
	}
	return OP_TOUCH;
}

static void run_op(unsigned int op)
{
	switch (op) {
	case OP_REGION_INFO:
		op_region_info();
		break;
	case OP_IRQ_INFO:
		op_irq_info();
		break;
	case OP_FEATURE:
		op_feature();
		break;
	case OP_IOEVENTFD:
		op_ioeventfd();
		break;
	case OP_RESET:
		op_reset();
		break;
	case OP_MMAP:
		op_mmap();
		break;
	case OP_MUNMAP:
		op_munmap();
		break;
	case OP_TOUCH:
		op_touch();
		break;
	case OP_RW_BAR2:
		op_rw_bar2();
		break;
	case OP_RW_MAPBUF:
		op_rw_mapbuf();
		break;
	case OP_RW_OTHER:
		op_rw_other();
		break;
	case OP_CFG_READ:
		op_cfg_read();
		break;
	case OP_CFG_WRITE:
		op_cfg_write();
		break;
	case OP_DECODE:
		op_decode();
		break;
	case OP_REOPEN:
		op_reopen();
		break;
	}
}

/* At the end: every tracked page holds what the shadow says */
static void final_check(void)
{
	u8 *buf = malloc(fz.pg);

	if (!buf)
		die("out of memory");
	if (!fz.decode)
		set_decode(true);
	for (int t = 0; t < NTRACK; t++) {
		checks++;
		if (pread(fz.dev, buf, fz.pg, fz.bar2 + fz.track[t]) !=
		    (ssize_t)fz.pg) {
			fail("final pread of the tracked page at 0x%llx: %s",
			     (unsigned long long)fz.track[t], strerror(errno));
			continue;
		}
		if (memcmp(buf, fz.shadow[t], fz.pg))
			fail("final pread of the tracked page at 0x%llx differs from what was written",
			     (unsigned long long)fz.track[t]);
	}
	free(buf);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-n OPS] [-s SEED] [-t SECONDS] BDF\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {
		.sa_sigaction = on_sigbus,
		.sa_flags = SA_SIGINFO | SA_NODEFER,
	};
	unsigned long long seed = 0, nops = 100000;
	double limit = 240, elapsed;
	bool have_seed = false, stopped = false;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:t:")) != -1) {
		switch (opt) {
		case 'n':
			nops = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 't':
			limit = strtod(optarg, NULL);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc - 1)
		usage(argv[0]);
	fz.bdf = argv[optind];
	if (!have_seed)
		seed = (unsigned long long)time(NULL) ^ ((u64)getpid() << 32);
	printf("# seed %llu\n", seed);
	fflush(stdout);
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	fz.pg = sysconf(_SC_PAGESIZE);
	open_container();
	setup();
	printf("# %s: BAR2 0x%llx bytes, memory 0x%llx, config 0x%llx, reset %s, %llu ops, time bound %.0f s\n",
	       fz.bdf, (unsigned long long)fz.barsz,
	       (unsigned long long)fz.memsz, (unsigned long long)fz.cfgsz,
	       fz.can_reset ? "yes" : "no", nops, limit);

	fz.t0 = now();
	for (opno = 1; opno <= nops; opno++) {
		unsigned int op = pick_op();

		/* Memory decode does not stay off for long */
		if (!fz.decode && ++fz.decode_off_ops > DECODE_OFF_MAX)
			op = OP_DECODE;
		count[op]++;
		run_op(op);
		if (!(opno & 255) && now() - fz.t0 > limit) {
			stopped = true;
			break;
		}
	}
	if (stopped)
		opno++;
	opno--;
	final_check();
	while (fz.nmaps)
		unmap_at(fz.nmaps - 1);
	elapsed = now() - fz.t0;

	printf("# %s: %llu ops in %.1f s, %lu checks, %u failures\n", fz.bdf,
	       (unsigned long long)opno, elapsed, checks, fails);
	printf("# ops:");
	for (int i = 0; i < NR_OPS; i++)
		printf(" %s %lu", op_name[i], count[i]);
	printf("\n");
	printf("# mmap ok %lu einval %lu; reads/writes short at the BAR end %lu, with padding %lu; SIGBUS BUS_ADRERR with decode off %lu; resets ok %lu failed %lu skipped %lu; full reopens %lu\n",
	       n_mmap_ok, n_mmap_einval, n_short, n_pad, n_adrerr,
	       n_reset_ok, n_reset_err, n_reset_skip, n_reopen_full);
	if (n_pad_decode_off)
		printf("# FAIL: %lu accesses of the BAR2 padding worked with memory decode off\n",
		       n_pad_decode_off);
	if (stopped)
		printf("# time bound of %.0f s reached after %llu of %llu ops: the checks above are theirs\n",
		       limit, (unsigned long long)opno, nops);
	if (stopped && opno < nops / 4) {
		printf("# FAIL: fewer than a quarter of the %llu ops ran: too few for a run\n",
		       nops);
		fails++;
	}
	return fails ? 1 : 0;
}
