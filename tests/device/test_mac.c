/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device tests of the link: SIG, PCS pages, RS-FEC counters and MAC
 * statistics, driven by a register-exact replay of what the 7.3 driver
 * (fbnic_mac.c, fbnic_mdio.c, fbnic_phylink.c, fbnic_irq.c and the XPCS /
 * phylink core) and the 6.12 driver (its own phylink PCS) do.  The replay
 * carries its own copy of the driver's lane masks and decoding, so the
 * device is checked against the driver's rules, not against itself.
 */
#include <errno.h>

#include "dev/csr.h"
#include "dev/mac.h"
#include "dev/pcs.h"
#include "dev/rxb.h"
#include "fw/fw.h"
#include "harness.h"
#include "test.h"

/* Register indexes: the register map (dev/csr.h). */
#define SIG_MAC_IN0 FBNIC_SIG_MAC_IN0
#define SIG_PCS_OUT0 FBNIC_SIG_PCS_OUT0
#define SIG_PCS_OUT1 FBNIC_SIG_PCS_OUT1
#define SIG_PCS_INTR_STS FBNIC_SIG_PCS_INTR_STS
#define SIG_PCS_INTR_MASK FBNIC_SIG_PCS_INTR_MASK
#define MAC_COMMAND_CONFIG FBNIC_MAC_COMMAND_CONFIG
#define INTR_MASK_CLEAR0 FBNIC_INTR_MASK_CLEAR(0)
#define INTR_MSIX_CTRL(c) FBNIC_INTR_MSIX_CTRL(c)
#define MASTER_SPARE_0 FBNIC_MASTER_SPARE_0
#define PCS_PAGE(n) FBNIC_PCS_PAGE(n)
#define RSFEC_CCW_LO(n) FBNIC_RSFEC_CCW_LO(n)
#define RSFEC_NCCW_LO(n) FBNIC_RSFEC_NCCW_LO(n)
#define PCS_SYMBLERR_LO(n) FBNIC_PCS_SYMBLERR_LO(n)

/* SIG_MAC_IN0: the four clock resets fbnic_mac_link_up_asic releases. */
#define MAC_IN0_RESETS                                                    \
	(FBNIC_SIG_MAC_IN0_RESET_FF_TX_CLK | FBNIC_SIG_MAC_IN0_RESET_FF_RX_CLK | \
	 FBNIC_SIG_MAC_IN0_RESET_TX_CLK | FBNIC_SIG_MAC_IN0_RESET_RX_CLK)
/* INTR_MSIX_CTRL(PCS cause) routed to the PCS vector, as
 * fbnic_pcs_irq_enable writes it. */
#define PCS_ROUTE (FBNIC_INTR_MSIX_CTRL_ENABLE | FBNIC_PCS_MSIX_ENTRY)

#define NS_PER_S 1000000000ull

/* ---- the driver, 7.3 and 6.12 -------------------------------------------- */

enum { AUI_25GAUI, AUI_LAUI2, AUI_50GAUI1, AUI_100GAUI2 }; /* bit0 R2 */
enum { FEC_OFF, FEC_RS, FEC_BASER };
enum { PMD_SEND_DATA, PMD_INITIALIZE, PMD_TRAINING, PMD_LINK_READY };

struct drv {
	struct harness *h;
	bool v612;      /* the 6.12 driver */
	unsigned aui, fec;
	unsigned pmd_state;
	uint64_t end_of_training;
	bool carrier;
	unsigned speed;
	unsigned msix1_seen;
	unsigned soft_resets, resolves, link_ups, link_downs;
	bool bad_mdio; /* a PCS read with bits 31:16 set */
};

/* fbnic_mac_get_fw_settings from the FW_CAP_RESP the firmware sends. */
static void drv_fw_settings(struct drv *d)
{
	struct fbnic_link_config l;
	fbnic_link_get(d->h->dev, &l);
	switch (l.mode) {
	case 1:
		d->aui = AUI_25GAUI;
		break;
	case 2:
		d->aui = AUI_LAUI2;
		break;
	case 3:
		d->aui = AUI_50GAUI1;
		d->fec = FEC_RS;
		return;
	default:
		d->aui = AUI_100GAUI2;
		d->fec = FEC_RS;
		return;
	}
	d->fec = l.fec == 1 ? FEC_OFF : l.fec == 3 ? FEC_BASER : FEC_RS;
}

static void drv_init(struct drv *d, struct harness *h, bool v612)
{
	memset(d, 0, sizeof(*d));
	d->h = h;
	d->v612 = v612;
	drv_fw_settings(d);
}

static uint32_t rd(struct drv *d, uint32_t idx)
{
	return h_rd32(d->h, 0, idx);
}

static void wr(struct drv *d, uint32_t idx, uint32_t v)
{
	h_wr32(d->h, 0, idx, v);
}

