/* SPDX-License-Identifier: Apache-2.0 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "net/net.h"
#include "net/pump.h"
#include "util/clock.h"
#include "util/log.h"
#include "vfio-user/vu_dma.h"
#include "vfio-user/vu_server.h"

#define SUB "runner"

struct runner {
	struct fbnic *dev;
	struct vu_server *srv;
	pthread_mutex_t lock; /* the device lock: one caller in the core */
	pthread_t thread;     /* device thread: work and timers */
	bool thread_started;
	int wake_fd;
	bool kicked;          /* under lock */
	uint64_t deadline;    /* under lock; UINT64_MAX: none */
	bool stopping;
	/* The network backend (NULL: none) and its thread, which offers
	 * received frames to the device under the device lock. */
	struct net *net;
	struct net_pump *pump;
	/* The device thread is in ppoll (under lock): only then does a kick
	 * or a new deadline need the eventfd. */
	bool sleeping;
	uint64_t wakeups; /* eventfd writes (under lock) */
	/* How long each kind of thread waited for the device lock, and held
	 * it (under lock): whether the data path waits behind register
	 * messages and the firmware, measured (README, Architecture). */
	struct lock_stats {
		uint64_t taken, contended, wait_ns, max_wait_ns, hold_ns;
	} lock_stats[3];
	uint64_t locked_at; /* under lock: when its holder took it */
	/* BAR0's hot pages mapped by the client (runner_map_bar0): their
	 * shared image, and the adaptive poll of the device thread. */
	int bar0_fd;
	void *bar0_mem;
	size_t bar0_size;
	uint64_t active_ns;  /* under lock: last doorbell or frame seen */
	uint64_t net_poll_ns; /* under lock: the net thread's last poll */
	uint64_t net_gap_ns;  /* under lock: the mean gap between them */
	uint64_t poll_ns;    /* the device thread's current poll interval */
	uint64_t polls, poll_hits, polls_covered; /* under lock */
};

/* Adaptive polling of the mapped doorbells (dev/shadow.h): every
 * POLL_MIN_NS while stores keep coming, doubling up to POLL_MAX_NS while
 * they do not, POLL_IDLE_NS once nothing came for IDLE_AFTER_NS, and
 * POLL_DEEP_NS after DEEP_AFTER_NS (a wake-up costs the host a context
 * switch, tens of microseconds on a busy machine: measured, a 1 ms poll
 * took 2.7 % of a core).  The first doorbell after an idle spell waits at
 * most the interval; a received frame polls itself (pump_deliver) and
 * wakes an idle device thread back to polling within POLL_MAX_NS, so
 * the guest's answer waits no longer than that.  While frames come in
 * closer than POLL_MIN_NS apart (a running mean of the gaps), the net
 * thread's polls are the device thread's: it sleeps until they stop
 * (NET_COVERS_NS after the last), and a doorbell they take kicks it
 * awake.  A wake-up spared is a context switch, about 8 µs of CPU in
 * the VM this was measured on: 10 µs polls beside the net thread's
 * per-frame ones took more than half of fbnic-emu's CPU time under
 * iperf3 -R.  POLL_MIN_NS is 20 µs: measured with bench/iperf-compare
 * (three runs each), guest->host went 1.74-1.76 Gbit/s at 10 µs,
 * 1.93-1.98 at 20, 0.95 at 40 (the driver's completions wait on re-arms
 * the device sees later: TCP's small queues feel that), host->guest
 * the same within the noise. */
#define POLL_MIN_NS 20000ull
#define POLL_MAX_NS 200000ull
#define NET_COVERS_NS (POLL_MIN_NS * 4)
#define POLL_IDLE_NS 1000000ull
#define POLL_DEEP_NS 20000000ull
#define IDLE_AFTER_NS 100000000ull
#define DEEP_AFTER_NS 1000000000ull

/* Who takes the device lock: the device thread (TX, timers, the
 * firmware), the net thread (RX), or another (the vfio-user protocol
 * thread's register accesses, the control channel). */
