/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fbnic device core: creation, the PCI function's layout, BAR access
 * decoding and reset.  Register semantics live in the block files.
 */
#include "fbnic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csr_names.h"
#include "dev.h"
#include "util/log.h"

#define SUB "fbnic"

/* MSI-X table and PBA live in their own BAR, away from every CSR the
 * driver touches (the driver never accesses them: the PCI core does). */
#define FBNIC_MSIX_BAR 2

uint64_t fbnic_dsn_from_mac(const uint8_t mac[6])
{
	/* fbnic_netdev_register: MAC = DSN[63:40] : DSN[23:0]. */
	return (uint64_t)mac[0] << 56 | (uint64_t)mac[1] << 48 |
	       (uint64_t)mac[2] << 40 | (uint64_t)0xfffe << 24 |
	       (uint64_t)mac[3] << 16 | (uint64_t)mac[4] << 8 | mac[5];
}

void fbnic_mac_from_dsn(uint64_t dsn, uint8_t mac[6])
{
	mac[0] = (uint8_t)(dsn >> 56);
	mac[1] = (uint8_t)(dsn >> 48);
	mac[2] = (uint8_t)(dsn >> 40);
	mac[3] = (uint8_t)(dsn >> 16);
	mac[4] = (uint8_t)(dsn >> 8);
	mac[5] = (uint8_t)dsn;
}

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static void build_layout(struct fbnic_pci_layout *l, unsigned vectors)
{
	memset(l, 0, sizeof(*l));
	l->bar_size[0] = FBNIC_BAR0_SIZE;
	l->bar_is_64[0] = true;
	l->bar_size[4] = FBNIC_BAR4_SIZE;
	l->bar_is_64[4] = true;
	l->msix_vectors = vectors;
	l->msix_bar = FBNIC_MSIX_BAR;
	l->msix_table_offset = 0;
	/* PBA on its own page after the table (16 bytes per entry). */
	l->msix_pba_offset = (vectors * 16u + 4095u) & ~4095ull;
	uint64_t pba_len = (vectors + 63u) / 64u * 8u;
	l->bar_size[FBNIC_MSIX_BAR] = pow2_at_least(l->msix_pba_offset + pba_len);
	l->bar_is_64[FBNIC_MSIX_BAR] = true;
	l->config_size = PCIE_CFG_SIZE;
	l->bar0_mmap[0].off = FBNIC_BAR0_PAGE_INTR_CQ;
	l->bar0_mmap[0].len = FBNIC_BAR0_PAGE_INTR_CQ_LEN;
	l->bar0_mmap[1].off = FBNIC_BAR0_PAGE_QUEUE;
	l->bar0_mmap[1].len = FBNIC_BAR0_PAGE_QUEUE_LEN;
}

static int fw_attach(struct fbnic *dev);

struct fbnic *fbnic_create(const struct fbnic_config *cfg,
			   const struct fbnic_host *host)
{
	if (cfg->msix_vectors < FBNIC_MSIX_VECTORS_MIN ||
	    cfg->msix_vectors > FBNIC_MSIX_VECTORS_MAX) {
		log_err(SUB, "%u MSI-X vectors: must be %u..%u", cfg->msix_vectors,
			FBNIC_MSIX_VECTORS_MIN, FBNIC_MSIX_VECTORS_MAX);
		return NULL;
	}
	struct fbnic *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->cfg = *cfg;
	dev->host = *host;
	dev->csr = calloc(FBNIC_BAR0_DWORDS, sizeof(uint32_t));
	dev->fw_csr = calloc(FBNIC_BAR4_DWORDS, sizeof(uint32_t));
	if (!dev->csr || !dev->fw_csr) {
		fbnic_destroy(dev);
		return NULL;
	}
	if (fbnic_mbx_init(dev) || fbnic_pcs_init(dev) || fw_attach(dev)) {
		fbnic_destroy(dev);
		return NULL;
	}
	dev->trace.on = cfg->trace_on;
	build_layout(&dev->layout, cfg->msix_vectors);
	pcie_cfg_init(&dev->pci, &dev->layout, cfg->dsn);
	fbnic_reset(dev);
	return dev;
}

void fbnic_destroy(struct fbnic *dev)
{
	if (!dev)
		return;
	fw_destroy(dev->fw);
	fbnic_mbx_fini(dev);
	fbnic_shadow_fini(dev);
	free(dev->csr);
	free(dev->fw_csr);
	free(dev);
}

const struct fbnic_pci_layout *fbnic_layout(const struct fbnic *dev)
{
	return &dev->layout;
}