/* fbnic_mac_get_link_status */
static bool drv_link_status(struct drv *d)
{
	uint32_t st = rd(d, SIG_PCS_OUT0), lanes = ~0u;
	if (!(st & (1u << 27)))
		return false;
	switch (d->aui) {
	case AUI_100GAUI2:
		lanes = 0xf;
		break;
	case AUI_50GAUI1:
		lanes = 3;
		break;
	case AUI_LAUI2:
		lanes = d->fec == FEC_OFF ? 0x63 : d->fec == FEC_RS ? 5 : 0xf;
		break;
	case AUI_25GAUI:
		lanes = 1;
		break;
	}
	switch (d->fec) {
	case FEC_OFF:
		lanes ^= (st >> 5) & 0xfffff;
		break;
	case FEC_RS:
		lanes ^= (st >> 1) & 0xf;
		break;
	case FEC_BASER:
		lanes ^= (rd(d, SIG_PCS_OUT1) >> 8) & 0xf;
		break;
	}
	return !lanes;
}

/* fbnic_pmd_update_state (7.3 only) */
static bool drv_pmd_update(struct drv *d, bool signal)
{
	if (!signal) {
		d->pmd_state = PMD_INITIALIZE;
		return false;
	}
	switch (d->pmd_state) {
	case PMD_TRAINING:
		return d->end_of_training < d->h->now;
	case PMD_LINK_READY:
	case PMD_SEND_DATA:
		return true;
	}
	d->end_of_training = d->h->now + 4 * NS_PER_S;
	d->pmd_state = PMD_TRAINING;
	return false;
}

/* fbnic_mac_get_link (7.3) / fbnic_pcs_get_link_asic (6.12) */
static bool drv_get_link(struct drv *d)
{
	wr(d, SIG_PCS_OUT0, 0x09fffffe); /* LINK | BLOCK_LOCK | AMPS_LOCK */
	wr(d, SIG_PCS_OUT1, 0x00000f00); /* FCFEC_LOCK */
	(void)rd(d, MASTER_SPARE_0);     /* wrfl */
	wr(d, SIG_PCS_INTR_STS, 0x3);
	bool link = drv_link_status(d);
	if (!d->v612)
		link = drv_pmd_update(d, link);
	wr(d, SIG_PCS_INTR_MASK,
	   ~(FBNIC_SIG_PCS_INTR_LINK_DOWN | FBNIC_SIG_PCS_INTR_LINK_UP));
	wr(d, INTR_MASK_CLEAR0, 1u << FBNIC_PCS_MSIX_ENTRY);
	return link;
}

/* fbnic_mdio_read_pcs */
static int mdio_read_pcs(struct drv *d, int addr, int regnum)
{
	int offset = 0, overrides = 0;
	if (addr >= 2)
		return 0;
	if (regnum & 0x7e00)
		return 0;
	if (regnum == 2)
		return 0x7996;
	if (regnum == 3)
		return 0xced0;
	if (regnum == 5)
		overrides = (1 << 8) | (1 << 1) | (1 << 3);
	if (regnum & 0x8000)
		offset ^= 0x8000 | 0x200;
	uint32_t v = rd(d, PCS_PAGE(addr) + (uint32_t)(regnum ^ offset));
	if (v > 0xffff)
		d->bad_mdio = true;
	return (int)v | overrides;
}

static void mdio_write_pcs(struct drv *d, int addr, int regnum, uint16_t val)
{
	if (addr >= 2 || (regnum & 0x7e00))
		return;
	if (regnum & 0x8000)
		regnum ^= 0x8000 | 0x200;
	wr(d, PCS_PAGE(addr) + (uint32_t)regnum, val);
}

/* xpcs_get_state_c73 without AN, with xpcs_resolve_pma's FBNIC hook. */
static bool xpcs_get_state(struct drv *d, unsigned *speed)
{
	int stat1 = mdio_read_pcs(d, 0, 1);
	bool link = stat1 & FBNIC_PCS_STAT1_LSTATUS;
	bool fault = stat1 & FBNIC_PCS_STAT1_FAULT;
	if (!fault) {
		(void)mdio_read_pcs(d, 0, 8); /* RX/TX fault: warnings only */
		fault = mdio_read_pcs(d, 0, 0x8010) & 0x0060;
	}
	if (!fault) {
		(void)mdio_read_pcs(d, 0, 32); /* block lock: warning only */
		fault = mdio_read_pcs(d, 0, 33) & 0x00ff;
	}
	if (fault) {
		d->soft_resets++;
		mdio_write_pcs(d, 0, 0, FBNIC_PCS_CTRL1_RESET);
		for (int i = 0; i < 12 && (mdio_read_pcs(d, 0, 0) & FBNIC_PCS_CTRL1_RESET); i++)
			h_advance(d->h, 50000000);
		return false;
	}
	if (!link)
		return false;
	/* MMD 1 RXDET, synthesised by fbnic_mdio_read_pmd. */
	if (d->pmd_state != PMD_SEND_DATA)
		return false;
	switch (mdio_read_pcs(d, 0, 0) & FBNIC_PCS_CTRL1_SPEEDSEL) {
	case FBNIC_PCS_CTRL1_SPEED25G:
		*speed = 25000;
		break;
	case FBNIC_PCS_CTRL1_SPEED50G:
		*speed = 50000;
		break;
	case FBNIC_PCS_CTRL1_SPEED100G:
		*speed = 100000;
		break;
	default:
		*speed = 0;
		break;
	}
	return true;
}

/* 6.12 fbnic_phylink_pcs_get_state: speed from the FW capability. */
static bool pcs612_get_state(struct drv *d, unsigned *speed)
{
	struct fbnic_link_config l;
	fbnic_link_get(d->h->dev, &l);
	*speed = l.mode == 1 ? 25000 : l.mode == 2 ? 50000
		 : l.mode == 4 ? 100000 : 0;
	return drv_get_link(d);
}

