/* timeline.h - when things happened, at a bounded cost: sorted marks of
 * (time, count) whose resolution doubles when there are too many. */
#ifndef EW_TIMELINE_H
#define EW_TIMELINE_H

#include <ewdiag.h>

#include "core/ew.h"

/* Marks kept at most, and the first resolution (1 ms). */
#define EW_TIMELINE_MAX 256
#define EW_TIMELINE_RES0 INT64_C(1000)

typedef struct ew_mark {
    int64_t t; /* start of the mark: a multiple of the resolution */
    uint64_t n;
} ew_mark;

typedef struct ewdiag_timeline {
    ew_mark *v;
    size_t n, cap;
    int64_t res; /* microseconds; 0 until the first mark */
} ew_timeline;

/* Counts one thing at t (UTC microseconds; 0, unknown, is not counted).
 * 0, or EWDIAG_ENOMEM (the timeline is as before). */
int ew_timeline_add(ew_timeline *tl, int64_t t);
void ew_timeline_free(ew_timeline *tl);

#endif /* EW_TIMELINE_H */