enum lock_role { ROLE_OTHER, ROLE_DEVICE, ROLE_NET };
static const char *const role_names[] = { "other", "device", "net" };
static __thread enum lock_role lock_role;

/* Set on the device thread and the net thread: they may drop the device
 * lock to wait for a DMA_READ/WRITE reply (the protocol thread may not,
 * vu_server.h; vu_dma_message serves concurrent requesters). */
static __thread bool may_wait_dma;

/* Under lock: wake the device thread if it sleeps (else it looks at
 * kicked and deadline before it sleeps again). */
static void wake(struct runner *r)
{
	if (!r->sleeping)
		return;
	r->sleeping = false;
	r->wakeups++;
	uint64_t one = 1;
	ssize_t n = write(r->wake_fd, &one, sizeof(one));
	(void)n;
}

/* The device lock is an error-checking mutex: taking it twice or
 * releasing it unheld is a bug in this file, and stops the process
 * instead of letting two threads into the core. */
static void dev_lock(struct runner *r)
{
	int err = pthread_mutex_trylock(&r->lock);
	uint64_t t0 = 0;
	if (err == EBUSY) {
		t0 = util_mono_ns();
		err = pthread_mutex_lock(&r->lock);
	}
	if (err) {
		log_err(SUB, "device lock: %s", strerror(err));
		abort();
	}
	struct lock_stats *ls = &r->lock_stats[lock_role];
	ls->taken++;
	r->locked_at = util_mono_ns();
	if (t0) {
		uint64_t w = r->locked_at - t0;
		ls->contended++;
		ls->wait_ns += w;
		if (w > ls->max_wait_ns)
			ls->max_wait_ns = w;
	}
}

static void dev_unlock(struct runner *r)
{
	r->lock_stats[lock_role].hold_ns += util_mono_ns() - r->locked_at;
	int err = pthread_mutex_unlock(&r->lock);
	if (err) {
		log_err(SUB, "device unlock: %s", strerror(err));
		abort();
	}
}

/* ---- host services for the core -------------------------------------- */

static int host_dma(struct runner *r, uint64_t gpa, void *buf, size_t len,
		    bool is_write)
{
	int ret = vu_dma_access(r->srv, gpa, buf, len, is_write);
	if (ret != VU_DMA_NEEDS_MESSAGE)
		return ret;
	/* Memory without an fd: only reachable by messages, which need the
	 * protocol thread free and QEMU's main loop, so never while a vCPU
	 * might wait on our lock (hw/vfio-user/proxy.c).  The core
	 * treats a DMA call as a point where MMIO may run, as on hardware. */
	if (!may_wait_dma)
		return -EWOULDBLOCK;
	dev_unlock(r);
	ret = vu_dma_message(r->srv, gpa, buf, len, is_write);
	dev_lock(r);
	return ret;
}

static int host_dma_read(void *o, uint64_t gpa, void *buf, size_t len)
{
	return host_dma(o, gpa, buf, len, false);
}

static int host_dma_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
	return host_dma(o, gpa, (void *)buf, len, true);
}

static void host_msix_raise(void *o, unsigned vector)
{
	struct runner *r = o;
	vu_irq_raise(r->srv, VU_IRQ_MSIX, vector);
}

static void host_kick(void *o)
{
	struct runner *r = o;
	r->kicked = true; /* the caller holds the device lock */
	wake(r);
}

static uint64_t host_now_ns(void *o)
{
	(void)o;
	return util_mono_ns();
}

static void host_timer_arm(void *o, uint64_t deadline_ns)
{
	struct runner *r = o;
	r->deadline = deadline_ns;
	wake(r);
}

/* The device lock is held: never block.  A stream queues what its socket
 * cannot take now; with its queue full (or a tap's kernel queue), -EAGAIN:
 * the device keeps the frame until pump_tx_room (net.h). */
static int host_port_send(void *o, const void *frame, size_t len, uint64_t at)
{
	struct runner *r = o;
	return net_send_at(r->net, frame, len, at);
}