static bool get_state(struct drv *d, unsigned *speed)
{
	return d->v612 ? pcs612_get_state(d, speed) : xpcs_get_state(d, speed);
}

/* phylink_resolve, the parts that matter without a PHY. */
static void drv_resolve(struct drv *d)
{
	for (int pass = 0; pass < 4; pass++) {
		unsigned speed = 0;
		bool retrigger = false;
		d->resolves++;
		bool link = get_state(d, &speed);
		if (!link) {
			if (d->carrier)
				retrigger = true;
			else
				link = get_state(d, &speed);
		}
		if (link != d->carrier) {
			if (link) {
				/* fbnic_mac_link_up_asic */
				wr(d, SIG_MAC_IN0, rd(d, SIG_MAC_IN0) & ~MAC_IN0_RESETS);
				wr(d, MAC_COMMAND_CONFIG, 0x00000813);
				d->speed = speed;
				d->link_ups++;
			} else {
				/* fbnic_mac_link_down_asic */
				wr(d, SIG_MAC_IN0, rd(d, SIG_MAC_IN0) | MAC_IN0_RESETS);
				wr(d, MAC_COMMAND_CONFIG, 0x30000810);
				d->link_downs++;
			}
			d->carrier = link;
		}
		if (link || !retrigger)
			return;
	}
}

/* fbnic_open's link part: request the PCS IRQ, phylink_start. */
static void drv_ifup(struct drv *d)
{
	wr(d, INTR_MSIX_CTRL(FBNIC_INTR_CAUSE_PCS), PCS_ROUTE);
	if (!d->v612) {
		wr(d, INTR_MSIX_CTRL(7), 0);
		/* mac_prepare = fbnic_mac_prepare */
		wr(d, SIG_PCS_INTR_MASK, ~0u);
		wr(d, SIG_PCS_INTR_STS, ~0u);
		if (!drv_link_status(d))
			d->pmd_state = PMD_INITIALIZE;
		/* mac_finish = fbnic_mac_get_link */
		(void)drv_get_link(d);
	} else {
		/* pcs_enable = fbnic_pcs_enable_asic */
		wr(d, SIG_PCS_INTR_MASK, ~0u);
		wr(d, SIG_PCS_INTR_STS, ~0u);
	}
	d->msix1_seen = d->h->msix[1];
	drv_resolve(d);
}

/* fbnic_mac_free_irq + phylink_stop */
static void drv_ifdown(struct drv *d)
{
	wr(d, INTR_MSIX_CTRL(FBNIC_INTR_CAUSE_PCS), FBNIC_PCS_MSIX_ENTRY);
	(void)rd(d, MASTER_SPARE_0);
	wr(d, 0x030u /* INTR_MASK_SET(0) */, 1u << 1);
	if (d->carrier) {
		wr(d, SIG_MAC_IN0, rd(d, SIG_MAC_IN0) | MAC_IN0_RESETS);
		wr(d, MAC_COMMAND_CONFIG, 0x30000810);
		d->carrier = false;
	}
}

/* Run the vector-1 handler for each MSI-X message since the last look:
 * fbnic_mac_msix_intr (7.3) / fbnic_pcs_msix_intr (6.12). */
static void drv_irqs(struct drv *d)
{
	while (d->msix1_seen < d->h->msix[1]) {
		d->msix1_seen++;
		uint32_t sts = rd(d, SIG_PCS_INTR_STS);
		if (!(sts & 0x3)) {
			wr(d, INTR_MASK_CLEAR0, 1u << 1);
			continue;
		}
		if (d->v612)
			drv_resolve(d);
		else if (!drv_get_link(d))
			drv_resolve(d); /* phylink_pcs_change */
	}
}

/* One second: the service task's fbnic_phylink_pmd_training_complete_notify. */
static void drv_tick(struct drv *d)
{
	h_advance(d->h, NS_PER_S);
	drv_irqs(d);
	if (d->v612 || d->pmd_state != PMD_TRAINING ||
	    !(d->end_of_training < d->h->now))
		return;
	d->pmd_state = PMD_SEND_DATA;
	drv_resolve(d);
}

static struct harness *h_link(unsigned mode, unsigned fec, bool down)
{
	struct fbnic_config cfg = { .dsn = 0x02fb00fffe000001ull,
				    .msix_vectors = FBNIC_MSIX_VECTORS_DEFAULT,
				    .link = { .mode = (uint8_t)mode,
					      .fec = (uint8_t)fec,
					      .down = down } };
	return h_create(&cfg);
}

/* ---- tests --------------------------------------------------------------- */

