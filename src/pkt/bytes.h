/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network byte order loads and stores for src/pkt/.  Byte by byte, so they
 * need no alignment and mean the same on any host.
 */
#ifndef FBNIC_EMU_PKT_BYTES_H
#define FBNIC_EMU_PKT_BYTES_H

#include <stdint.h>

static inline uint16_t pkt_get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t pkt_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void pkt_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pkt_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
