/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Classic pcap capture files (the libpcap format,
 * https://www.tcpdump.org/manpages/pcap-savefile.5.txt, and
 * draft-ietf-opsawg-pcap): a 24-byte file header
 *
 *	magic 0xa1b2c3d4 (microsecond timestamps), version 2.4,
 *	thiszone 0, sigfigs 0, snaplen 65535, linktype 1 (LINKTYPE_ETHERNET)
 *
 * then one record per frame: ts_sec, ts_usec, incl_len, orig_len (4
 * bytes each) and incl_len bytes of the frame.  Every field is in the
 * writer's byte order, as libpcap writes it (readers tell it from the
 * magic).
 *
 * A record goes out in one writev(2) on an unbuffered fd, so a killed
 * process leaves a file that ends at a record boundary.
 */
#ifndef FBNIC_EMU_NET_PCAP_H
#define FBNIC_EMU_NET_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2u
#define PCAP_VERSION_MINOR 4u
#define PCAP_SNAPLEN 65535u
#define PCAP_LINKTYPE_ETHERNET 1u

/* Create (or truncate) path and write the file header: the fd, or -errno
 * after one log line. */
int pcap_create(const char *path);
/* One record stamped with the real-time clock, the frame cut to the
 * snaplen: 0 or -errno. */
int pcap_record(int fd, const void *frame, size_t len);

#endif
