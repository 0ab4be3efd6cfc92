/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FBNIC_EMU_UNIX_SOCK_H
#define FBNIC_EMU_UNIX_SOCK_H

/* A listening AF_UNIX stream socket at path (a stale socket left by a
 * killed run is replaced).  Returns the fd, or -errno after one log line
 * naming `what` (-ENAMETOOLONG if path does not fit sun_path). */
int unix_listen(const char *path, const char *what);

#endif
