/* blob.h - an uploaded bundle read back from its large object, chunk by
 * chunk, on a connection of its own (the analysis child's). */
#ifndef EWDIAG_QUEUE_BLOB_H
#define EWDIAG_QUEUE_BLOB_H

#include <stddef.h>

typedef struct ewq_blob ewq_blob;

/* Opens large object `oid` of the database conninfo names (NULL: libpq's
 * environment); NULL with err set (cap bytes) on failure. */
ewq_blob *ewq_blob_open(const char *conninfo, unsigned oid, char *err, size_t cap);
/* An ewdiag_read_fn: the next bytes, 0 at the end, -1 on error. */
long ewq_blob_read(void *ctx, void *buf, size_t cap);
/* Why reading failed; "" if it did not. */
const char *ewq_blob_error(const ewq_blob *b);
void ewq_blob_free(ewq_blob *b);

#endif
