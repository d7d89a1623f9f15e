/* dbpool.h - ewdiag serve's connections to the store (src/queue/db.h): one
 * per worker thread, as libpq wants, made when first needed and made again
 * after a loss; and what the threads know together of the database's
 * health, so that while it is unreachable a request is answered 503 at
 * once, on the HTTP thread, instead of each waiting for a connection
 * timeout. Attempts to reach it back off from 0.1 s to 10 s (with jitter),
 * one thread trying while the others answer. */
#ifndef EWDIAG_SERVE_DBPOOL_H
#define EWDIAG_SERVE_DBPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "../queue/db.h"
#include "workers.h"

#define DB_MSG_MAX 512

typedef struct dbhealth dbhealth;
typedef struct dbconn dbconn;

/* The health of the database conninfo names (NULL: libpq's environment);
 * NULL when out of memory. */
dbhealth *dbhealth_new(const char *conninfo);
void dbhealth_free(dbhealth *h);
/* Records a failed attempt (why: one line) as the threads' attempts do. */
void dbhealth_failed(dbhealth *h, const char *why);
/* Whether the database is known unreachable now: then *retry_s (at least
 * 1) until the next attempt, and why in msg. Never waits on the database. */
bool dbhealth_down(dbhealth *h, unsigned *retry_s, char *msg, size_t cap);
/* Whether the last attempt to reach the database worked. */
bool dbhealth_up(dbhealth *h);

/* n workers (workers.h), each with a connection: their work gets the
 * dbconn * as its context. `queued`: work that may wait for a worker. */
workers *dbpool_start(dbhealth *h, unsigned n, unsigned queued);

/* On a worker: its connection, made (or made again) if it has none or the
 * database was found down, with the schema checked. NULL with why in msg
 * (cap bytes) when the database cannot be used now. */
ewq_db *dbconn_get(dbconn *c, char *msg, size_t cap);
/* After an operation on the connection failed: whether because the
 * connection is lost (then the next dbconn_get() makes another, and a
 * caller whose operation can be repeated may do so once). */
bool dbconn_lost(dbconn *c);

#endif