static void test_power_on(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	/* Default: 100G CR2, RS; up. */
	struct fbnic_link_config l;
	fbnic_link_get(h->dev, &l);
	CHECK_INT(l.mode, LINK_MODE_100CR2);
	CHECK_INT(l.fec, LINK_FEC_RS);
	CHECK(!l.down);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0x0800001e);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT1), 0);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_MASK), 0xffffffff);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + FBNIC_PCS_CTRL1), FBNIC_PCS_CTRL1_SPEED100G);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + FBNIC_PCS_STAT1), FBNIC_PCS_STAT1_LSTATUS);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + FBNIC_PCS_STAT2), FBNIC_PCS_STAT2_DEVPRST_VAL);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 0x20) & 1, 1);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 0x21), 0);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 0x210) & 0x60, 0);
	/* What probe reads: RPC_RMI_CONFIG bit 12, RXB_ERR_INTR_STS, OTP status. */
	CHECK_EQ(h_rd32(h, 0, FBNIC_CSR_START_RPC) & (1u << 12), 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RXB_ERR_INTR_STS), 0);
	CHECK_EQ(h_rd32(h, 4, FBNIC_NS_OTP_STATUS), 0);
	CHECK_EQ(h_rd32(h, 4, FBNIC_NS_OTP_WRITE_STATUS), 0);
	/* Every PCS CSR fits the int the MDIO bus returns. */
	for (uint32_t i = FBNIC_CSR_START_PCS; i <= FBNIC_CSR_END_PCS; i++)
		CHECK(h_rd32(h, 0, i) <= 0xffff);
	h_destroy(h);
}

/* fbnic_mac_get_link_status: the lock pattern for every mode and FEC, the PCS
 * speed code, and that the driver accepts it exactly: the same status
 * read with any other AUI/FEC interpretation is "no link". */
static void test_lane_patterns(void)
{
	static const struct {
		unsigned mode, fec;
		uint32_t out0, out1, ctrl1;
	} t[] = {
		{ 4, 2, 0x0800001e, 0, 0x2050 },
		{ 4, 1, 0x0800001e, 0, 0x2050 }, /* RS forced */
		{ 3, 3, 0x08000006, 0, 0x2058 }, /* RS forced */
		{ 2, 2, 0x0800000a, 0, 0x2058 },
		{ 2, 1, 0x08000c60, 0, 0x2058 },
		{ 2, 3, 0x08000000, 0x00000f00, 0x2058 },
		{ 1, 2, 0x08000002, 0, 0x2054 },
		{ 1, 1, 0x08000020, 0, 0x2054 },
		{ 1, 3, 0x08000000, 0x00000100, 0x2054 },
	};
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct harness *h = h_link(t[i].mode, t[i].fec, false);
		REQUIRE(h);
		CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), t[i].out0);
		CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT1), t[i].out1);
		CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0)), t[i].ctrl1);
		CHECK_EQ(h_rd32(h, 0, PCS_PAGE(1)), t[i].ctrl1);
		struct drv d;
		drv_init(&d, h, false);
		CHECK(drv_link_status(&d));
		unsigned matches = 0;
		for (unsigned aui = 0; aui < 4; aui++)
			for (unsigned fec = 0; fec < 3; fec++) {
				d.aui = aui;
				d.fec = fec;
				matches += drv_link_status(&d);
			}
		/* LAUI-2/BASE-R and 100GAUI-2 (RS forced, BASE-R read as
		 * FCFEC 0xf) share one pattern; everything else is unique. */
		CHECK(matches == 1 || (t[i].mode == 2 && t[i].fec == 3 &&
				       matches == 2));
		h_destroy(h);
	}
	/* The PCS runs the FEC the firmware reports the driver will use. */
	for (unsigned m = 1; m <= 4; m++)
		for (unsigned f = 1; f <= 3; f++) {
			struct harness *hl = h_link(m, f, false);
			REQUIRE(hl);
			CHECK_INT(h_dump_value(hl, "link.fec"), link_effective_fec(m, f));
			h_destroy(hl);
		}
	CHECK_INT(link_effective_fec(4, 1), LINK_FEC_RS);
	CHECK_INT(link_effective_fec(1, 7), LINK_FEC_RS);
	CHECK_INT(link_speed_mbps(3), 50000);
	CHECK(!h_link(5, 2, false));
	CHECK(!h_link(4, 4, false));
}

/* Path A: link up from power-on, ifup brings the carrier up on the first
 * resolve at the configured speed, without interrupts or XPCS resets. */
static void test_ifup_link_up_73(void)
{
	static const unsigned modes[][3] = {
		{ 4, 2, 100000 }, { 3, 2, 50000 }, { 2, 1, 50000 },
		{ 2, 3, 50000 },  { 1, 2, 25000 }, { 1, 1, 25000 },
	};
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct harness *h = h_link(modes[i][0], modes[i][1], false);
		REQUIRE(h);
		struct drv d;
		drv_init(&d, h, false);
		drv_ifup(&d);
		CHECK(d.carrier);
		CHECK_INT(d.speed, modes[i][2]);
		CHECK_INT(d.pmd_state, PMD_SEND_DATA);
		CHECK_INT(d.soft_resets, 0);
		CHECK(!d.bad_mdio);
		CHECK_INT(h->msix[1], 0);
		CHECK(fbnic_mac_rx_ready(h->dev) && fbnic_mac_tx_ready(h->dev));
		/* Vector 1 unmasked, SIG interrupts armed for changes. */
		CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_MASK(0)) & (1u << FBNIC_PCS_MSIX_ENTRY), 0);
		CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_MASK), 0xfffffffc);
		h_destroy(h);
	}
}

/* Path B: a link flap reaches the driver through vector 1; it drops the
 * carrier at once and raises it again only after PMD training (4 s of
 * stable link, checked by the 1 Hz service task). */
