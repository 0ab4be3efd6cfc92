/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runner: serves the fbnic core over vfio-user.  It owns the device
 * lock that serialises every call into the core, the device thread that
 * runs deferred work and timers, the host services the core uses, and
 * the network backend with its thread (net/pump.h).
 *
 * Threads and locks: the protocol thread (vu_server) and the control
 * thread call into the core under the device lock; so does the device
 * thread, which may drop it inside a DMA.  The net thread takes the
 * device lock for each received frame (fbnic_port_rx, which may drop it
 * inside a DMA too) and link change (fbnic_port_link), and holds no
 * other lock meanwhile.  The backend's
 * own lock (net.h) is only ever taken after the device lock (port_send,
 * dump), never before it.
 */
#ifndef FBNIC_EMU_RUNNER_H
#define FBNIC_EMU_RUNNER_H

#include <stdio.h>

#include "dev/fbnic.h"
#include "vfio-user/vu_server.h"

struct runner;
struct net;

/* net: the network backend (net/net.h), owned by the runner from here on
 * (closed on failure too); NULL: none, the device's frames go nowhere. */
/* The vfio-user region accesses on dev (config space, BARs), as the
 * runner serves them, without its lock (the vfio-user fuzz target calls
 * them too). */
int runner_region_read(struct fbnic *dev, unsigned region, uint64_t off,
		       void *buf, uint32_t count);
int runner_region_write(struct fbnic *dev, unsigned region, uint64_t off,
			const void *buf, uint32_t count);
/* The vfio-user description of dev: its BARs, config space and MSI-X
 * (what runner_create serves; the vfio-user fuzz target too). */
void runner_device_desc(const struct fbnic *dev, struct vu_device_desc *desc);

struct sock_spec;
struct runner *runner_create(const struct sock_spec *sock,
			     const struct fbnic_config *cfg, struct net *net);
/* Serve until runner_stop(); returns 0. */
int runner_run(struct runner *r);
/* Async-signal-safe. */
void runner_stop(struct runner *r);
/* Offer BAR0's hot pages (fbnic_pci_layout.bar0_mmap) to the client as
 * shared memory, polled by the device thread (dev/shadow.h): guest
 * doorbells and re-arms then cost no message.  Before runner_run.  0, or
 * -1 (logged): everything stays trapped. */
int runner_map_bar0(struct runner *r);
/* vu_server_set_dma_timeout: before runner_run. */
void runner_set_dma_timeout(struct runner *r, unsigned ms);
void runner_destroy(struct runner *r);
/* Write the vfio-user server's counters, the network backend's and its
 * thread's, and the device lock's waits by thread.  Call with the device
 * lock held (runner_call: the control channel's commands). */
void runner_dump(struct runner *r, FILE *out);
/* Run fn(dev, arg) with the device lock held (control channel). */
void runner_call(struct runner *r, void (*fn)(struct fbnic *dev, void *arg),
		 void *arg);

#endif
