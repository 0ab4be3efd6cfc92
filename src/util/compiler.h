/* SPDX-License-Identifier: Apache-2.0 */
/* Compiler attributes shared by every layer. */
#ifndef FBNIC_EMU_UTIL_COMPILER_H
#define FBNIC_EMU_UTIL_COMPILER_H

/* Code whose branches tell the fuzzer nothing -- address decoding, hot on
 * every register access (the handler it finds has its own coverage), the
 * fixed loops of a reset or a disconnect, run for every input: clang's
 * coverage instrumentation (the fuzz build) skips it (not inlined: the
 * instrumentation would follow the code into its caller). */
#if defined(__clang__)
#define FBNIC_NO_COVERAGE __attribute__((no_sanitize("coverage"), noinline))
#else
#define FBNIC_NO_COVERAGE
#endif

#endif