static void test_link_flap_73(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	struct drv d;
	drv_init(&d, h, false);
	drv_ifup(&d);
	REQUIRE(d.carrier);

	fbnic_link_set(h->dev, false);
	CHECK_INT(h->msix[1], 1);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0x2); /* LINK_DOWN */
	drv_irqs(&d);
	CHECK(!d.carrier);
	CHECK_INT(d.link_downs, 1);
	CHECK_INT(d.pmd_state, PMD_INITIALIZE);
	CHECK(!fbnic_mac_rx_ready(h->dev));
	/* Nothing else happens while the link stays down. */
	for (int s = 0; s < 3; s++)
		drv_tick(&d);
	CHECK(!d.carrier);
	CHECK_INT(h->msix[1], 1);

	fbnic_link_set(h->dev, true);
	CHECK_INT(h->msix[1], 2);
	drv_irqs(&d);
	CHECK(!d.carrier);
	CHECK_INT(d.pmd_state, PMD_TRAINING);
	uint64_t up_at = h->now;
	unsigned ticks = 0;
	while (!d.carrier && ticks < 10) {
		drv_tick(&d);
		ticks++;
	}
	CHECK(d.carrier);
	CHECK_INT(d.speed, 100000);
	CHECK(h->now - up_at > 4 * NS_PER_S);
	CHECK(h->now - up_at <= 5 * NS_PER_S);
	CHECK_INT(d.soft_resets, 0);
	CHECK(!d.bad_mdio);
	CHECK_INT(h->msix[1], 2); /* no spurious interrupts */
	h_destroy(h);
}

static void test_link_flap_612(void)
{
	struct harness *h = h_link(2, 1, false); /* 50G R2, no FEC */
	REQUIRE(h);
	struct drv d;
	drv_init(&d, h, true);
	drv_ifup(&d);
	CHECK(d.carrier);
	CHECK_INT(d.speed, 50000);
	fbnic_link_set(h->dev, false);
	CHECK_INT(h->msix[1], 1);
	drv_irqs(&d);
	CHECK(!d.carrier);
	fbnic_link_set(h->dev, true);
	CHECK_INT(h->msix[1], 2);
	drv_irqs(&d);
	CHECK(d.carrier); /* 6.12 has no PMD training delay */
	CHECK_INT(h->msix[1], 2);
	h_destroy(h);
}

/* Cable unplugged at power-on: ifup leaves the carrier off; the later
 * link-up goes through the PCS interrupt and training. */
static void test_link_down_at_start(void)
{
	struct harness *h = h_link(1, 3, true); /* 25G BASE-R */
	REQUIRE(h);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 1), 0);
	struct drv d;
	drv_init(&d, h, false);
	drv_ifup(&d);
	CHECK(!d.carrier);
	CHECK_INT(d.pmd_state, PMD_INITIALIZE);
	drv_tick(&d);
	fbnic_link_set(h->dev, true);
	CHECK_INT(h->msix[1], 1);
	for (int s = 0; s < 6; s++)
		drv_tick(&d);
	CHECK(d.carrier);
	CHECK_INT(d.speed, 25000);

	/* 6.12 on the same kind of device */
	struct harness *h2 = h_link(1, 3, true);
	REQUIRE(h2);
	struct drv d2;
	drv_init(&d2, h2, true);
	drv_ifup(&d2);
	CHECK(!d2.carrier);
	fbnic_link_set(h2->dev, true);
	drv_irqs(&d2);
	CHECK(d2.carrier);
	CHECK_INT(d2.speed, 25000);
	h_destroy(h2);
	h_destroy(h);
}

/* The latches: lock bits lost while nobody looked read 0 until the
 * driver's write-1 flush; PCS STAT1.LSTATUS reads 0 once. */
static void test_latches(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	fbnic_link_set(h->dev, false);
	fbnic_link_set(h->dev, true);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0);
	h_wr32(h, 0, SIG_PCS_OUT0, 1u << 27); /* re-arm LINK only */
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0x08000000);
	h_wr32(h, 0, SIG_PCS_OUT0, 0x09fffffe);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0x0800001e);
	h_wr32(h, 0, SIG_PCS_OUT0, 0); /* writing 0 changes nothing */
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0x0800001e);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 1), 0);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 1), 4);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(1) + 1), 0); /* per page */
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(1) + 1), 4);
	/* Flushing while the link is down does not fake a lock. */
	fbnic_link_set(h->dev, false);
	h_wr32(h, 0, SIG_PCS_OUT0, ~0u);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 1), 0);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 1), 0);
	/* Only losses latch: lock gained after the flush reads at once. */
	fbnic_link_set(h->dev, true);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0x0800001e);
	/* After ifup with lock lost since the last flush, 7.3 trains. */
	fbnic_link_set(h->dev, false);
	fbnic_link_set(h->dev, true);
	struct drv d;
	drv_init(&d, h, false);
	drv_ifup(&d);
	CHECK(!d.carrier);
	CHECK_INT(d.pmd_state, PMD_TRAINING);
	for (int s = 0; s < 6; s++)
		drv_tick(&d);
	CHECK(d.carrier);
	h_destroy(h);
}