/* A TCP packet for the backend's receiver to segment (a tap: net.h
 * net_send_gso); offered to the core only when the backend can. */
static int host_port_send_gso(void *o, const void *frame, size_t len,
			      const struct fbnic_gso *g)
{
	struct runner *r = o;
	struct net_gso ng = { .v6 = g->v6,
			      .mss = g->mss,
			      .hdr_len = g->hdr_len,
			      .csum_start = g->csum_start,
			      .csum_offset = g->csum_offset };
	return net_send_gso(r->net, frame, len, &ng);
}

/* From the device thread, with the device lock held: the pump only gets
 * a flag and a wake-up. */
static void host_port_resume(void *o)
{
	struct runner *r = o;
	net_pump_resume(r->pump);
}

/* ---- the net thread's way into the device ----------------------------- */

/* On the net thread.  Receiving DMAs the frame into guest buffers: with
 * memory reached by messages the thread waits for the replies with the
 * lock dropped, as the device thread does (the core re-validates after
 * any DMA).  The flag is the thread's own: set on its first frame. */
static int pump_deliver(void *o, const void *frame, size_t len, uint64_t at)
{
	struct runner *r = o;
	may_wait_dma = true;
	lock_role = ROLE_NET;
	dev_lock(r);
	if (r->bar0_mem) {
		/* the driver's refills and re-arms before the frame: under
		 * traffic the guest's stores are seen at the frames' pace */
		fbnic_poll(r->dev);
		r->active_ns = r->locked_at; /* (now, read by dev_lock) */
		uint64_t gap = r->locked_at - r->net_poll_ns;
		r->net_gap_ns = (3 * r->net_gap_ns +
				 (gap < POLL_MAX_NS ? gap : POLL_MAX_NS)) / 4;
		r->net_poll_ns = r->locked_at;
		if (r->poll_ns > POLL_MAX_NS)
			wake(r); /* to poll again soon, for the answer */
	}
	int ret = fbnic_port_rx_at(r->dev, frame, len, at);
	dev_unlock(r);
	return ret;
}

static void pump_link(void *o, bool up)
{
	struct runner *r = o;
	lock_role = ROLE_NET;
	dev_lock(r);
	fbnic_port_link(r->dev, up);
	dev_unlock(r);
}

/* On the net thread, the backend's lock released (net/pump.h): room to
 * send again after a refusal. */
static void pump_tx_room(void *o)
{
	struct runner *r = o;
	lock_role = ROLE_NET;
	dev_lock(r);
	fbnic_port_tx_room(r->dev);
	dev_unlock(r);
}

/* ---- vfio-user device ops -------------------------------------------- */

int runner_region_read(struct fbnic *dev, unsigned region, uint64_t off,
		       void *buf, uint32_t count)
{
	if (region == VU_PCI_CONFIG)
		return fbnic_cfg_read(dev, (uint32_t)off, buf, count);
	uint64_t v = 0;
	int ret = fbnic_bar_read(dev, (int)region, off, count, &v);
	if (!ret)
		memcpy(buf, &v, count); /* little-endian host */
	return ret;
}

int runner_region_write(struct fbnic *dev, unsigned region, uint64_t off,
			const void *buf, uint32_t count)
{
	if (region == VU_PCI_CONFIG)
		return fbnic_cfg_write(dev, (uint32_t)off, buf, count);
	uint64_t v = 0;
	if (count <= 8)
		memcpy(&v, buf, count);
	/* longer: refused by the core's size check */
	return fbnic_bar_write(dev, (int)region, off, count, v);
}

static int op_region_read(void *o, unsigned region, uint64_t off, void *buf,
			  uint32_t count)
{
	struct runner *r = o;
	dev_lock(r);
	int ret = runner_region_read(r->dev, region, off, buf, count);
	dev_unlock(r);
	return ret;
}

