/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The register map's names and blocks: every named register round-trips
 * name -> index -> name, sits inside a block of the one block table, and
 * no index has two names; the block tables are sorted and disjoint.
 */
#include <stdio.h>
#include <string.h>

#include "dev/csr.h"
#include "dev/csr_names.h"
#include "dev/regs.h"
#include "test.h"

static void check_sorted(const struct reg_block *const *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		CHECK(t[i]->first <= t[i]->last);
		if (i)
			CHECK(t[i - 1]->last < t[i]->first);
	}
}

static void test_block_tables_sorted(void)
{
	check_sorted(fbnic_bar0_blocks, fbnic_bar0_nblocks);
	check_sorted(fbnic_bar4_blocks, fbnic_bar4_nblocks);
	CHECK(reg_block_find(fbnic_bar0_blocks, fbnic_bar0_nblocks,
			     FBNIC_MAC_COMMAND_CONFIG) != NULL);
	CHECK(reg_block_find(fbnic_bar0_blocks, fbnic_bar0_nblocks,
			     FBNIC_CSR_END_QUEUE + 1) == NULL);
}

static void round_trip(int bar, uint32_t idx, const char *what)
{
	char name[64];
	int b = -1;
	uint32_t back = 0;
	if (fbnic_csr_name(bar, idx, name, sizeof(name))) {
		test_fail(__FILE__, __LINE__, "%s: no name for bar%d 0x%05x",
			  what, bar, idx);
		return;
	}
	if (fbnic_csr_parse(name, &b, &back) || b != bar || back != idx)
		test_fail(__FILE__, __LINE__, "%s: %s parses to bar%d 0x%05x, "
			  "not bar%d 0x%05x", what, name, b, back, bar, idx);
	const struct reg_block *const *t = bar == 4 ? fbnic_bar4_blocks
						    : fbnic_bar0_blocks;
	unsigned n = bar == 4 ? fbnic_bar4_nblocks : fbnic_bar0_nblocks;
	if (!reg_block_find(t, n, idx))
		test_fail(__FILE__, __LINE__, "%s (bar%d 0x%05x) is in no block",
			  name, bar, idx);
}

static void test_every_name_round_trips(void)
{
	unsigned checked = 0;
	for (unsigned i = 0; i < fbnic_csr_nnames; i++) {
		const struct csr_name *c = &fbnic_csr_names[i];
		for (uint32_t e = 0; e < c->count; e++, checked++)
			round_trip(c->bar, c->first + e * c->stride, c->name);
	}
	for (unsigned q = 0; q < FBNIC_MAX_QUEUES; q += 37)
		for (unsigned i = 0; i < fbnic_csr_nqueue_names; i++, checked++)
			round_trip(0, FBNIC_QUEUE(q) + fbnic_csr_queue_names[i].first,
				   fbnic_csr_queue_names[i].name);
	for (unsigned p = 0; p < FBNIC_PCS_PAGES; p++)
		for (unsigned i = 0; i < fbnic_csr_npcs_names; i++, checked++)
			round_trip(0, FBNIC_PCS_PAGE(p) + fbnic_csr_pcs_names[i].first,
				   fbnic_csr_pcs_names[i].name);
	CHECK(checked > 1000);
}

static void test_parse(void)
{
	int bar;
	uint32_t idx;
	CHECK_INT(fbnic_csr_parse("INTR_MASK[3]", &bar, &idx), 0);
	CHECK_EQ(idx, FBNIC_INTR_MASK(3));
	CHECK_INT(fbnic_csr_parse("queue[5].twq0_ctl", &bar, &idx), 0);
	CHECK_EQ(idx, FBNIC_QUEUE(5) + FBNIC_QUEUE_TWQ0_CTL);
	/* Two-dimensional TCAMs: one array of entries per word. */
	CHECK_INT(fbnic_csr_parse("RPC_TCAM_ACT11[5]", &bar, &idx), 0);
	CHECK_EQ(idx, FBNIC_RPC_TCAM_ACT(5, 11));
	CHECK_INT(fbnic_csr_parse("rpc_tcam_ipdst8[7]", &bar, &idx), 0);
	CHECK_EQ(idx, FBNIC_RPC_TCAM_IPDST(7, 8));
	CHECK_INT(fbnic_csr_parse("RPC_RSS_TBL1[255]", &bar, &idx), 0);
	CHECK_EQ(idx, FBNIC_CSR_END_RPC_RAM);
	char name[64];
	CHECK_INT(fbnic_csr_name(0, FBNIC_RPC_TCAM_MACDA(31, 3), name,
				 sizeof(name)), 0);
	CHECK(strcmp(name, "RPC_TCAM_MACDA3[31]") == 0);
	CHECK_INT(fbnic_csr_parse("bar4:0x6000", &bar, &idx), 0);
	CHECK_INT(bar, 4);
	CHECK_EQ(idx, FBNIC_CSR_START_IPC_MBX);
	CHECK_INT(fbnic_csr_parse("0x11002", &bar, &idx), 0);
	CHECK_INT(bar, 0);
	CHECK_EQ(idx, FBNIC_MAC_COMMAND_CONFIG);
	static const char *const bad[] = {
		"", "NOPE", "INTR_MASK[8]", "INTR_MASK[", "INTR_MASK[1]x",
		"QUEUE[128].TWQ0_CTL", "QUEUE.TWQ0_CTL", "PCS[2].STAT1",
		"QUEUE[1].NOPE", "0x11002z", "bar9:1", "99999999999",
		"RPC_TCAM_ACT12[0]", "RPC_TCAM_ACT0[64]", "RPC_TCAM_IPSRC9[0]",
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fbnic_csr_parse(bad[i], &bar, &idx) == 0)
			test_fail(__FILE__, __LINE__, "'%s' parsed", bad[i]);
}

/* No two names for one index. */
static void test_names_unique(void)
{
	for (unsigned i = 0; i < fbnic_csr_nnames; i++)
		for (unsigned j = i + 1; j < fbnic_csr_nnames; j++) {
			const struct csr_name *a = &fbnic_csr_names[i];
			const struct csr_name *b = &fbnic_csr_names[j];
			CHECK(strcmp(a->name, b->name) != 0);
			if (a->bar != b->bar)
				continue;
			for (uint32_t e = 0; e < a->count; e++) {
				uint32_t x = a->first + e * a->stride;
				if (x >= b->first && (x - b->first) % b->stride == 0 &&
				    (x - b->first) / b->stride < b->count)
					test_fail(__FILE__, __LINE__, "%s and %s share "
						  "0x%05x", a->name, b->name, x);
			}
		}
}

TEST_MAIN("unit-csr-names", TEST_CASE(test_block_tables_sorted),
	  TEST_CASE(test_every_name_round_trips), TEST_CASE(test_parse),
	  TEST_CASE(test_names_unique))