/* SIG_PCS_INTR_STS/MASK and the cause-34 route. */
static void test_pcs_interrupt(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	/* Route disabled (interface down): the event is recorded only. */
	h_wr32(h, 0, SIG_PCS_INTR_MASK, ~0x3u);
	fbnic_link_set(h->dev, false);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0x2);
	CHECK_INT(h->msix[1], 0);
	/* Routed, vector unmasked, but the SIG mask masks it. */
	h_wr32(h, 0, INTR_MSIX_CTRL(FBNIC_INTR_CAUSE_PCS), PCS_ROUTE);
	h_wr32(h, 0, INTR_MASK_CLEAR0, 2);
	h_wr32(h, 0, SIG_PCS_INTR_STS, ~0u);
	h_wr32(h, 0, SIG_PCS_INTR_MASK, ~0u);
	fbnic_link_set(h->dev, true);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0x1);
	CHECK_INT(h->msix[1], 0);
	/* Unmasking the pending event raises it. */
	h_wr32(h, 0, SIG_PCS_INTR_MASK, ~0x3u);
	CHECK_INT(h->msix[1], 1);
	/* Vector 1 auto-masked: the next event is latched in INTR_STATUS
	 * and fires when the handler unmasks. */
	fbnic_link_set(h->dev, false);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0x3);
	CHECK_INT(h->msix[1], 1);
	h_wr32(h, 0, INTR_MASK_CLEAR0, 2);
	CHECK_INT(h->msix[1], 2);
	/* W1C, bit by bit. */
	h_wr32(h, 0, SIG_PCS_INTR_STS, 0x1);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0x2);
	h_wr32(h, 0, SIG_PCS_INTR_STS, 0x2);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0);
	/* No change, no event. */
	fbnic_link_set(h->dev, false);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0);
	CHECK_INT(h_dump_value(h, "pcs.link_changes"), 3);
	h_destroy(h);
}

/* XPCS soft reset through CTRL1: self-clearing, config registers back to
 * 0, the firmware-set speed stays; speed bits cannot be written. */
static void test_pcs_soft_reset(void)
{
	struct harness *h = h_link(1, 2, false);
	REQUIRE(h);
	h_wr32(h, 0, PCS_PAGE(0) + 0x7, 0x1234);
	h_wr32(h, 0, PCS_PAGE(0) + 0x300, 0xabcdef01);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 0x7), 0x1234);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 0x300), 0xef01);
	h_wr32(h, 0, PCS_PAGE(0), 0x4000 | 0x2050); /* loopback, 100G code */
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0)), 0x4000 | 0x2054);
	h_wr32(h, 0, PCS_PAGE(1) + 0x7, 0x55);
	h_wr32(h, 0, PCS_PAGE(0), 0x8000);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0)), 0x2054);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 0x7), 0);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(1) + 0x7), 0x55); /* other page */
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 1), 4);     /* link unaffected */
	CHECK_INT(h_dump_value(h, "pcs.soft_resets"), 1);
	/* Status registers ignore writes. */
	h_wr32(h, 0, PCS_PAGE(0) + 0x21, 0xff);
	h_wr32(h, 0, PCS_PAGE(0) + 0x210, 0x60);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 0x21), 0);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 0x210) & 0x60, 0);
	h_destroy(h);
}

/* A speed change retrains the port; the running driver, still configured
 * for the old AUI, sees no link until it re-reads the capabilities. */
static void test_set_speed(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	struct drv d;
	drv_init(&d, h, false);
	drv_ifup(&d);
	REQUIRE(d.carrier);
	CHECK_INT(fbnic_link_set_speed(h->dev, 9, 2), -EINVAL);
	CHECK_INT(fbnic_link_set_speed(h->dev, 1, 0), -EINVAL);
	CHECK_INT(fbnic_link_set_speed(h->dev, 4, 2), 0); /* same: no event */
	CHECK_INT(h->msix[1], 0);
	CHECK_INT(fbnic_link_set_speed(h->dev, 1, 2), 0);
	CHECK_INT(h->msix[1], 1);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0x3);
	drv_irqs(&d);
	CHECK(!d.carrier);
	for (int s = 0; s < 6; s++)
		drv_tick(&d);
	CHECK(!d.carrier); /* 100GAUI-2 expectations vs a 25G lock */
	/* Driver reload: new capabilities, new AUI. */
	drv_ifdown(&d);
	drv_init(&d, h, false);
	drv_ifup(&d);
	for (int s = 0; s < 6 && !d.carrier; s++)
		drv_tick(&d);
	CHECK(d.carrier);
	CHECK_INT(d.speed, 25000);
	struct fbnic_link_config l;
	fbnic_link_get(h->dev, &l);
	CHECK_INT(l.mode, 1);
	CHECK_INT(l.fec, 2);
	/* The firmware reports the same link in FW_CAP_RESP. */
	uint8_t fw_mode = 0, fw_fec = 0;
	fw_get_link(fbnic_fw(h->dev), &fw_mode, &fw_fec);
	CHECK_INT(fw_mode, 1);
	CHECK_INT(fw_fec, 2);
	/* A change while down keeps the link down. */
	fbnic_link_set(h->dev, false);
	CHECK_INT(fbnic_link_set_speed(h->dev, 2, 1), 0);
	fbnic_link_get(h->dev, &l);
	CHECK(l.down);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0);
	h_destroy(h);
}

/* fbnic_pcs_rsfec_stat_rd32: low then high, 16 bits each, clear on read. */
static uint32_t rsfec_stat(struct harness *h, uint32_t reg)
{
	uint32_t v = h_rd32(h, 0, reg) & 0xffff;
	return v | h_rd32(h, 0, reg + 1) << 16;
}