static int op_region_write(void *o, unsigned region, uint64_t off,
			   const void *buf, uint32_t count)
{
	struct runner *r = o;
	dev_lock(r);
	int ret = runner_region_write(r->dev, region, off, buf, count);
	dev_unlock(r);
	return ret;
}

static void op_reset(void *o)
{
	struct runner *r = o;
	dev_lock(r);
	fbnic_reset(r->dev);
	dev_unlock(r);
}

static const struct vu_device_ops runner_ops = {
	.region_read = op_region_read,
	.region_write = op_region_write,
	.reset = op_reset,
	.disconnected = op_reset, /* the next client finds a fresh device */
};

/* ---- device thread --------------------------------------------------- */

static void *device_thread(void *arg)
{
	struct runner *r = arg;
	may_wait_dma = true;
	lock_role = ROLE_DEVICE;
	/* Interrupt moderation arms timers of tens of microseconds: wake
	 * for them within a microsecond, not the default 50 µs slack. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	dev_lock(r);
	r->poll_ns = POLL_MIN_NS;
	while (!r->stopping) {
		struct timespec ts, *timeout = NULL;
		bool due = false;
		uint64_t now = util_mono_ns();
		uint64_t left = UINT64_MAX;
		if (r->bar0_mem) {
			bool covered = now - r->net_poll_ns < NET_COVERS_NS &&
				       r->net_gap_ns < POLL_MIN_NS;
			if (covered) {
				r->polls_covered++;
			} else {
				r->polls++;
				if (fbnic_poll(r->dev)) {
					r->poll_hits++;
					r->active_ns = now;
				}
			}
			if (now - r->active_ns < POLL_MIN_NS * 4)
				r->poll_ns = POLL_MIN_NS;
			else if (now - r->active_ns >= DEEP_AFTER_NS)
				r->poll_ns = POLL_DEEP_NS;
			else if (now - r->active_ns >= IDLE_AFTER_NS)
				r->poll_ns = POLL_IDLE_NS;
			else /* backing off, to POLL_MAX_NS at most (from an
			      * idle interval too, once a frame came) */
				r->poll_ns = r->poll_ns * 2 < POLL_MAX_NS
						     ? r->poll_ns * 2
						     : POLL_MAX_NS;
			left = covered ? r->net_poll_ns + NET_COVERS_NS - now
				       : r->poll_ns;
		}
		if (r->deadline != UINT64_MAX) {
			uint64_t d = r->deadline <= now ? 0 : r->deadline - now;
			due = d == 0;
			if (d < left)
				left = d;
		}
		if (left != UINT64_MAX) {
			ts.tv_sec = (time_t)(left / 1000000000u);
			ts.tv_nsec = (long)(left % 1000000000u);
			timeout = &ts;
		}
		if (!r->kicked && !due) {
			r->sleeping = true;
			dev_unlock(r);
			struct pollfd p = { .fd = r->wake_fd, .events = POLLIN };
			if (ppoll(&p, 1, timeout, NULL) > 0) {
				uint64_t v;
				ssize_t n = read(r->wake_fd, &v, sizeof(v));
				(void)n;
			}
			dev_lock(r);
			r->sleeping = false;
			continue;
		}
		if (r->kicked) {
			r->kicked = false;
			fbnic_work(r->dev);
		}
		if (r->deadline != UINT64_MAX && r->deadline <= util_mono_ns()) {
			r->deadline = UINT64_MAX;
			fbnic_timer(r->dev);
		}
	}
	dev_unlock(r);
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------- */

