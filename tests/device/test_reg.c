/* SPDX-License-Identifier: Apache-2.0 */
/* The control channel's register lookup (fbnic_reg_describe): block, name
 * and the value the guest would read, without consuming clear-on-read
 * counters or latches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/csr.h"
#include "dev/pcs.h"
#include "harness.h"
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

TEST_MAIN("device-reg", TEST_CASE(test_describe),
	  TEST_CASE(test_peek_has_no_side_effects))