/* Zero the chunks of a register store written since the last reset (the
 * setters in dev.h mark them): a reset costs what was written, not the
 * store's 2 MiB. */
static void dirty_clear(uint32_t *store, uint64_t *map, size_t words)
{
	for (size_t w = 0; w < words; w++) {
		while (map[w]) {
			unsigned bit = (unsigned)__builtin_ctzll(map[w]);
			size_t chunk = w * 64 + bit;
			memset(store + chunk * FBNIC_DIRTY_CHUNK, 0,
			       FBNIC_DIRTY_CHUNK * sizeof(uint32_t));
			map[w] &= map[w] - 1;
		}
	}
}

/* A completion delay's hold is over (dev/fault.h): its queues go on,
 * TX kicked, the port's held frame offered again. */
static void fault_hold_over(struct fbnic *dev, struct fbnic_timer *t)
{
	(void)t;
	fbnic_fault_holds_expire(dev);
	fbnic_queue_tx_kick_busy(dev);
	fbnic_port_room(dev);
}

void fbnic_fault_clear(struct fbnic *dev, int k)
{
	if (fbnic_fault_disarm(dev, k))
		fbnic_queue_tx_kick_busy(dev); /* the stalled queues go on */
}

void fbnic_reset(struct fbnic *dev)
{
	fbnic_trace(dev, FBNIC_TR_RESET, 0, 0, 0);
	fbnic_timers_reset(dev);
	fbnic_fault_reset(dev, fault_hold_over);
	pcie_cfg_reset(&dev->pci);
	dirty_clear(dev->csr, dev->csr_dirty, COUNTER_COUNT(dev->csr_dirty));
	dirty_clear(dev->fw_csr, dev->fw_csr_dirty,
		    COUNTER_COUNT(dev->fw_csr_dirty));
	/* Block by block in index order: the PCS (0x10000) comes before the
	 * SIG block (0x11800), whose latches follow the link. */
	for (unsigned i = 0; i < fbnic_bar0_nblocks; i++)
		if (fbnic_bar0_blocks[i]->reset)
			fbnic_bar0_blocks[i]->reset(dev);
	for (unsigned i = 0; i < fbnic_bar4_nblocks; i++)
		if (fbnic_bar4_blocks[i]->reset)
			fbnic_bar4_blocks[i]->reset(dev);
	if (dev->fw)
		fw_reset(dev->fw);
	fbnic_shadow_reset(dev);
}

int fbnic_cfg_read(struct fbnic *dev, uint32_t off, void *buf, uint32_t len)
{
	fbnic_shadow_sync(dev);
	return pcie_cfg_read(&dev->pci, off, buf, len);
}

int fbnic_cfg_write(struct fbnic *dev, uint32_t off, const void *buf,
		    uint32_t len)
{
	fbnic_shadow_sync(dev);
	return pcie_cfg_write(&dev->pci, off, buf, len);
}

/* ---- BAR decoding ---------------------------------------------------- */

FBNIC_NO_COVERAGE
static int check_access(struct fbnic *dev, int bar, uint64_t off,
			unsigned size)
{
	if (bar < 0 || bar >= FBNIC_NUM_BARS || !dev->layout.bar_size[bar] ||
	    (size != 1 && size != 2 && size != 4 && size != 8) ||
	    (off & (size - 1)) || off >= dev->layout.bar_size[bar] ||
	    size > dev->layout.bar_size[bar] - off) {
		dev->cnt.bad_mmio++;
		log_guest(SUB, "BAR%d access of %u bytes at 0x%llx refused", bar,
			  size, (unsigned long long)off);
		return -EINVAL;
	}
	return 0;
}

static uint32_t dword_read(struct fbnic *dev, int bar, uint32_t idx)
{
	switch (bar) {
	case 0:
		if (fbnic_shadow_mapped(dev, idx))
			return fbnic_shadow_trapped_read(dev, idx);
		return fbnic_csr_read(dev, idx);
	case 4:
		return fbnic_fw_csr_read(dev, idx);
	default:
		/* MSI-X table/PBA: QEMU emulates the table and the adapter
		 * serves the PBA; anything reaching us reads 0. */
		return 0;
	}
}

static void dword_write(struct fbnic *dev, int bar, uint32_t idx, uint32_t v)
{
	switch (bar) {
	case 0:
		if (fbnic_shadow_mapped(dev, idx))
			fbnic_shadow_trapped_write(dev, idx, v);
		else
			fbnic_csr_write(dev, idx, v);
		break;
	case 4:
		fbnic_fw_csr_write(dev, idx, v);
		break;
	default:
		break;
	}
}

