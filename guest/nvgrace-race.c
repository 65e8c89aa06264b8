// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvgrace-race: memory failure on the GPU memory of nvgrace-gpu-vfio-pci
 * racing with everything else a VMM does with the device.
 *
 * The main thread poisons pages of a window of the GPU memory, one at a
 * time, by writing their physical address to
 * /sys/devices/system/memory/hard_offline_page, while other threads of the
 * same process use the same device:
 *
 *  - two mapper threads mmap and munmap random ranges of the window and
 *    read and write bytes of them;
 *  - a read/write thread runs pread/pwrite of random ranges of the window;
 *  - a reopen thread gets a device fd of its own, maps and touches pages
 *    through it, and closes the fd before or after the munmap;
 *  - a reset thread runs VFIO_DEVICE_RESET, if the device can reset.
 *
 * The process asks for early kill (PR_MCE_KILL_EARLY). Checked:
 *
 *  - every SIGBUS is BUS_MCEERR_AO at a page-aligned address that a BAR2
 *    mapping of the process maps (or mapped a moment ago) to a poisoned
 *    page, or one being poisoned right now; or BUS_MCEERR_AR at the very
 *    address a thread touched, in such a page; or BUS_ADRERR at the touched
 *    address while a reset runs (memory is disabled during a reset);
 *  - a page poisoned before an access starts always fails it: SIGBUS for a
 *    touch, EIO for pread/pwrite; an access of clean pages always works
 *    (at most 64 touches of pages known to be poisoned: each one logs a
 *    line in the kernel log, which must still hold the rest of the boot);
 *  - all data read, through mappings or pread, is what was written (the
 *    window holds a fixed pattern, which every write repeats);
 *  - afterwards every poisoned page fails pread and pwrite with EIO and
 *    faults with BUS_MCEERR_AR when touched, its clean neighbours read and
 *    write correctly through pread/pwrite and mmap, and the process is alive.
 *
 * Poison stays until the driver is unbound: the window is chosen among
 * pages that are not poisoned yet (pread of a poisoned page fails with
 * EIO), from 36 MiB into the memory on, so the test can run again in the
 * same boot and after the other poison tests. Run as root on a test
 * machine only, after binding the device:
 *
 *	nvgrace-race [-t SECONDS] [-p PAGES] [-w OFFSET] [-s SEED] BDF MEM_BASE
 *
 * e.g. nvgrace-race 0000:01:00.0 0x78000000. SECONDS (default 20) bounds
 * the run, PAGES (default 32) the pages poisoned, OFFSET (default 36 MiB)
 * is where the search for a window starts, SEED (printed first, "# seed N";
 * default: the time) the random choices of every thread; the interleaving
 * of the threads is not reproducible. Exit status 0 only if every check
 * held; a failed one prints "# FAIL ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <linux/vfio.h>

#include "vfio-group.h"

typedef uint64_t u64;
typedef uint8_t u8;

#define HARD_OFFLINE	"/sys/devices/system/memory/hard_offline_page"
#define SZ_1M		0x100000ULL
#define WINDOW		(2 * SZ_1M)	/* the window of the memory used */
#define MAXM		4		/* live mappings per thread */
#define NHIST		4096		/* unmapped mappings remembered */
#define MAX_FAILS	20
#define NBAD		64
/*
 * Touches of pages known to be poisoned: each one logs a line in the
 * kernel log ("MCE: Killing ..."), which must keep the rest of the boot
 */
#define AR_BUDGET	64

/* State of a page of the window */
enum { CLEAN, POISONING, POISONED, OLD_POISON };

enum { T_MAP0, T_MAP1, T_RW, T_REOPEN, T_RESET, NTHREADS, T_MAIN = NTHREADS };
static const char * const thread_name[NTHREADS + 1] = {
	"mapper0", "mapper1", "rw", "reopen", "reset", "main",
};

struct mapping {
	uintptr_t addr;		/* 0: free slot */
	u64 off;		/* region offset of addr */
	size_t len;
};

/*
 * Each mapping slot has a fixed address range, reserved with PROT_NONE:
 * a mapping is published there before mmap(MAP_FIXED) makes it, and
 * remembered before it is replaced by PROT_NONE again, so that the SIGBUS
 * handler always knows it, whenever memory_failure() saw it.
 */
