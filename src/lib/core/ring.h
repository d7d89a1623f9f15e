/* ring.h - a fixed-size ring of owned strings. */
#ifndef EW_RING_H
#define EW_RING_H

#include "core/ew.h"

/* A fixed-size ring of owned strings: the latest `cap` pushed. */
typedef struct ew_ring {
    char **v;
    size_t cap;
    size_t n;    /* how many held, <= cap */
    size_t head; /* index of the oldest */
} ew_ring;

/* Its room is allocated at the first push. */
int ew_ring_init(ew_ring *r, size_t cap);
int ew_ring_push(ew_ring *r, const char *s, size_t n);
/* The length of the string the next push drops (0 when none). */
size_t ew_ring_evicts(const ew_ring *r);
const char *ew_ring_get(const ew_ring *r, size_t i); /* 0 = oldest */
void ew_ring_free(ew_ring *r);

#endif /* EW_RING_H */