static void test_fec_pcs_counters(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	CHECK_EQ(rsfec_stat(h, RSFEC_CCW_LO(0)), 0);
	fbnic_pcs_add_fec_errors(h->dev, 0x12345, 7);
	fbnic_pcs_add_fec_errors(h->dev, 1, 0);
	fbnic_pcs_add_symbol_errors(h->dev, 3, 0x20000);
	fbnic_pcs_add_symbol_errors(h->dev, 4, 1); /* no such lane */
	CHECK_EQ(rsfec_stat(h, RSFEC_CCW_LO(0)), 0x12346);
	CHECK_EQ(rsfec_stat(h, RSFEC_CCW_LO(0)), 0); /* cleared */
	CHECK_EQ(rsfec_stat(h, RSFEC_NCCW_LO(0)), 7);
	CHECK_EQ(rsfec_stat(h, PCS_SYMBLERR_LO(3)), 0x20000);
	for (unsigned l = 0; l < 3; l++)
		CHECK_EQ(rsfec_stat(h, PCS_SYMBLERR_LO(l)), 0);
	/* Saturating, and the high half is what the low read latched. */
	fbnic_pcs_add_fec_errors(h->dev, 0xfffffff0, 0);
	fbnic_pcs_add_fec_errors(h->dev, 0x100, 0);
	CHECK_EQ(h_rd32(h, 0, RSFEC_CCW_LO(0)), 0xffff);
	fbnic_pcs_add_fec_errors(h->dev, 0x30000, 0);
	CHECK_EQ(h_rd32(h, 0, RSFEC_CCW_LO(0) + 1), 0xffff);
	CHECK_EQ(rsfec_stat(h, RSFEC_CCW_LO(0)), 0x30000);
	/* Read-only. */
	h_wr32(h, 0, RSFEC_CCW_LO(0), 5);
	CHECK_EQ(h_rd32(h, 0, RSFEC_CCW_LO(0)), 0);
	/* RS-FEC status of engine 0 with a 100G RS link. */
	CHECK_EQ(h_rd32(h, 0, FBNIC_RSFEC_STATUS(0)), 0x4000 | 0xf00);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RSFEC_STATUS(1)), 0);
	/* MMD 8 control registers are 16-bit storage. */
	h_wr32(h, 0, FBNIC_RSFEC_CONTROL(0), 0x12345);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RSFEC_CONTROL(0)), 0x2345);
	h_destroy(h);
}

/* fbnic_stat_rd64: high, low, high. */
static uint64_t stat_rd64(struct harness *h, uint32_t reg)
{
	uint32_t prev = h_rd32(h, 0, reg + 1);
	uint32_t lo = h_rd32(h, 0, reg);
	uint32_t hi = h_rd32(h, 0, reg + 1);
	return hi == prev ? (uint64_t)hi << 32 | lo : (uint64_t)hi << 32;
}

static void test_mac_stats(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	for (uint32_t i = 0x11a00; i <= 0x11a5f; i++)
		CHECK_EQ(h_rd32(h, 0, i), 0);
	uint8_t bc[60], uc[1514];
	memset(bc, 0xff, sizeof(bc));
	memset(uc, 0x02, sizeof(uc));
	fbnic_mac_count_frame(h->dev, false, bc, sizeof(bc));
	fbnic_mac_count_frame(h->dev, false, uc, sizeof(uc));
	fbnic_mac_count_frame(h->dev, true, bc, 14); /* padded to 64 */
	CHECK_EQ(stat_rd64(h, 0x11a08), 64 + 1518);    /* RX_BYTE_COUNT */
	CHECK_EQ(stat_rd64(h, 0x11a12), 2);            /* RX_RECEIVED_OK */
	CHECK_EQ(stat_rd64(h, 0x11a1e), 1);            /* RX_BROADCAST */
	CHECK_EQ(stat_rd64(h, 0x11a1c), 0);            /* RX_MULTICAST */
	CHECK_EQ(stat_rd64(h, 0x11a26), 1);            /* RX 64 */
	CHECK_EQ(stat_rd64(h, 0x11a30), 1);            /* RX 1024-1518 */
	CHECK_EQ(stat_rd64(h, 0x11a3e), 64);           /* TX_BYTE_COUNT */
	CHECK_EQ(stat_rd64(h, 0x11a4e), 1);            /* TX 64 */
	fbnic_mac_stat_add(h->dev, 0x11a14, 0x100000005ull); /* BAD_FCS */
	CHECK_EQ(stat_rd64(h, 0x11a14), 0x100000005ull);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_RX_PACKET_BAD_FCS_L + 1), 1);
	fbnic_mac_stat_add(h->dev, 0x11a15, 1); /* not an _L index: ignored */
	fbnic_mac_stat_add(h->dev, 0x11a60, 1);
	CHECK_EQ(fbnic_mac_stat_get(h->dev, 0x11a14), 0x100000005ull);
	long long ro = h_dump_value(h, "counters.ro_writes");
	h_wr32(h, 0, FBNIC_MAC_STAT_RX_PACKET_BAD_FCS_L, 0);
	CHECK_EQ(stat_rd64(h, 0x11a14), 0x100000005ull);
	CHECK_INT(h_dump_value(h, "counters.ro_writes"), ro + 1);
	/* COMMAND_CONFIG and SIG_MAC_IN0 are read-modify-write storage. */
	h_wr32(h, 0, MAC_COMMAND_CONFIG, 0x30000810);
	CHECK_EQ(h_rd32(h, 0, MAC_COMMAND_CONFIG), 0x30000810);
	h_wr32(h, 0, SIG_MAC_IN0, 0x7900);
	CHECK_EQ(h_rd32(h, 0, SIG_MAC_IN0), 0x7900);
	CHECK(!fbnic_mac_rx_ready(h->dev));
	h_wr32(h, 0, SIG_MAC_IN0, 0x100);
	h_wr32(h, 0, MAC_COMMAND_CONFIG, 0x813);
	CHECK(fbnic_mac_rx_ready(h->dev) && fbnic_mac_tx_ready(h->dev));
	CHECK(!fbnic_mac_loopback(h->dev));
	h_destroy(h);
}