#define SLOT_PAGES	16

static const char *bdf;
static int container, group, dev;
static size_t pg;
static u64 bar2, barsz, memsz, mem_base, woff, wpages;
static bool can_reset;
static u8 *state;		/* per page of the window */
static volatile int stop;
static volatile unsigned long reset_seq;	/* odd while a reset runs */

static struct mapping live[NTHREADS + 1][MAXM];
static uintptr_t area[NTHREADS + 1][MAXM];
static struct mapping hist[NHIST];
static unsigned long nhist;

static unsigned long ops[NTHREADS + 1], n_ao, n_ar, n_adrerr, n_eio;
static unsigned long n_inject, n_reset, n_reset_busy, n_reopen;
static unsigned long n_known, n_known_skip;
static unsigned long fails;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

/* Bad signals, recorded by the handler, printed at the end */
static struct {
	int code;
	void *addr;
	short lsb;
	int thread;
	void *touched;
} bad[NBAD];
static unsigned long nbad;

/* Per thread: the access in progress, for the SIGBUS handler */
static __thread sigjmp_buf sb_env;
static __thread volatile int sb_armed;
static __thread volatile int sb_code;
static __thread void * volatile sb_touched;
static __thread volatile unsigned long sb_reset_seq;
static __thread int self_id = T_MAIN;
static __thread u64 rng;

/* Each thread's random numbers come from the seed too */
static unsigned long long seed;

static u64 thread_seed(void)
{
	return (seed + self_id + 1) * 0x9e3779b97f4a7c15ULL + 1;
}

static u64 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static u64 below(u64 n)
{
	return n ? rnd() % n : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fail_lock);
	if (++fails <= MAX_FAILS) {
		printf("# FAIL %s: ", thread_name[self_id]);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		fflush(stdout);
	}
	pthread_mutex_unlock(&fail_lock);
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

/* The fixed content of the window: a byte of each region offset */
static u8 pattern(u64 off)
{
	return (off >> 12) * 131 + (off & 0xfff) * 7 + 0x5a;
}

static int page_state(u64 off)
{
	if (off < woff || off >= woff + wpages * pg)
		return -1;
	return __atomic_load_n(&state[(off - woff) / pg], __ATOMIC_ACQUIRE);
}

/* Is region offset @off in a page that is poisoned or being poisoned? */
static bool bad_page(u64 off)
{
	int s = page_state(off);

	return s == POISONING || s == POISONED || s == OLD_POISON;
}

/* Was it poisoned for sure (the injection done) before now? */
static bool poisoned(u64 off)
{
	int s = page_state(off);

	return s == POISONED || s == OLD_POISON;
}

/* Does @m map address @a to a poisoned (or being poisoned) page? */
static bool maps_bad(const struct mapping *m, uintptr_t a)
{
	uintptr_t base = __atomic_load_n(&m->addr, __ATOMIC_ACQUIRE);

	return base && a >= base && a - base < m->len &&
	       bad_page(m->off + (a - base));
}

/* Does any mapping of the process, live or recently gone, map it so? */
static bool any_maps_bad(uintptr_t a)
{
	unsigned long n = __atomic_load_n(&nhist, __ATOMIC_ACQUIRE);

	for (int t = 0; t <= NTHREADS; t++)
		for (int i = 0; i < MAXM; i++)
			if (maps_bad(&live[t][i], a))
				return true;
	for (unsigned long i = 0; i < NHIST && i < n; i++)
		if (maps_bad(&hist[i], a))
			return true;
	return false;
}

