/* blob.c - large objects are read inside a transaction: one is held open
 * (read only) for as long as the analysis reads. */
#include "blob.h"

#include <libpq/libpq-fs.h>
#include <stdio.h>
#include <stdlib.h>

#include "db_int.h"

#define BLOB_READ_MAX (1 << 20) /* bytes per lo_read */

struct ewq_blob {
    ewq_db *db;
    int fd;
    char err[EWQ_ERR_MAX];
};

ewq_blob *ewq_blob_open(const char *conninfo, unsigned oid, char *err, size_t cap)
{
    ewq_blob *b = calloc(1, sizeof *b);
    if (!b || !(b->db = ewq_db_new(conninfo, "ewdiag worker"))) {
        snprintf(err, cap, "out of memory");
        free(b);
        return NULL;
    }
    b->fd = -1;
    if (ewq_db_connect(b->db) == EWQ_OK &&
        ewq_exec(b->db, "BEGIN TRANSACTION READ ONLY", 0, NULL) == EWQ_OK) {
        b->fd = lo_open(b->db->conn, (Oid)oid, INV_READ);
        if (b->fd < 0)
            ewq_fail_result(b->db, NULL);
    }
    if (b->fd < 0) {
        snprintf(err, cap, "uploaded bundle (large object %u): %s", oid, ewq_db_error(b->db));
        ewq_blob_free(b);
        return NULL;
    }
    return b;
}

long ewq_blob_read(void *ctx, void *buf, size_t cap)
{
    ewq_blob *b = ctx;
    int n = lo_read(b->db->conn, b->fd, buf, cap < BLOB_READ_MAX ? cap : BLOB_READ_MAX);
    if (n < 0) {
        ewq_fail_result(b->db, NULL);
        snprintf(b->err, sizeof b->err, "reading the uploaded bundle: %s", ewq_db_error(b->db));
    }
    return n;
}

const char *ewq_blob_error(const ewq_blob *b)
{
    return b->err;
}

void ewq_blob_free(ewq_blob *b)
{
    if (!b)
        return;
    ewq_db_free(b->db); /* the transaction ends with the connection */
    free(b);
}
