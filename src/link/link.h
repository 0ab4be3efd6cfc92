/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Ethernet link modes and FEC of an fbnic port: one table of mode,
 * speed, lanes, modulation and names, used by the PCS and MAC (what runs),
 * the firmware model (what FW_CAP_RESP reports), the command line and the
 * control channel.  A leaf: it depends on nothing.
 *
 * The numbers are the firmware's: FW_CAP_RESP FW_LINK_SPEED / FW_LINK_FEC
 * (7.3 fbnic_fw.h FBNIC_FW_LINK_MODE_* / FBNIC_FW_LINK_FEC_*, 6.12
 * FBNIC_FW_LINK_SPEED_*, same values).  The driver derives its AUI and FEC
 * from that report (fbnic_mac_get_fw_settings), so the PCS must run the
 * same: PAM4 modes force RS-FEC.
 */
#ifndef FBNIC_EMU_LINK_LINK_H
#define FBNIC_EMU_LINK_LINK_H

#include <stdbool.h>

enum link_mode {
	LINK_MODE_25CR = 1,   /* 25G, 1 lane NRZ, 25GBASE-R */
	LINK_MODE_50CR2 = 2,  /* 50G, 2 lanes NRZ, LAUI-2 */
	LINK_MODE_50CR = 3,   /* 50G, 1 lane PAM4, 50GAUI-1: RS forced */
	LINK_MODE_100CR2 = 4, /* 100G, 2 lanes PAM4, 100GAUI-2: RS forced */
};
#define LINK_MODE_FIRST LINK_MODE_25CR
#define LINK_MODE_LAST LINK_MODE_100CR2

enum link_fec {
	LINK_FEC_NONE = 1,
	LINK_FEC_RS = 2,
	LINK_FEC_BASER = 3,
};
#define LINK_FEC_FIRST LINK_FEC_NONE
#define LINK_FEC_LAST LINK_FEC_BASER

struct link_mode_info {
	const char *name;     /* "25cr", as the command line spells it */
	unsigned speed_mbps;
	unsigned lanes;       /* electrical lanes */
	bool pam4;            /* PAM4 modulation: RS-FEC is mandatory */
};

bool link_mode_valid(unsigned mode);
bool link_fec_valid(unsigned fec);
/* NULL for an invalid mode. */
const struct link_mode_info *link_mode_info(unsigned mode);
/* 0 for an invalid mode. */
unsigned link_speed_mbps(unsigned mode);
/* The FEC the link runs: RS for PAM4 modes, else the configured one (RS
 * when that is not a valid FEC). */
unsigned link_effective_fec(unsigned mode, unsigned fec);

/* Names ("25cr", "rs"), case-insensitive on parse; NULL / -1 if unknown. */
const char *link_mode_name(unsigned mode);
const char *link_fec_name(unsigned fec);
int link_mode_parse(const char *s);
int link_fec_parse(const char *s);
/* "25cr, 50cr2, 50cr or 100cr2" / "none, rs or baser", for messages. */
const char *link_mode_names(void);
const char *link_fec_names(void);

#endif