static void record_bad(int code, void *addr, short lsb)
{
	unsigned long i = __atomic_fetch_add(&nbad, 1, __ATOMIC_RELAXED);

	if (i < NBAD) {
		bad[i].code = code;
		bad[i].addr = addr;
		bad[i].lsb = lsb;
		bad[i].thread = self_id;
		bad[i].touched = sb_touched;
	}
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	bool ok;

	(void)sig;
	(void)uc;
	switch (si->si_code) {
	case BUS_MCEERR_AO:
		/* Early kill: any thread, any mapping of the page */
		ok = !(a & (pg - 1)) && (1UL << si->si_addr_lsb) == pg &&
		     any_maps_bad(a);
		__atomic_fetch_add(&n_ao, 1, __ATOMIC_RELAXED);
		if (!ok)
			record_bad(si->si_code, si->si_addr, si->si_addr_lsb);
		return;
	case BUS_MCEERR_AR:
		ok = sb_armed && si->si_addr == sb_touched &&
		     (1UL << si->si_addr_lsb) == pg && any_maps_bad(a);
		__atomic_fetch_add(&n_ar, 1, __ATOMIC_RELAXED);
		break;
	case BUS_ADRERR:
		ok = sb_armed && si->si_addr == sb_touched &&
		     ((reset_seq & 1) || reset_seq != sb_reset_seq);
		__atomic_fetch_add(&n_adrerr, 1, __ATOMIC_RELAXED);
		break;
	default:
		ok = false;
		break;
	}
	if (!ok)
		record_bad(si->si_code, si->si_addr, si->si_addr_lsb);
	if (sb_armed) {
		sb_armed = 0;
		sb_code = si->si_code;
		siglongjmp(sb_env, 1);
	}
	/* A fault outside a touch would come back at once */
	_exit(3);
}

/* Read or write (the pattern) the byte at @p; 0 or the SIGBUS si_code */
static int touch_byte(volatile u8 *p, bool wr, u8 val, u8 *got)
{
	sb_touched = (void *)p;
	sb_reset_seq = reset_seq;
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

/* Touch byte @i of @m and check the outcome */
static void touch_check(const struct mapping *m, u64 i)
{
	volatile u8 *p = (volatile u8 *)m->addr + i;
	u64 off = m->off + i;
	bool wr = below(2), was = poisoned(off);
	u8 got = 0;
	int code;

	if (was && __atomic_add_fetch(&n_known, 1, __ATOMIC_RELAXED) > AR_BUDGET) {
		__atomic_fetch_add(&n_known_skip, 1, __ATOMIC_RELAXED);
		return;
	}
	code = touch_byte(p, wr, pattern(off), &got);
	if (code)
		return;		/* the handler checked it */
	if (was)
		fail("%s of poisoned page at region offset 0x%llx (%p) did not fault",
		     wr ? "write" : "read", (unsigned long long)off,
		     (void *)p);
	else if (!wr && got != pattern(off))
		fail("read at region offset 0x%llx through a mapping: 0x%02x, not 0x%02x",
		     (unsigned long long)off, got, pattern(off));
}

static int hard_offline(u64 phys)
{
	char buf[32];
	int fd, len, ret = 0;

	fd = open(HARD_OFFLINE, O_WRONLY);
	if (fd < 0)
		return errno;
	len = snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)phys);
	if (write(fd, buf, len) != len)
		ret = errno;
	close(fd);
	return ret;
}

/*
 * Map @pages pages of the window from page @first through @fd in slot @i
 * of this thread, published first. NULL if mmap fails.
 */
static struct mapping *map_slot(int i, int fd, u64 first, u64 pages)
{
	struct mapping *m = &live[self_id][i];
	void *want = (void *)area[self_id][i], *p;

	m->off = woff + first * pg;
	m->len = pages * pg;
	__atomic_store_n(&m->addr, (uintptr_t)want, __ATOMIC_RELEASE);
	p = mmap(want, pages * pg, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, bar2 + m->off);
	if (p == want)
		return m;
	fail("mmap of %llu pages at region offset 0x%llx: %s",
	     (unsigned long long)pages, (unsigned long long)m->off,
	     p == MAP_FAILED ? strerror(errno) : "moved");
	__atomic_store_n(&m->addr, 0, __ATOMIC_RELEASE);
	return NULL;
}