int fbnic_bar_read(struct fbnic *dev, int bar, uint64_t off, unsigned size,
		   uint64_t *val)
{
	int r = check_access(dev, bar, off, size);
	if (r)
		return r;
	fbnic_shadow_sync(dev); /* the driver's stores before this access */
	uint32_t idx = (uint32_t)(off >> 2);
	if (size == 8) {
		uint64_t lo = dword_read(dev, bar, idx);
		*val = lo | (uint64_t)dword_read(dev, bar, idx + 1) << 32;
		return 0;
	}
	uint32_t d = dword_read(dev, bar, idx);
	unsigned shift = (unsigned)(off & 3) * 8;
	*val = size == 4 ? d : (d >> shift) & ((1u << (size * 8)) - 1);
	return 0;
}

int fbnic_bar_write(struct fbnic *dev, int bar, uint64_t off, unsigned size,
		    uint64_t val)
{
	int r = check_access(dev, bar, off, size);
	if (r)
		return r;
	fbnic_shadow_sync(dev);
	uint32_t idx = (uint32_t)(off >> 2);
	if (size == 8) {
		/* Low dword first, as two writel()s would land. */
		dword_write(dev, bar, idx, (uint32_t)val);
		dword_write(dev, bar, idx + 1, (uint32_t)(val >> 32));
		return 0;
	}
	if (size == 4) {
		dword_write(dev, bar, idx, (uint32_t)val);
		return 0;
	}
	/* Sub-dword writes (never done by the driver) merge into the dword
	 * as the register currently reads. */
	unsigned shift = (unsigned)(off & 3) * 8;
	uint32_t mask = ((1u << (size * 8)) - 1) << shift;
	uint32_t d = dword_read(dev, bar, idx);
	d = (d & ~mask) | (((uint32_t)val << shift) & mask);
	dword_write(dev, bar, idx, d);
	return 0;
}

/* ---- services for the blocks ----------------------------------------- */

void fbnic_work(struct fbnic *dev)
{
	fbnic_mbx_work(dev);
	fbnic_dp_tx_work(dev);
	if (dev->queues.rx_room) {
		dev->queues.rx_room = false;
		fbnic_port_room(dev);
	}
}

/* The mailbox hands every host message to the firmware model; what it
 * sends back is queued for the RX ring. */
static int fw_receive(void *opaque, const uint8_t *msg, size_t len)
{
	struct fbnic *dev = opaque;
	struct fw_verdict v;
	switch (fw_handle(dev->fw, msg, len, &v)) {
	case FW_OK:
	case FW_ERR_REPLIED:
		return 0;
	case FW_UNKNOWN:
		/* Completed normally: the host never waits on an id the
		 * firmware does not know (counted in the firmware stats). */
		log_guest(SUB, "firmware: unknown message id 0x%x completed "
			  "without reply", v.msg_id);
		return 0;
	case FW_REJECTED:
	default:
		/* fw.c logged and counted the reason already. */
		return v.err ? v.err : -EBADMSG;
	}
}

static int fw_send(void *opaque, const void *msg, size_t len)
{
	struct fbnic *dev = opaque;
	int r = fbnic_mbx_send(dev, msg, len);
	if (r)
		log_warn(SUB, "firmware reply of %zu bytes not queued: %s", len,
			 strerror(-r));
	return r;
}

static uint64_t fw_now(void *opaque)
{
	struct fbnic *dev = opaque;
	return dev->host.now_ns(dev->host.opaque);
}

static int fw_attach(struct fbnic *dev)
{
	struct fw_config fc;
	if (dev->cfg.fw)
		fc = *dev->cfg.fw;
	else
		fw_config_default(&fc);
	/* The configured link is the one the firmware reports
	 * (fbnic_pcs_init, called first, resolved its defaults). */
	fc.link_mode = dev->cfg.link.mode;
	fc.link_fec = dev->cfg.link.fec;
	const char *why = NULL;
	if (fw_config_check(&fc, &why)) {
		log_err(SUB, "bad firmware configuration: %s", why ? why : "?");
		return -EINVAL;
	}
	struct fw_ops ops = { .opaque = dev, .send = fw_send, .now_ns = fw_now };
	dev->fw = fw_create(&fc, &ops);
	if (!dev->fw)
		return -ENOMEM;
	struct fbnic_mbx_peer peer = { .opaque = dev, .receive = fw_receive };
	fbnic_mbx_set_peer(dev, &peer);
	return 0;
}

/* ---- the link (control API) ------------------------------------------ */

