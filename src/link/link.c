/* SPDX-License-Identifier: Apache-2.0 */
#include "link.h"

#include <stddef.h>
#include <strings.h>

static const struct link_mode_info modes[] = {
	[LINK_MODE_25CR] = { "25cr", 25000, 1, false },
	[LINK_MODE_50CR2] = { "50cr2", 50000, 2, false },
	[LINK_MODE_50CR] = { "50cr", 50000, 1, true },
	[LINK_MODE_100CR2] = { "100cr2", 100000, 2, true },
};

static const char *const fecs[] = {
	[LINK_FEC_NONE] = "none",
	[LINK_FEC_RS] = "rs",
	[LINK_FEC_BASER] = "baser",
};

bool link_mode_valid(unsigned mode)
{
	return mode >= LINK_MODE_FIRST && mode <= LINK_MODE_LAST;
}

bool link_fec_valid(unsigned fec)
{
	return fec >= LINK_FEC_FIRST && fec <= LINK_FEC_LAST;
}

const struct link_mode_info *link_mode_info(unsigned mode)
{
	return link_mode_valid(mode) ? &modes[mode] : NULL;
}

unsigned link_speed_mbps(unsigned mode)
{
	return link_mode_valid(mode) ? modes[mode].speed_mbps : 0;
}

unsigned link_effective_fec(unsigned mode, unsigned fec)
{
	if (link_mode_valid(mode) && modes[mode].pam4)
		return LINK_FEC_RS;
	return link_fec_valid(fec) ? fec : LINK_FEC_RS;
}

const char *link_mode_name(unsigned mode)
{
	return link_mode_valid(mode) ? modes[mode].name : NULL;
}

const char *link_fec_name(unsigned fec)
{
	return link_fec_valid(fec) ? fecs[fec] : NULL;
}

int link_mode_parse(const char *s)
{
	for (unsigned m = LINK_MODE_FIRST; s && m <= LINK_MODE_LAST; m++)
		if (!strcasecmp(modes[m].name, s))
			return (int)m;
	return -1;
}

int link_fec_parse(const char *s)
{
	for (unsigned f = LINK_FEC_FIRST; s && f <= LINK_FEC_LAST; f++)
		if (!strcasecmp(fecs[f], s))
			return (int)f;
	return -1;
}

const char *link_mode_names(void)
{
	return "25cr, 50cr2, 50cr or 100cr2";
}

const char *link_fec_names(void)
{
	return "none, rs or baser";
}