/* Remember the mapping in slot @i, then replace it with PROT_NONE */
static void retire(int i)
{
	struct mapping *m = &live[self_id][i];
	unsigned long h = __atomic_fetch_add(&nhist, 1, __ATOMIC_ACQ_REL);
	struct mapping *old = &hist[h % NHIST];
	void *p;

	/* A slot of the history being overwritten is not valid meanwhile */
	__atomic_store_n(&old->addr, 0, __ATOMIC_RELEASE);
	old->off = m->off;
	old->len = m->len;
	__atomic_store_n(&old->addr, m->addr, __ATOMIC_RELEASE);
	p = mmap((void *)m->addr, SLOT_PAGES * pg, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	if (p != (void *)m->addr)
		fail("unmapping slot %d: %s", i, strerror(errno));
	__atomic_store_n(&m->addr, 0, __ATOMIC_RELEASE);
}

static void reserve_slots(void)
{
	for (int t = 0; t <= NTHREADS; t++) {
		for (int i = 0; i < MAXM; i++) {
			void *p = mmap(NULL, SLOT_PAGES * pg, PROT_NONE,
				       MAP_PRIVATE | MAP_ANONYMOUS |
				       MAP_NORESERVE, -1, 0);

			if (p == MAP_FAILED)
				die("mmap: %s", strerror(errno));
			area[t][i] = (uintptr_t)p;
		}
	}
}

static void *mapper(void *arg)
{
	self_id = (long)arg;
	rng = thread_seed();
	while (!stop) {
		int i = below(MAXM);
		u64 first, pages;

		if (live[self_id][i].addr)
			retire(i);
		pages = 1 + below(SLOT_PAGES);
		first = below(wpages - pages + 1);
		if (!map_slot(i, dev, first, pages))
			continue;
		for (int k = 0; k < 16; k++) {
			const struct mapping *m = &live[self_id][below(MAXM)];

			if (m->addr)
				touch_check(m, below(m->len));
		}
		ops[self_id]++;
	}
	for (int i = 0; i < MAXM; i++)
		if (live[self_id][i].addr)
			retire(i);
	return NULL;
}

static void *rw_thread(void *arg)
{
	static u8 buf[3 * 4096 + 64];
	u64 off, len, first, last;
	bool wr, was = false, now_bad = false;
	ssize_t ret;

	self_id = (long)arg;
	rng = thread_seed();
	while (!stop) {
		len = below(4) ? 1 + below(64) : 1 + below(3 * pg);
		if (len > sizeof(buf) - 64)
			len = sizeof(buf) - 64;
		off = woff + below(wpages * pg - len + 1);
		wr = below(2);
		first = off & ~(u64)(pg - 1);
		last = (off + len - 1) & ~(u64)(pg - 1);
		was = false;
		for (u64 o = first; o <= last; o += pg)
			was |= poisoned(o);
		if (wr) {
			for (u64 i = 0; i < len; i++)
				buf[i] = pattern(off + i);
			ret = pwrite(dev, buf, len, bar2 + off);
		} else {
			memset(buf, 0, len);
			ret = pread(dev, buf, len, bar2 + off);
		}
		now_bad = false;
		for (u64 o = first; o <= last; o += pg)
			now_bad |= bad_page(o);
		ops[self_id]++;
		if (ret == (ssize_t)len) {
			if (was)
				fail("%s of %llu bytes at 0x%llx worked on a poisoned page",
				     wr ? "pwrite" : "pread",
				     (unsigned long long)len,
				     (unsigned long long)off);
			if (wr)
				continue;
			for (u64 i = 0; i < len; i++) {
				if (buf[i] != pattern(off + i)) {
					fail("pread at 0x%llx: byte 0x%llx is 0x%02x, not 0x%02x",
					     (unsigned long long)off,
					     (unsigned long long)(off + i),
					     buf[i], pattern(off + i));
					break;
				}
			}
		} else if (ret == -1 && errno == EIO) {
			n_eio++;
			if (!now_bad)
				fail("%s of %llu bytes at 0x%llx: EIO without a poisoned page",
				     wr ? "pwrite" : "pread",
				     (unsigned long long)len,
				     (unsigned long long)off);
		} else {
			fail("%s of %llu bytes at 0x%llx returned %zd (%s)",
			     wr ? "pwrite" : "pread", (unsigned long long)len,
			     (unsigned long long)off, ret,
			     ret < 0 ? strerror(errno) : "short");
		}
	}
	return NULL;
}

static void *reopen_thread(void *arg)
{
	self_id = (long)arg;
	rng = thread_seed();
	while (!stop) {
		int fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
		bool close_first = below(2);
		const struct mapping *m;
		u64 first, pages;

		if (fd < 0) {
			fail("VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno));
			break;
		}
		n_reopen++;
		pages = 1 + below(8);
		first = below(wpages - pages + 1);
		m = map_slot(0, fd, first, pages);
		if (!m) {
			close(fd);
			continue;
		}
		for (int k = 0; k < 4; k++)
			touch_check(m, below(m->len));
		/* The mapping outlives the fd */
		if (close_first) {
			close(fd);
			for (int k = 0; k < 4; k++)
				touch_check(m, below(m->len));
		}
		retire(0);
		if (!close_first)
			close(fd);
		ops[self_id]++;
	}
	return NULL;
}

static void *reset_thread(void *arg)
{
	self_id = (long)arg;
	rng = thread_seed();
	while (!stop) {
		int ret;

		sleep_ms(100 + below(400));
		if (stop)
			break;
		__atomic_fetch_add(&reset_seq, 1, __ATOMIC_SEQ_CST);
		ret = ioctl(dev, VFIO_DEVICE_RESET);
		__atomic_fetch_add(&reset_seq, 1, __ATOMIC_SEQ_CST);
		ops[self_id]++;
		if (!ret)
			n_reset++;
		else if (errno == EAGAIN)
			n_reset_busy++;	/* the device lock was taken */
		else
			fail("VFIO_DEVICE_RESET: %s", strerror(errno));
	}
	return NULL;
}

static void open_device(void)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_BAR2_REGION_INDEX,
	};
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	const char *step;
	u8 buf[64];

	group = vfio_group_open(bdf, &container, &step);
	if (group < 0)
		die("%s: %s", step, strerror(errno));
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev < 0)
		die("VFIO_GROUP_GET_DEVICE_FD %s: %s", bdf, strerror(errno));
	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &dinfo) ||
	    ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &info))
		die("device info: %s", strerror(errno));
	can_reset = dinfo.flags & VFIO_DEVICE_FLAGS_RESET;
	bar2 = info.offset;
	barsz = info.size;
	/* The memory size is the sparse mmap area; argsz says how much room */
	if (info.argsz > sizeof(buf) || !(info.flags & VFIO_REGION_INFO_FLAG_CAPS))
		die("BAR2 has no capabilities: is %s bound to nvgrace-gpu-vfio-pci?",
		    bdf);
	memset(buf, 0, sizeof(buf));
	((struct vfio_region_info *)buf)->argsz = info.argsz;
	((struct vfio_region_info *)buf)->index = VFIO_PCI_BAR2_REGION_INDEX;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, buf))
		die("BAR2 region info: %s", strerror(errno));
	{
		struct vfio_region_info *ri = (void *)buf;
		struct vfio_region_info_cap_sparse_mmap *sp;

		if (!ri->cap_offset || ri->cap_offset + sizeof(*sp) +
		    sizeof(sp->areas[0]) > sizeof(buf))
			die("BAR2 has no sparse mmap capability");
		sp = (void *)(buf + ri->cap_offset);
		if (sp->header.id != VFIO_REGION_INFO_CAP_SPARSE_MMAP ||
		    sp->nr_areas != 1)
			die("BAR2 has no sparse mmap area");
		memsz = sp->areas[0].size;
	}
}

