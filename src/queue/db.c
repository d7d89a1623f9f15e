/* db.c - the connection: made with bounded timeouts so that a dead server
 * or a cut network is noticed instead of waited on; errors as one line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

/* Defaults the user's conninfo may override (it is expanded last). */
#define CONNECT_TIMEOUT_S "10"
#define KEEPALIVE_IDLE_S "30"
#define KEEPALIVE_INTERVAL_S "10"
#define KEEPALIVE_COUNT "3"
#define TCP_USER_TIMEOUT_MS "60000"

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

ewq_db *ewq_db_new(const char *conninfo, const char *app)
{
    ewq_db *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    db->conninfo = dup_or_null(conninfo);
    db->app = strdup(app ? app : "ewdiag");
    if ((conninfo && *conninfo && !db->conninfo) || !db->app) {
        ewq_db_free(db);
        return NULL;
    }
    return db;
}

void ewq_db_free(ewq_db *db)
{
    if (!db)
        return;
    if (db->conn)
        PQfinish(db->conn);
    free(db->conninfo);
    free(db->app);
    free(db);
}

/* libpq's messages span lines ("...failed: ...\n\tIs the server running
 * ..."): one line, the parts joined. */
static void one_line(char *dst, size_t cap, const char *prefix, const char *msg)
{
    size_t n = (size_t)snprintf(dst, cap, "%s", prefix);
    for (const char *p = msg; *p && n + 1 < cap; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r') {
            while (p[1] == '\n' || p[1] == '\t' || p[1] == '\r' || p[1] == ' ')
                p++;
            if (p[1] && n > 0 && dst[n - 1] != ' ')
                dst[n++] = ' ';
            continue;
        }
        dst[n++] = *p;
    }
    dst[n < cap ? n : cap - 1] = '\0';
}

int ewq_fail(ewq_db *db, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (db) /* a failed connect has no handle to keep the message on */
        vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    return code;
}

static void ignore_notice(void *ctx, const char *message)
{
    (void)ctx;
    (void)message;
}

int ewq_db_connect(ewq_db *db)
{
    if (!db)
        return EWQ_ENOMEM;
    if (db->conn)
        PQfinish(db->conn);
    const char *keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval",
                          "keepalives_count", "tcp_user_timeout", "fallback_application_name",
                          "dbname", NULL};
    const char *vals[] = {CONNECT_TIMEOUT_S,   KEEPALIVE_IDLE_S, KEEPALIVE_INTERVAL_S,
                          KEEPALIVE_COUNT,     TCP_USER_TIMEOUT_MS, db->app,
                          db->conninfo,        NULL};
    int first = getenv("PGCONNECT_TIMEOUT") ? 1 : 0; /* the environment's wins */
    if (!db->conninfo)
        keys[6] = vals[6] = NULL;
    db->prepared = 0;
    db->conn = PQconnectdbParams(keys + first, vals + first, 1);
    if (!db->conn)
        return ewq_fail(db, EWQ_ENOMEM, "out of memory");
    if (PQstatus(db->conn) != CONNECTION_OK) {
        one_line(db->err, sizeof db->err, "cannot connect to the database: ",
                 PQerrorMessage(db->conn));
        return EWQ_EDB;
    }
    /* Notices ("already exists, skipping") are not for the user. */
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
    db->err[0] = '\0';
    return EWQ_OK;
}

bool ewq_db_lost(const ewq_db *db)
{
    return !db || !db->conn || PQstatus(db->conn) != CONNECTION_OK;
}

const char *ewq_db_error(const ewq_db *db)
{
    return db ? db->err : "out of memory";
}

void ewq_fail_result(ewq_db *db, const PGresult *r)
{
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *msg = db->conn ? PQerrorMessage(db->conn) : "";
    if (!ewq_db_lost(db))
        one_line(db->err, sizeof db->err, "database: ", primary ? primary : msg);
    else
        one_line(db->err, sizeof db->err, "database connection lost: ",
                 *msg ? msg : "no connection");
}

static PGresult *checked(ewq_db *db, PGresult *r, ExecStatusType want);

PGresult *ewq_query(ewq_db *db, const char *sql, int n, const char *const *params,
                    ExecStatusType want)
{
    if (!db->conn) {
        ewq_fail(db, EWQ_EDB, "database connection lost: no connection");
        return NULL;
    }
    return checked(db, PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0), want);
}

/* A result of the wanted status, or NULL with the error set. */
static PGresult *checked(ewq_db *db, PGresult *r, ExecStatusType want)
{
    if (r && PQresultStatus(r) == want)
        return r;
    if (!r && PQstatus(db->conn) == CONNECTION_OK)
        ewq_fail(db, EWQ_ENOMEM, "out of memory");
    else
        ewq_fail_result(db, r);
    PQclear(r);
    return NULL;
}

PGresult *ewq_query_prepared(ewq_db *db, ewq_stmt id, const char *sql, int n,
                             const char *const *params, ExecStatusType want)
{
    char name[EWQ_NUM_MAX];
    snprintf(name, sizeof name, "ewq_%d", (int)id);
    if (!db->conn) {
        ewq_fail(db, EWQ_EDB, "database connection lost: no connection");
        return NULL;
    }
    if (!(db->prepared & (1u << id))) {
        PGresult *r = checked(db, PQprepare(db->conn, name, sql, n, NULL), PGRES_COMMAND_OK);
        if (!r)
            return NULL;
        PQclear(r);
        db->prepared |= 1u << id;
    }
    return checked(db, PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0), want);
}

int ewq_exec(ewq_db *db, const char *sql, int n, const char *const *params)
{
    PGresult *r = ewq_query(db, sql, n, params, PGRES_COMMAND_OK);
    if (!r)
        return EWQ_EDB;
    PQclear(r);
    return EWQ_OK;
}

const char *ewq_i64(char buf[EWQ_NUM_MAX], int64_t v)
{
    snprintf(buf, EWQ_NUM_MAX, "%lld", (long long)v);
    return buf;
}

int64_t ewq_col_i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

const char *ewq_col_str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

char *ewq_col_dup(const PGresult *r, int row, int col)
{
    return strdup(ewq_col_str(r, row, col));
}

int64_t ewq_col_usec(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return (int64_t)(strtod(PQgetvalue(r, row, col), NULL) * 1e6);
}
