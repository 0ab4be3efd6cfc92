/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An AF_XDP socket in copy mode, xdpsock-style, for tests/guest/xdp: built
 * in the guest (gcc of the rig's root) against the kernel's UAPI headers
 * only, no libbpf or libxdp.  It loads a three-instruction XDP program that
 * redirects every frame of an RX queue to the socket bound there
 * (bpf_redirect_map on an XSKMAP, XDP_PASS when none is), attaches it in
 * generic (SKB) mode -- the fbnic driver has no XDP_REDIRECT of its own
 * (xdp_features BASIC | RX_SG), so this is the only AF_XDP it can carry --
 * binds with XDP_COPY to queue 0, and then:
 *   rxdrop  counts the frames received, each checked against what
 *           tests/guest/xdp.sh's sender sends (106 bytes, UDP to port 9,
 *           payload bytes 0..63), and gives the buffers back
 *   l2fwd   sends each frame back out of the socket (TX ring, copy mode)
 *           with its MAC addresses swapped
 * until COUNT good frames or SECS seconds.  Prints "ready" once bound,
 * then "good G bad B sent S" at the end; exit status 0 if G == COUNT.
 * With PROGRESS, the number of frames taken off the RX ring so far is kept
 * there (a little-endian 64-bit count at offset 0, updated every turn), so
 * that the sender can keep its frames in flight below the fill ring's size:
 * UDP has no flow control, and a consumer that the guest's scheduler holds
 * back for a moment would otherwise lose frames to an empty fill ring
 * (the kernel's rx_fill_ring_empty_descs), by chance.
 * Usage: xsk rxdrop|l2fwd IFNAME COUNT SECS [PROGRESS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define NFRAMES 8192u
#define FSIZE 2048u
#define RING 2048u

struct ring {
	uint32_t *prod, *cons;
	void *desc;
};

static void die(const char *what)
{
	fprintf(stderr, "xsk: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static void map_ring(int fd, struct ring *r, const struct xdp_ring_offset *o,
		     size_t entry, off_t pgoff)
{
	size_t len = o->desc + RING * entry;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (m == MAP_FAILED)
		die("mmap ring");
	r->prod = (uint32_t *)(m + o->producer);
	r->cons = (uint32_t *)(m + o->consumer);
	r->desc = m + o->desc;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The sender's frame: Ethernet, IPv4 (20), UDP to port 9, 64 bytes 0..63. */
static int good_frame(const uint8_t *f, uint32_t len)
{
	if (len != 14 + 20 + 8 + 64 || f[12] != 0x08 || f[13] != 0x00 ||
	    f[14] != 0x45 || f[23] != 17 || f[36] != 0 || f[37] != 9)
		return 0;
	for (unsigned i = 0; i < 64; i++)
		if (f[42 + i] != i)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 5 && argc != 6) {
		fprintf(stderr,
			"usage: xsk rxdrop|l2fwd IFNAME COUNT SECS [PROGRESS]\n");
		return 2;
	}
	int fwd = !strcmp(argv[1], "l2fwd");
	unsigned ifindex = if_nametoindex(argv[2]);
	unsigned long want = strtoul(argv[3], NULL, 10);
	double secs = atof(argv[4]);
	if (!ifindex)
		die("if_nametoindex");
	static uint64_t no_progress;
	uint64_t *progress = &no_progress;
	if (argc == 6) {
		int pf = open(argv[5], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (pf < 0 || ftruncate(pf, sizeof(*progress)))
			die("progress file");
		progress = mmap(NULL, sizeof(*progress), PROT_READ | PROT_WRITE,
				MAP_SHARED, pf, 0);
		if (progress == MAP_FAILED)
			die("mmap progress file");
		close(pf);
	}

	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_XSKMAP;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 64;
	int map = (int)sys_bpf(BPF_MAP_CREATE, &a);
	if (map < 0)
		die("map create");
	/* r2 = ctx->rx_queue_index; r1 = map; r3 = XDP_PASS;
	 * return bpf_redirect_map(r1, r2, r3) */
	struct bpf_insn prog[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 2, .src_reg = 1,
		  .off = offsetof(struct xdp_md, rx_queue_index) },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 3, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[4096];
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uintptr_t)prog;
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	int pfd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (pfd < 0) {
		fprintf(stderr, "%s\n", log);
		die("prog load");
	}

	int fd = socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_XDP)");
	uint8_t *umem = mmap(NULL, NFRAMES * FSIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (umem == MAP_FAILED)
		die("mmap umem");
	struct xdp_umem_reg mr = { .addr = (uintptr_t)umem,
				   .len = NFRAMES * FSIZE,
				   .chunk_size = FSIZE };
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)))
		die("XDP_UMEM_REG");
	unsigned n = RING;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)))
		die("ring sizes");
	struct xdp_mmap_offsets off;
	socklen_t ol = sizeof(off);
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &ol))
		die("XDP_MMAP_OFFSETS");
	struct ring fill, comp, rx, tx;
	map_ring(fd, &fill, &off.fr, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING);
	map_ring(fd, &comp, &off.cr, sizeof(uint64_t),
		 XDP_UMEM_PGOFF_COMPLETION_RING);
	map_ring(fd, &rx, &off.rx, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING);
	map_ring(fd, &tx, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING);

	/* the first RING frames to the fill ring; the rest wait in spare,
	 * so that l2fwd refills the fill ring at once for a frame it
	 * forwards rather than when its TX completes (an empty fill ring
	 * drops frames in the kernel) */
	uint64_t *fq = fill.desc;
	for (uint32_t i = 0; i < RING; i++)
		fq[i] = (uint64_t)i * FSIZE;
	__atomic_store_n(fill.prod, RING, __ATOMIC_RELEASE);
	static uint64_t spare[NFRAMES];
	unsigned nspare = 0;
	for (uint32_t i = RING; i < NFRAMES; i++)
		spare[nspare++] = (uint64_t)i * FSIZE;

	struct sockaddr_xdp sx = { .sxdp_family = AF_XDP,
				   .sxdp_ifindex = ifindex,
				   .sxdp_queue_id = 0,
				   .sxdp_flags = XDP_COPY };
	if (bind(fd, (struct sockaddr *)&sx, sizeof(sx)))
		die("bind (XDP_COPY, queue 0)");
	int key = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&fd;
	if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a))
		die("map update");
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)pfd;
	a.link_create.target_ifindex = ifindex;
	a.link_create.attach_type = BPF_XDP;
	a.link_create.flags = XDP_FLAGS_SKB_MODE;
	if (sys_bpf(BPF_LINK_CREATE, &a) < 0)
		die("attach (generic XDP)");
	printf("ready\n");
	fflush(stdout);

	unsigned long good = 0, bad = 0, sent = 0;
	struct xdp_desc *rd = rx.desc, *td = tx.desc;
	uint64_t *cq = comp.desc;
	double end = now() + secs;
	while (good < want && now() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		poll(&p, 1, 100);
		/* completions: the buffers back to spare */
		uint32_t cc = *comp.cons, cp = __atomic_load_n(comp.prod,
							      __ATOMIC_ACQUIRE);
		for (; cc != cp; cc++)
			spare[nspare++] = cq[cc % RING];
		__atomic_store_n(comp.cons, cc, __ATOMIC_RELEASE);
		uint32_t fp;

		uint32_t rc = *rx.cons, rp = __atomic_load_n(rx.prod,
							    __ATOMIC_ACQUIRE);
		uint32_t tp = *tx.prod;
		fp = *fill.prod;
		for (; rc != rp; rc++) {
			struct xdp_desc d = rd[rc % RING];
			uint8_t *f = umem + d.addr;
			if (good_frame(f, d.len))
				good++;
			else
				bad++;
			if (fwd && d.len >= 12 && nspare &&
			    tp - *tx.cons < RING) {
				uint8_t mac[6];
				memcpy(mac, f, 6);
				memcpy(f, f + 6, 6);
				memcpy(f + 6, mac, 6);
				td[tp % RING] = d;
				tp++;
				sent++;
				fq[fp % RING] = spare[--nspare];
				fp++;
			} else {
				fq[fp % RING] = d.addr - d.addr % FSIZE;
				fp++;
			}
		}
		__atomic_store_n(rx.cons, rc, __ATOMIC_RELEASE);
		__atomic_store_n(fill.prod, fp, __ATOMIC_RELEASE);
		__atomic_store_n(tx.prod, tp, __ATOMIC_RELEASE);
		/* the fill ring is whole again: the sender may go on */
		__atomic_store_n(progress, (uint64_t)(good + bad),
				 __ATOMIC_RELEASE);
		/* copy mode sends at most 32 frames a kick: kick until the
		 * TX ring is empty */
		for (int k = 0; k < 10000 &&
				__atomic_load_n(tx.cons, __ATOMIC_ACQUIRE) != tp;
		     k++) {
			if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
			    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
				die("sendto (TX kick)");
		}
	}
	/* the last frames out before the program goes */
	for (int i = 0; fwd && i < 50; i++) {
		if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
			break;
		if (__atomic_load_n(comp.prod, __ATOMIC_ACQUIRE) == sent)
			break;
		usleep(10000);
	}
	struct xdp_statistics st = { 0 };
	socklen_t sl = sizeof(st);
	getsockopt(fd, SOL_XDP, XDP_STATISTICS, &st, &sl);
	printf("good %lu bad %lu sent %lu completed %u\n", good, bad, sent,
	       __atomic_load_n(comp.prod, __ATOMIC_ACQUIRE));
	printf("kernel: rx_dropped %llu rx_invalid %llu tx_invalid %llu "
	       "rx_ring_full %llu rx_fill_ring_empty %llu\n",
	       (unsigned long long)st.rx_dropped,
	       (unsigned long long)st.rx_invalid_descs,
	       (unsigned long long)st.tx_invalid_descs,
	       (unsigned long long)st.rx_ring_full,
	       (unsigned long long)st.rx_fill_ring_empty_descs);
	return good == want ? 0 : 1;
}
