/* alloc.c - the torture build's allocation counter (see alloc.h). The
 * counter is process-wide on purpose: it exists only in that test build,
 * whose test runs one analysis at a time. */
#include "core/alloc.h"

#ifdef EW_ALLOC_TORTURE
#include <stdatomic.h>

static atomic_ulong ew_count;
static atomic_ulong ew_fail_at;

void ew_alloc_torture(unsigned long fail_at)
{
    atomic_store(&ew_count, 0);
    atomic_store(&ew_fail_at, fail_at);
}

unsigned long ew_alloc_count(void)
{
    return atomic_load(&ew_count);
}

/* Counts one allocation; true when it is the one to fail. */
static int ew_fails(void)
{
    unsigned long n = atomic_fetch_add(&ew_count, 1) + 1;
    unsigned long at = atomic_load(&ew_fail_at);
    return at != 0 && n == at;
}

void *ew_malloc(size_t n)
{
    return ew_fails() ? NULL : malloc(n);
}

void *ew_calloc(size_t n, size_t size)
{
    return ew_fails() ? NULL : calloc(n, size);
}

void *ew_realloc(void *p, size_t n)
{
    return ew_fails() ? NULL : realloc(p, n);
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int ew_alloc_plain;
#endif
