/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Microsoft's RSS verification table ("Verifying the RSS Hash
 * Calculation"): its 40-byte key and its IPv4 and IPv6 rows, with the
 * hash of each row with and without ports.  Shared by the Toeplitz tests
 * and the classifier's.
 *
 * The table lists each row's destination first, then its source; the
 * hash takes the source first.  Here each row is written source ->
 * destination.  (Pairing an address with the other side's port, e.g.
 * ff02::1 with port 14230, gives other values: in the table ff02::1 is the
 * destination of the second IPv6 row, port 4739, and fe80::200:f8ff:
 * fe21:67cf that of the third, port 38024.)
 */
#ifndef FBNIC_EMU_TESTS_MSRSS_H
#define FBNIC_EMU_TESTS_MSRSS_H

#include <stddef.h>
#include <stdint.h>

struct msrss_row {
	const char *src, *dst; /* inet_pton text */
	uint16_t sport, dport;
	uint32_t with_ports, without_ports;
};

extern const uint8_t msrss_key[40];
extern const struct msrss_row msrss_rows4[];
extern const size_t msrss_nrows4;
extern const struct msrss_row msrss_rows6[];
extern const size_t msrss_nrows6;

#endif
