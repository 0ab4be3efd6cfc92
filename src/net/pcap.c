/* SPDX-License-Identifier: Apache-2.0 */
#include "pcap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

/* The whole of iov, resuming after a short write (a regular file only
 * writes short when the disk is full, which then fails). */
static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int pcap_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = errno;
		log_err("pcap", "cannot create %s: %s", path, strerror(err));
		return -err;
	}
	/* struct pcap_file_header (pcap-savefile(5)): no padding. */
	struct {
		uint32_t magic;
		uint16_t version_major, version_minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = { .magic = PCAP_MAGIC_USEC,
		  .version_major = PCAP_VERSION_MAJOR,
		  .version_minor = PCAP_VERSION_MINOR,
		  .snaplen = PCAP_SNAPLEN,
		  .linktype = PCAP_LINKTYPE_ETHERNET };
	_Static_assert(sizeof(hdr) == 24, "pcap file header");
	struct iovec iov = { &hdr, sizeof(hdr) };
	int r = write_all(fd, &iov, 1);
	if (r) {
		log_err("pcap", "cannot write %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}

int pcap_record(int fd, const void *frame, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint32_t incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : (uint32_t)len;
	/* struct pcap_sf_pkthdr: 32-bit seconds and microseconds. */
	uint32_t rec[4] = { (uint32_t)ts.tv_sec, (uint32_t)(ts.tv_nsec / 1000),
			    incl, (uint32_t)len };
	struct iovec iov[2] = { { rec, sizeof(rec) }, { (void *)frame, incl } };
	return write_all(fd, iov, 2);
}
