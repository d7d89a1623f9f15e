/* db_int.h - inside the store module: the connection and the query
 * helpers every statement goes through (parameters always bound). */
#ifndef EWDIAG_QUEUE_DB_INT_H
#define EWDIAG_QUEUE_DB_INT_H

#include <libpq-fe.h>

#include "db.h"

#define EWQ_ERR_MAX 512

/* The statements run for every job, prepared once per connection (their
 * planning cost more than their execution). */
typedef enum ewq_stmt {
    EWQ_STMT_CLAIM,
    EWQ_STMT_COMPLETE,
    EWQ_STMT_DONE_BY,
    EWQ_STMT_FAIL,
    EWQ_STMT_HEARTBEAT,
    EWQ_NSTMTS
} ewq_stmt;

struct ewq_db {
    PGconn *conn;
    unsigned prepared; /* bit i: statement i is prepared on conn */
    char *conninfo; /* NULL: libpq's environment */
    char *app;
    char err[EWQ_ERR_MAX];
};

/* Sets the error from a format; returns `code`. */
int ewq_fail(ewq_db *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets the error from a failed result (NULL: none came): the server's
 * primary message when it answered, why the connection failed when not. */
void ewq_fail_result(ewq_db *db, const PGresult *r);

/* Runs sql with n text parameters (NULL is SQL NULL); the result when its
 * status is `want`, else NULL with the error set (the server's primary
 * message, or why the connection failed). */
PGresult *ewq_query(ewq_db *db, const char *sql, int n, const char *const *params,
                    ExecStatusType want);
/* The same through a statement prepared on first use on this connection. */
PGresult *ewq_query_prepared(ewq_db *db, ewq_stmt id, const char *sql, int n,
                             const char *const *params, ExecStatusType want);
/* The same for a statement whose result is not wanted: EWQ_OK or EWQ_EDB. */
int ewq_exec(ewq_db *db, const char *sql, int n, const char *const *params);

/* Text <-> numbers for parameters and columns. */
#define EWQ_NUM_MAX 24
const char *ewq_i64(char buf[EWQ_NUM_MAX], int64_t v);
int64_t ewq_col_i64(const PGresult *r, int row, int col);     /* 0 when NULL */
const char *ewq_col_str(const PGresult *r, int row, int col); /* "" when NULL */
/* A strdup of a column, "" when NULL; NULL if out of memory. */
char *ewq_col_dup(const PGresult *r, int row, int col);
/* Microseconds since 1970 of an epoch-seconds column; 0 when NULL. */
int64_t ewq_col_usec(const PGresult *r, int row, int col);

#endif