/* A window of the memory with enough pages that are not poisoned yet */
static void pick_window(u64 start, u64 npages)
{
	u8 c;

	if (memsz < WINDOW)
		die("memory of 0x%llx bytes: too small", (unsigned long long)memsz);
	wpages = WINDOW / pg;
	state = calloc(wpages, 1);
	if (!state)
		die("out of memory");
	if (start + WINDOW > memsz)
		start = (memsz / 2) & ~(WINDOW - 1);
	for (woff = start; woff + WINDOW <= memsz; woff += WINDOW) {
		u64 clean = 0;

		for (u64 i = 0; i < wpages; i++) {
			if (pread(dev, &c, 1, bar2 + woff + i * pg) == 1) {
				state[i] = CLEAN;
				clean++;
			} else if (errno == EIO) {
				state[i] = OLD_POISON;
			} else {
				die("pread at 0x%llx: %s",
				    (unsigned long long)(woff + i * pg),
				    strerror(errno));
			}
		}
		/* Room for the victims and clean neighbours around them */
		if (clean >= 4 * npages)
			return;
	}
	die("no window of 0x%llx bytes with %llu clean pages from 0x%llx on",
	    (unsigned long long)WINDOW, (unsigned long long)(4 * npages),
	    (unsigned long long)start);
}