static void link_change(struct fbnic *dev, bool up)
{
	if (fbnic_pcs_link_set(dev, up)) {
		fbnic_trace(dev, FBNIC_TR_LINK, up, 0, 0);
		fbnic_sig_link_event(dev, up);
	}
}

void fbnic_link_set(struct fbnic *dev, bool up)
{
	link_change(dev, up);
}

int fbnic_link_set_speed(struct fbnic *dev, unsigned mode, unsigned fec)
{
	if (!link_mode_valid(mode) || !link_fec_valid(fec))
		return -EINVAL;
	if (dev->pcs.mode == mode && dev->pcs.fec == fec)
		return 0;
	bool was_up = fbnic_pcs_link_up(dev);
	/* The firmware retrains the port: lock is lost, the PCS comes back
	 * in the new mode, and the firmware reports it in its next
	 * FW_CAP_RESP. */
	link_change(dev, false);
	fbnic_pcs_set_mode(dev, mode, fec);
	if (dev->fw)
		fw_set_link(dev->fw, mode, fec);
	if (was_up)
		link_change(dev, true);
	return 0;
}

void fbnic_port_link(struct fbnic *dev, bool up)
{
	link_change(dev, up);
}

void fbnic_link_get(const struct fbnic *dev, struct fbnic_link_config *out)
{
	out->mode = dev->pcs.mode;
	out->fec = dev->pcs.fec;
	out->down = !fbnic_pcs_link_up(dev);
}

struct fw *fbnic_fw(struct fbnic *dev)
{
	return dev->fw;
}

void fbnic_timer(struct fbnic *dev)
{
	fbnic_timers_run(dev, dev->host.now_ns(dev->host.opaque));
}

void fbnic_trace_set(struct fbnic *dev, bool on)
{
	dev->trace.on = on;
}

void fbnic_trace_clear(struct fbnic *dev)
{
	dev->trace.head = dev->trace.count = 0;
}

void fbnic_trace_dump(struct fbnic *dev, FILE *out)
{
	fbnic_trace_print(dev, out);
}

int fbnic_reg_describe(struct fbnic *dev, const char *what, FILE *out)
{
	int bar;
	uint32_t idx;
	if (fbnic_csr_parse(what, &bar, &idx))
		return -EINVAL;
	if (idx >= (bar == 4 ? FBNIC_BAR4_DWORDS : FBNIC_BAR0_DWORDS))
		return -EINVAL;
	fbnic_shadow_sync(dev); /* as a trapped read would */
	const struct reg_block *b;
	uint32_t v = fbnic_reg_peek(dev, bar, idx, &b);
	char name[64];
	if (fbnic_csr_name(bar, idx, name, sizeof(name)))
		snprintf(name, sizeof(name), "-");
	fprintf(out, "bar%d 0x%05x %s %s 0x%08x\n", bar, idx,
		b ? b->name : "(none: reads 0, writes dropped)", name, v);
	return 0;
}

static const struct counter_desc dev_counters[] = {
#define D(n, h) COUNTER_DESC(struct fbnic_counters, n, h)
	FBNIC_DEV_COUNTERS(D)
#undef D
};

void fbnic_dump(struct fbnic *dev, FILE *out)
{
	uint8_t mac[6];
	fbnic_mac_from_dsn(dev->cfg.dsn, mac);
	fprintf(out, "dsn 0x%016llx\n", (unsigned long long)dev->cfg.dsn);
	fprintf(out, "mac %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1],
		mac[2], mac[3], mac[4], mac[5]);
	fprintf(out, "pci.command 0x%04x\n",
		pcie_cfg_get16(&dev->pci, PCI_COMMAND));
	fprintf(out, "msix.vectors %u\n", dev->layout.msix_vectors);
	counters_dump(out, "counters", &dev->cnt, dev_counters,
		      COUNTER_COUNT(dev_counters));
	for (unsigned i = 0; i < fbnic_bar0_nblocks; i++)
		if (fbnic_bar0_blocks[i]->dump)
			fbnic_bar0_blocks[i]->dump(dev, out);
	for (unsigned i = 0; i < fbnic_bar4_nblocks; i++)
		if (fbnic_bar4_blocks[i]->dump)
			fbnic_bar4_blocks[i]->dump(dev, out);
	fbnic_port_dump(dev, out);
	fbnic_dp_dump(dev, out);
	fbnic_fault_dump(dev, out);
	fbnic_shadow_dump(dev, out);
	fprintf(out, "timers.fired %llu\n", (unsigned long long)dev->timers.fired);
}
