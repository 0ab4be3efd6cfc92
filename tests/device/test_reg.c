/* SPDX-License-Identifier: Apache-2.0 */
/* The control channel's register lookup (fbnic_reg_describe): block, name
 * and the value the guest would read, without consuming clear-on-read
 * counters or latches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/csr.h"
#include "dev/dev.h"
#include "dev/pcs.h"
#include "harness.h"
#include "hnic.h"
#include "test.h"

static char *describe(struct harness *h, const char *what, int *rc)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	*rc = fbnic_reg_describe(h->dev, what, f);
	fclose(f);
	return text;
}

static void test_describe(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	int rc;
	h_wr32(h, 0, FBNIC_MAC_COMMAND_CONFIG, 0x813);
	char *t = describe(h, "MAC_COMMAND_CONFIG", &rc);
	CHECK_INT(rc, 0);
	CHECK(t && !strcmp(t, "bar0 0x11002 MAC_MAC MAC_COMMAND_CONFIG 0x00000813\n"));
	free(t);
	t = describe(h, "0x0000b", &rc);
	CHECK_INT(rc, 0);
	CHECK(t && strstr(t, " INTR INTR_MASK[3] 0xffffffff"));
	free(t);
	t = describe(h, "bar4:0x6021", &rc);
	CHECK(t && strstr(t, "IPC_MBX IPC_MBX_TX_DESC_HI[0]"));
	free(t);
	t = describe(h, "0x3ffff", &rc); /* between blocks */
	CHECK_INT(rc, 0);
	CHECK(t && strstr(t, "(none: reads 0, writes dropped) -"));
	free(t);
	free(describe(h, "NOPE", &rc));
	CHECK(rc != 0);
	free(describe(h, "0x80000", &rc)); /* beyond BAR0 */
	CHECK(rc != 0);
	h_destroy(h);
}

/* A look does not clear what the driver's read would. */
static void test_peek_has_no_side_effects(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	int rc;
	fbnic_pcs_add_fec_errors(h->dev, 5, 0);
	char *t = describe(h, "RSFEC_CCW_LO[0]", &rc);
	CHECK(t && strstr(t, " 0x00000005\n"));
	free(t);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RSFEC_CCW_LO(0)), 5); /* still there */
	CHECK_EQ(h_rd32(h, 0, FBNIC_RSFEC_CCW_LO(0)), 0); /* the read cleared */
	/* PCS STAT1 latches a lost link low until read */
	fbnic_link_set(h->dev, false);
	fbnic_link_set(h->dev, true);
	t = describe(h, "PCS[0].STAT1", &rc);
	CHECK(t && strstr(t, " 0x00000000\n"));
	free(t);
	CHECK_EQ(h_rd32(h, 0, FBNIC_PCS_PAGE(0) + FBNIC_PCS_STAT1), 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_PCS_PAGE(0) + FBNIC_PCS_STAT1),
		 FBNIC_PCS_STAT1_LSTATUS);
	h_destroy(h);
}

/* A reset clears only the chunks written since the last one (dev.h's
 * setters mark them): after every register of both BARs was written and
 * queues ran traffic, the stores must equal a new device's, dword for
 * dword.  A block that stored a value without marking it fails here. */
static void test_reset_restores_every_register(void)
{
	struct harness *fresh = h_create(NULL), *h = h_create(NULL);
	REQUIRE(fresh && h);
	struct hnic n;
	hnic_up(&n, h, 0, 2, 256, 64, 256);
	static const uint8_t f[60] = { 0x02, 0xfb, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2,
				       0x08, 0x00 };
	CHECK(hnic_xmit(&n, f, sizeof(f), 0, 1));
	CHECK_INT(fbnic_port_rx(h->dev, f, sizeof(f)), 0);
	h_run(h);
	for (uint32_t i = 0; i < FBNIC_BAR0_DWORDS; i++)
		h_wr32(h, 0, i, 0xa5a5a5a5u ^ i);
	for (uint32_t i = 0; i < FBNIC_BAR4_DWORDS; i++)
		h_wr32(h, 4, i, 0x5a5a5a5au ^ i);
	h_run(h);
	fbnic_reset(h->dev);
	fbnic_reset(fresh->dev);
	uint32_t diffs = 0, first = 0;
	for (uint32_t i = 0; i < FBNIC_BAR0_DWORDS; i++)
		if (h->dev->csr[i] != fresh->dev->csr[i] && !diffs++)
			first = i;
	CHECK_INT(diffs, 0);
	if (diffs)
		fprintf(stderr, "# first BAR0 difference at 0x%05x: 0x%08x, new device 0x%08x\n",
			first, h->dev->csr[first], fresh->dev->csr[first]);
	CHECK(!memcmp(h->dev->fw_csr, fresh->dev->fw_csr,
		      FBNIC_BAR4_DWORDS * sizeof(uint32_t)));
	h_destroy(h);
	h_destroy(fresh);
}

TEST_MAIN("device-reg", TEST_CASE(test_describe),
	  TEST_CASE(test_peek_has_no_side_effects),
	  TEST_CASE(test_reset_restores_every_register))
