/* memtune - the process's malloc policy; see memtune.h */
#include "core/base/memtune.h"

#include <stdlib.h>	/* defines __GLIBC__ on glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define MEMTUNE_MMAP_THRESHOLD (128 * 1024)	/* glibc's default, made fixed (no dynamic raise) */

/* memtune_init - big blocks as mmaps of their own, unmapped when freed */
void memtune_init(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, MEMTUNE_MMAP_THRESHOLD);
#endif
}