/* A clean page to poison: often one that a thread maps right now */
static long pick_victim(void)
{
	for (int tries = 0; tries < 8; tries++) {
		const struct mapping *m = &live[below(NTHREADS)][below(MAXM)];
		uintptr_t a = __atomic_load_n(&m->addr, __ATOMIC_ACQUIRE);
		u64 off;

		if (!a)
			continue;
		off = m->off + below(m->len / pg) * pg;
		if (page_state(off) == CLEAN)
			return (off - woff) / pg;
	}
	for (int tries = 0; tries < 1000; tries++) {
		u64 i = below(wpages);

		if (state[i] == CLEAN)
			return i;
	}
	return -1;
}

/* After the run: the poisoned pages and their neighbours */
static void final_checks(void)
{
	u8 buf[64], c;
	unsigned long neighbours = 0;

	for (u64 i = 0; i < wpages; i++) {
		u64 off = woff + i * pg;

		if (state[i] != POISONED)
			continue;
		errno = 0;
		if (pread(dev, buf, 8, bar2 + off) != -1 || errno != EIO)
			fail("pread of poisoned page 0x%llx: %s, not EIO",
			     (unsigned long long)off, errno ? strerror(errno) : "works");
		errno = 0;
		if (pwrite(dev, buf, 8, bar2 + off + pg - 8) != -1 || errno != EIO)
			fail("pwrite of poisoned page 0x%llx: %s, not EIO",
			     (unsigned long long)off, errno ? strerror(errno) : "works");
		for (int d = -1; d <= 1; d += 2) {
			u64 n = i + d;
			u64 noff = woff + n * pg;
			const struct mapping *m;
			u8 *p;

			if (n >= wpages || state[n] != CLEAN)
				continue;
			neighbours++;
			for (u64 k = 0; k < sizeof(buf); k++)
				buf[k] = pattern(noff + pg - sizeof(buf) + k);
			if (pwrite(dev, buf, sizeof(buf), bar2 + noff + pg - sizeof(buf)) !=
			    (ssize_t)sizeof(buf))
				fail("pwrite of clean page 0x%llx next to poison: %s",
				     (unsigned long long)noff, strerror(errno));
			memset(buf, 0, sizeof(buf));
			if (pread(dev, buf, sizeof(buf), bar2 + noff) != (ssize_t)sizeof(buf))
				fail("pread of clean page 0x%llx next to poison: %s",
				     (unsigned long long)noff, strerror(errno));
			else
				for (u64 k = 0; k < sizeof(buf); k++)
					if (buf[k] != pattern(noff + k)) {
						fail("clean page 0x%llx next to poison: byte %llu is 0x%02x",
						     (unsigned long long)noff,
						     (unsigned long long)k, buf[k]);
						break;
					}
			/* And through a mapping of both pages */
			m = map_slot(0, dev, d < 0 ? n : i, 2);
			if (!m)
				continue;
			p = (u8 *)m->addr;
			if (touch_byte(p + (d < 0 ? 0 : pg) + 5, false, 0, &c) ||
			    c != pattern(noff + 5))
				fail("clean page 0x%llx next to poison: mapping faults or reads 0x%02x",
				     (unsigned long long)noff, c);
			if (touch_byte(p + (d < 0 ? pg : 0) + 7, false, 0, &c) !=
			    BUS_MCEERR_AR)
				fail("poisoned page 0x%llx: touching a new mapping gets no BUS_MCEERR_AR",
				     (unsigned long long)off);
			retire(0);
		}
	}
	printf("# %lu clean neighbours of poisoned pages checked\n", neighbours);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-t SECONDS] [-p PAGES] [-w OFFSET] [-s SEED] BDF MEM_BASE\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static void *(*const fn[NTHREADS])(void *) = {
		mapper, mapper, rw_thread, reopen_thread, reset_thread,
	};
	struct sigaction sa = {
		.sa_sigaction = on_sigbus,
		.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART,
	};
	unsigned long long npages = 32;
	u64 start = 36 * SZ_1M;
	double secs = 20, t0, next, gap;
	pthread_t tid[NTHREADS];
	bool have_seed = false, started[NTHREADS] = { false };
	int opt, err;

	while ((opt = getopt(argc, argv, "t:p:w:s:")) != -1) {
		switch (opt) {
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'p':
			npages = strtoull(optarg, NULL, 0);
			break;
		case 'w':
			start = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc - 2 || !npages)
		usage(argv[0]);
	bdf = argv[optind];
	mem_base = strtoull(argv[optind + 1], NULL, 0);
	if (!have_seed)
		seed = (unsigned long long)time(NULL) ^ ((u64)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seed %llu\n", seed);
	rng = thread_seed();

	pg = sysconf(_SC_PAGESIZE);
	if (access(HARD_OFFLINE, W_OK))
		die("%s: %s", HARD_OFFLINE, strerror(errno));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	/* Before the threads start: they inherit it */
	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		die("PR_MCE_KILL: %s", strerror(errno));
	self_id = T_MAIN;
	open_device();
	reserve_slots();
	start &= ~(u64)(pg - 1);
	pick_window(start, npages);
	for (u64 i = 0; i < wpages; i++) {
		u8 page[4096];
		u64 off = woff + i * pg;

		if (state[i] != CLEAN || pg > sizeof(page))
			continue;
		for (u64 k = 0; k < pg; k++)
			page[k] = pattern(off + k);
		if (pwrite(dev, page, pg, bar2 + off) != (ssize_t)pg)
			die("pwrite at 0x%llx: %s", (unsigned long long)off,
			    strerror(errno));
	}
	printf("# %s: memory 0x%llx at 0x%llx, window 0x%llx-0x%llx, %llu pages to poison in %.0f s, reset %s\n",
	       bdf, (unsigned long long)memsz, (unsigned long long)mem_base,
	       (unsigned long long)woff,
	       (unsigned long long)(woff + wpages * pg - 1), npages, secs,
	       can_reset ? "yes" : "no");

	for (long t = 0; t < NTHREADS; t++) {
		if (t == T_RESET && !can_reset)
			continue;
		err = pthread_create(&tid[t], NULL, fn[t], (void *)t);
		if (err)
			die("pthread_create: %s", strerror(err));
		started[t] = true;
	}

	t0 = now();
	gap = secs / (npages + 1);
	next = t0 + gap;
	while (now() - t0 < secs) {
		long v;

		if (n_inject >= npages || now() < next) {
			sleep_ms(10);
			continue;
		}
		next += gap;
		v = pick_victim();
		if (v < 0)
			break;
		__atomic_store_n(&state[v], POISONING, __ATOMIC_SEQ_CST);
		err = hard_offline(mem_base + woff + v * pg);
		if (err) {
			fail("hard_offline_page 0x%llx: %s",
			     (unsigned long long)(mem_base + woff + v * pg),
			     strerror(err));
			continue;	/* stays POISONING: anything goes there */
		}
		__atomic_store_n(&state[v], POISONED, __ATOMIC_SEQ_CST);
		n_inject++;
	}
	stop = 1;
	for (int t = 0; t < NTHREADS; t++)
		if (started[t])
			pthread_join(tid[t], NULL);

	final_checks();
	for (unsigned long i = 0; i < nbad && i < NBAD; i++)
		fail("unexpected SIGBUS si_code %d at %p (lsb %d) in %s, touching %p",
		     bad[i].code, bad[i].addr, bad[i].lsb,
		     thread_name[bad[i].thread],
		     bad[i].touched);
	if (nbad > NBAD)
		fail("%lu more unexpected SIGBUS", nbad - NBAD);
	if (n_inject < npages)
		fail("only %lu of %llu pages poisoned", n_inject, npages);

	printf("# %s: %lu pages poisoned in %.1f s; SIGBUS: BUS_MCEERR_AO %lu, BUS_MCEERR_AR %lu, BUS_ADRERR %lu; EIO %lu\n",
	       bdf, n_inject, now() - t0, n_ao, n_ar, n_adrerr, n_eio);
	printf("# ops: mapper0 %lu, mapper1 %lu, rw %lu, reopen %lu, reset %lu (ok %lu, busy %lu); touches of poisoned pages skipped %lu; %lu failures\n",
	       ops[T_MAP0], ops[T_MAP1], ops[T_RW], ops[T_REOPEN],
	       ops[T_RESET], n_reset, n_reset_busy, n_known_skip, fails);
	return fails ? 1 : 0;
}