void runner_device_desc(const struct fbnic *dev, struct vu_device_desc *desc)
{
	const struct fbnic_pci_layout *l = fbnic_layout(dev);
	*desc = (struct vu_device_desc){ .msix_region = l->msix_bar,
					 .msix_pba_offset = l->msix_pba_offset };
	for (int bar = 0; bar < FBNIC_NUM_BARS; bar++) {
		desc->region_size[bar] = l->bar_size[bar];
		if (l->bar_size[bar])
			desc->region_flags[bar] = VU_REGION_READ | VU_REGION_WRITE;
	}
	desc->region_size[VU_PCI_CONFIG] = l->config_size;
	desc->region_flags[VU_PCI_CONFIG] = VU_REGION_READ | VU_REGION_WRITE;
	/* MSI-X only (no INTx pin, no MSI cap).  Never NORESIZE: QEMU would
	 * re-send every vector each time one more comes into use. */
	desc->irq_count[VU_IRQ_MSIX] = l->msix_vectors;
	desc->irq_flags[VU_IRQ_MSIX] = VU_IRQ_INFO_EVENTFD;
	desc->irq_count[VU_IRQ_ERR] = 1;
	desc->irq_flags[VU_IRQ_ERR] = VU_IRQ_INFO_EVENTFD;
	desc->irq_count[VU_IRQ_REQ] = 1;
	desc->irq_flags[VU_IRQ_REQ] = VU_IRQ_INFO_EVENTFD;
}

struct runner *runner_create(const struct sock_spec *sock,
			     const struct fbnic_config *cfg, struct net *net)
{
	struct runner *r = calloc(1, sizeof(*r));
	if (!r) {
		net_close(net);
		return NULL;
	}
	r->net = net;
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&r->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	r->deadline = UINT64_MAX;
	r->bar0_fd = -1;
	r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct fbnic_host host = {
		.opaque = r,
		.dma_read = host_dma_read,
		.dma_write = host_dma_write,
		.msix_raise = host_msix_raise,
		.kick = host_kick,
		.now_ns = host_now_ns,
		.timer_arm = host_timer_arm,
		/* Without a backend the device counts its frames as
		 * tx_drop_backend. */
		.port_send = net ? host_port_send : NULL,
		.port_send_gso = net && net_can_gso(net) ? host_port_send_gso
							 : NULL,
		.port_resume = net ? host_port_resume : NULL,
	};
	if (net) {
		struct net_pump_ops pops = { .opaque = r,
					     .deliver = pump_deliver,
					     .link = pump_link,
					     .tx_room = pump_tx_room };
		r->pump = net_pump_create(net, &pops);
	}
	r->dev = fbnic_create(cfg, &host);
	if (!r->dev || r->wake_fd < 0 || (net && !r->pump)) {
		runner_destroy(r);
		return NULL;
	}
	struct vu_device_desc desc;
	runner_device_desc(r->dev, &desc);
	r->srv = vu_server_create(sock, &desc, &runner_ops, r);
	if (!r->srv) {
		runner_destroy(r);
		return NULL;
	}
	return r;
}

int runner_run(struct runner *r)
{
	if (pthread_create(&r->thread, NULL, device_thread, r)) {
		log_err(SUB, "cannot start the device thread");
		return -1;
	}
	r->thread_started = true;
	int ret = r->pump ? net_pump_start(r->pump) : 0;
	if (!ret)
		ret = vu_server_run(r->srv);
	if (r->pump)
		net_pump_stop(r->pump);
	dev_lock(r);
	r->stopping = true;
	wake(r);
	dev_unlock(r);
	pthread_join(r->thread, NULL);
	r->thread_started = false;
	return ret;
}

