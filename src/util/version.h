/* SPDX-License-Identifier: Apache-2.0 */
/* fbnic-emu's version: the VERSION file's, with the git commit it was
 * built from when built in a git checkout ("0.1.0 (git 1a2b3c4)"). */
#ifndef FBNIC_EMU_VERSION_H
#define FBNIC_EMU_VERSION_H

const char *fbnic_emu_version(void);

#endif
