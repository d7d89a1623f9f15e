/* group.h - events -> groups: the findings of an input while it is read.
 * A group is the events of one rule on one node for one server (the rule's
 * group_by), with what was attached to it: evidence lines, failed requests,
 * the explanations its rule gives. The report is built from them at the
 * end; nothing here is the report's. */
#ifndef EW_GROUP_H
#define EW_GROUP_H

#include "core/index.h"
#include "core/limits.h"
#include "core/ring.h"
#include "core/timeline.h"
#include "scan/event.h"

typedef struct ew_variant {
    char *error;
    int depth;
    uint64_t count;
} ew_variant;

typedef struct ew_url {
    char *url;
    char *mra; /* decoded MRA segment "domain/protocol/host/port", NULL if none */
} ew_url;

typedef struct ew_group {
    char *key;           /* group key, for lookup */
    const ew_rule *rule; /* the analyzer's: lives as long as the rules */
    char *node, *server, *address, *target, *error;
    int enforced; /* 1, 0, -1 unknown */
    int depth;    /* -1 unknown */
    uint64_t count;
    uint64_t requests;
    int64_t first_seen, last_seen;
    ew_ring evidence; /* lines of its own events */
    ew_ring related;  /* lines attached to it: errors, responses */
    char *explanations[EW_MAX_EXPLANATIONS]; /* its rule's, expanded */
    size_t nexplanations;
    ew_variant variants[EW_MAX_VARIANTS];
    size_t nvariants;
    unsigned ports[EW_MAX_PORTS];
    size_t nports;
    ew_url urls[EW_MAX_URLS];
    size_t nurls;
    ew_timeline event_times;
    ew_timeline request_times;
} ew_group;

/* What a group set keeps at most (options evidence, attach-window,
 * max-findings, max-evidence-bytes). */
typedef struct ew_group_limits {
    size_t evidence;   /* lines kept per group */
    int64_t window_us; /* attach window */
    size_t max_groups;
    size_t max_line_bytes; /* of evidence and related lines, all groups */
} ew_group_limits;

/* A name a group answers to (address, target, server) on its node, for
 * the lines attached by name: hash of (node, name), group index + 1. */
typedef struct ew_name_slot {
    uint64_t hash;
    uint32_t group; /* 0 = empty */
} ew_name_slot;

typedef struct ew_groups {
    ew_group_limits lim;
    ew_group **v;
    size_t n, cap;
    ew_index index; /* on the key */
    ew_name_slot *names; /* open addressing, several slots per group */
    size_t nnames, names_cap;
    size_t line_bytes;       /* evidence and related bytes held */
    uint64_t dropped_events; /* lines of groups beyond max_groups */
    uint64_t dropped_lines;  /* evidence lines beyond max_line_bytes */
    ew_buf key;     /* scratch for group keys */
    ew_buf scratch; /* scratch for explanation texts */
} ew_groups;

void ew_groups_init(ew_groups *gs, const ew_group_limits *lim);
/* Each returns 0, or EWDIAG_ENOMEM. */
int ew_groups_event(ew_groups *gs, const ew_event *ev);
/* An evidence rule's event: attached to a group, or dropped. */
int ew_groups_attach(ew_groups *gs, const ew_event *ev);
int ew_groups_failed_request(ew_groups *gs, const ew_failed_request *r);
/* Indexes a new group (the last one) by the names it answers to. 0, or
 * EWDIAG_ENOMEM. */
int ew_groups_index_names(ew_groups *gs);
/* Keeps a line in a ring of a group within max_line_bytes (else counts it
 * dropped). 0, or EWDIAG_ENOMEM. */
int ew_groups_keep_line(ew_groups *gs, ew_ring *ring, ew_span line);
/* Puts the groups in the report's stable order. */
void ew_groups_sort(ew_groups *gs);
/* Appends an explanation unless present or full. 0, or EWDIAG_ENOMEM. */
int ew_explanations_add(char **v, size_t *n, const char *text);
/* Frees what g holds (every explanation slot included); g is zeroed. */
void ew_group_clear(ew_group *g);
void ew_group_free(ew_group *g);
void ew_groups_free(ew_groups *gs);

#endif /* EW_GROUP_H */
