/* SPDX-License-Identifier: Apache-2.0 */
#include "counters.h"

#include <string.h>

void counters_dump(FILE *out, const char *prefix, const void *base,
		   const struct counter_desc *tbl, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s.%s %llu\n", prefix, tbl[i].name,
			(unsigned long long)counter_get(base, &tbl[i]));
}

long long counters_find(const void *base, const struct counter_desc *tbl,
			size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tbl[i].name, name))
			return (long long)counter_get(base, &tbl[i]);
	return -1;
}