int runner_map_bar0(struct runner *r)
{
	const struct fbnic_pci_layout *l = fbnic_layout(r->dev);
	size_t size = l->bar_size[0];
	/* The memfd holds BAR0's image and nothing else: QEMU may map any
	 * of it.  Sealed at its size, so no one can make the other's
	 * mapping fault. */
	int fd = memfd_create("fbnic-bar0", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		log_err(SUB, "BAR0 memfd: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		log_err(SUB, "BAR0 mmap: %s", strerror(errno));
		close(fd);
		return -1;
	}
	struct vu_sparse_mmap_area areas[2];
	for (unsigned i = 0; i < 2; i++)
		areas[i] = (struct vu_sparse_mmap_area){ l->bar0_mmap[i].off,
							 l->bar0_mmap[i].len };
	dev_lock(r);
	int ret = fbnic_bar0_share(r->dev, mem);
	dev_unlock(r);
	if (!ret)
		ret = vu_server_set_mmap(r->srv, VU_PCI_BAR0, fd, areas, 2);
	if (ret) {
		/* (a device that shared and a server that refused: the
		 * device keeps the image, never mapped by a client) */
		log_err(SUB, "BAR0 mapping refused");
		r->bar0_mem = mem, r->bar0_size = size, r->bar0_fd = fd;
		return -1;
	}
	r->bar0_mem = mem;
	r->bar0_size = size;
	r->bar0_fd = fd;
	return 0;
}

void runner_set_dma_timeout(struct runner *r, unsigned ms)
{
	vu_server_set_dma_timeout(r->srv, ms);
}

void runner_stop(struct runner *r)
{
	vu_server_stop(r->srv);
}

void runner_destroy(struct runner *r)
{
	if (!r)
		return;
	vu_server_destroy(r->srv);
	fbnic_destroy(r->dev);
	if (r->bar0_mem)
		munmap(r->bar0_mem, r->bar0_size);
	if (r->bar0_fd >= 0)
		close(r->bar0_fd);
	net_pump_destroy(r->pump);
	net_close(r->net);
	if (r->wake_fd >= 0)
		close(r->wake_fd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

void runner_call(struct runner *r, void (*fn)(struct fbnic *dev, void *arg),
		 void *arg)
{
	dev_lock(r);
	fn(r->dev, arg);
	dev_unlock(r);
}

void runner_dump(struct runner *r, FILE *out)
{
	struct vu_stats st;
	vu_server_get_stats(r->srv, &st);
#define S(f) fprintf(out, "vfio-user." #f " %llu\n", (unsigned long long)st.f)
	fprintf(out, "vfio-user.connected %d\n", vu_server_connected(r->srv));
	S(connections);
	S(messages);
	S(region_reads);
	S(region_writes);
	S(bad_framing);
	S(bad_request);
	S(unsupported);
	S(bad_fds);
	S(dma_map_errors);
	S(region_errors);
	S(irq_errors);
	S(dma_faults);
	S(dma_messages);
	S(dma_message_errors);
	S(dma_message_timeouts);
	S(unexpected_replies);
	S(irqs_raised);
	S(irqs_pending);
#undef S
	if (r->net) {
		net_dump(r->net, out);
		net_pump_dump(r->pump, out);
	}
	/* fbnic-emu's own CPU time, every thread (bench/iperf-compare's CPU
	 * per packet) */
	struct rusage ru;
	if (!getrusage(RUSAGE_SELF, &ru))
		fprintf(out, "process.cpu_us %llu\n",
			(unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
					1000000ull +
				(unsigned long long)(ru.ru_utime.tv_usec +
						     ru.ru_stime.tv_usec));
	/* (the caller holds the device lock) */
	const struct lock_stats *ls = r->lock_stats;
	fprintf(out, "runner.wakeups %llu\n", (unsigned long long)r->wakeups);
	fprintf(out, "runner.bar0_mmap %d\nrunner.polls %llu\nrunner.poll_hits %llu\n"
		     "runner.polls_covered %llu\n",
		r->bar0_mem != NULL, (unsigned long long)r->polls,
		(unsigned long long)r->poll_hits,
		(unsigned long long)r->polls_covered);
	for (unsigned i = 0; i < 3; i++)
		fprintf(out,
			"runner.lock.%s.taken %llu\nrunner.lock.%s.contended %llu\n"
			"runner.lock.%s.wait_us %llu\nrunner.lock.%s.max_wait_us %llu\n"
			"runner.lock.%s.hold_us %llu\n",
			role_names[i], (unsigned long long)ls[i].taken,
			role_names[i], (unsigned long long)ls[i].contended,
			role_names[i], (unsigned long long)(ls[i].wait_ns / 1000),
			role_names[i],
			(unsigned long long)(ls[i].max_wait_ns / 1000),
			role_names[i], (unsigned long long)(ls[i].hold_ns / 1000));
}
