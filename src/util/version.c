/* SPDX-License-Identifier: Apache-2.0 */
#include "util/version.h"

#include "version-gen.h" /* FBNIC_EMU_VERSION_STR, made by the Makefile */

const char *fbnic_emu_version(void)
{
	return FBNIC_EMU_VERSION_STR;
}