/* A function reset returns the registers to power-on; the cable stays. */
static void test_reset_keeps_link(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	h_wr32(h, 0, SIG_PCS_INTR_MASK, 0);
	fbnic_link_set(h->dev, false);
	fbnic_link_set(h->dev, true);
	fbnic_pcs_add_fec_errors(h->dev, 9, 9);
	fbnic_reset(h->dev);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_STS), 0);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_INTR_MASK), 0xffffffff);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0x0800001e);
	CHECK_EQ(h_rd32(h, 0, PCS_PAGE(0) + 1), 4);
	CHECK_EQ(rsfec_stat(h, RSFEC_CCW_LO(0)), 0);
	fbnic_link_set(h->dev, false);
	fbnic_reset(h->dev);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0);
	fbnic_link_set(h->dev, true);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0); /* lost since reset */
	h_destroy(h);
}

/* ethtool -d reads every register of these sections.  Reading is
 * harmless, and only SIG_PCS_INTR_MASK reads all-ones (its power-on
 * value), which the driver's dead-device check tolerates because
 * MASTER_SPARE_0 does not. */
static void test_register_dump(void)
{
	static const uint32_t sect[][2] = {
		{ FBNIC_CSR_START_PTP, FBNIC_CSR_END_PTP },
		{ FBNIC_CSR_START_PCS, FBNIC_CSR_END_PCS },
		{ FBNIC_CSR_START_RSFEC, FBNIC_CSR_END_RSFEC },
		{ FBNIC_CSR_START_MAC_MAC, FBNIC_CSR_END_MAC_MAC },
		{ FBNIC_CSR_START_SIG, FBNIC_CSR_END_SIG },
		{ FBNIC_CSR_START_MAC_STAT, FBNIC_CSR_END_MAC_STAT },
	};
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	for (unsigned s = 0; s < sizeof(sect) / sizeof(sect[0]); s++)
		for (uint32_t i = sect[s][0]; i <= sect[s][1]; i++)
			CHECK(h_rd32(h, 0, i) != 0xffffffff ||
			      i == SIG_PCS_INTR_MASK);
	CHECK_EQ(h_rd32(h, 0, MASTER_SPARE_0), 0);
	CHECK_EQ(h_rd32(h, 0, SIG_PCS_OUT0), 0x0800001e);
	h_destroy(h);
}

/* fbnic_mac_ps_protect_config clears RXB_ERR_INTR_STS by writing the PS
 * bits; the service task's fbnic_mac_ps_protect_handler must then read
 * them clear, or it re-arms the pause-storm timers every second. */
static void test_rxb_err_intr_sts(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	const uint32_t sts = 0x08050, mask = 0x08052, ps = 0x1000;
	h_wr32(h, 0, sts, ps);
	h_wr32(h, 0, mask, h_rd32(h, 0, mask) & ~0xf000u);
	CHECK_EQ(h_rd32(h, 0, sts), 0);
	fbnic_rxb_err_event(h->dev, 0x3000);
	CHECK_EQ(h_rd32(h, 0, sts) & ps, ps); /* handler: storm seen */
	h_wr32(h, 0, sts, ps);                /* ... and cleared */
	CHECK_EQ(h_rd32(h, 0, sts), 0x2000);
	CHECK_INT(h->msix[1] + h->msix[0], 0);
	/* The rest of RXB is storage (FIFO configuration, RMW'd). */
	h_wr32(h, 0, FBNIC_RXB_PAUSE_DROP_CTRL, 0x7d0014);
	CHECK_EQ(h_rd32(h, 0, 0x08008), 0x7d0014);
	h_destroy(h);
}

TEST_MAIN("mac", TEST_CASE(test_power_on), TEST_CASE(test_lane_patterns),
	  TEST_CASE(test_ifup_link_up_73), TEST_CASE(test_link_flap_73),
	  TEST_CASE(test_link_flap_612), TEST_CASE(test_link_down_at_start),
	  TEST_CASE(test_latches), TEST_CASE(test_pcs_interrupt),
	  TEST_CASE(test_pcs_soft_reset), TEST_CASE(test_set_speed),
	  TEST_CASE(test_fec_pcs_counters), TEST_CASE(test_mac_stats),
	  TEST_CASE(test_reset_keeps_link), TEST_CASE(test_register_dump),
	  TEST_CASE(test_rxb_err_intr_sts))
