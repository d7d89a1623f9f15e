/* alloc.h - every allocation of the library goes through these, so that a
 * test build (-Dalloc_torture=true) can fail the N-th one, as curl's
 * torture tests do, and show that no failure crashes or leaks. In other
 * builds they are malloc() and friends, inline. */
#ifndef EW_ALLOC_H
#define EW_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

#ifdef EW_ALLOC_TORTURE
void *ew_malloc(size_t n);
void *ew_calloc(size_t n, size_t size);
void *ew_realloc(void *p, size_t n);
/* Fails the fail_at-th allocation from now on (1 = the next; 0: none), as
 * curl's torture tests do; counts them either way. */
void ew_alloc_torture(unsigned long fail_at);
/* Allocations made since ew_alloc_torture() was last called. */
unsigned long ew_alloc_count(void);
#else
static inline void *ew_malloc(size_t n)
{
    return malloc(n);
}

static inline void *ew_calloc(size_t n, size_t size)
{
    return calloc(n, size);
}

static inline void *ew_realloc(void *p, size_t n)
{
    return realloc(p, n);
}
#endif

/* Frees the n pointers of p: the owned fields of a struct, at once. */
static inline void ew_free_all(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
}
#define EW_FREE_ALL(...)                                                                           \
    ew_free_all((void *const[]){__VA_ARGS__}, sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))

#endif /* EW_ALLOC_H */
