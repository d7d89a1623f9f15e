/* kind_trust.c - the trust store kind (ca_<host>_<ts>.pem): the node's
 * trusted CA certificates, read whole (bounded) and loaded with OpenSSL,
 * for the offline verdict on the chains the capture shows. */
#include "scan/scan_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/limits.h"

static bool ew_is_trust_name(const char *base)
{
    return ew_name_has_suffix(base, ".pem") && ew_name_has_prefix(base, "ca_");
}

static int ew_trust_begin(void *ctx, const ew_entry_meta *m, ew_entry *e)
{
    EW_UNUSED(e);
    return ew_scan_begin_lines(ctx, m);
}

static int ew_trust_feed(void *ctx, const char *buf, size_t n)
{
    ew_scan *s = ctx;
    ew_entry_scan *c = &s->cur;
    if (c->too_big || c->pem.len + n > EW_MAX_TRUST_FILE) {
        c->too_big = true;
        return 0;
    }
    return ew_buf_append(&c->pem, buf, n);
}

/* Loads the store read: 0; EWDIAG_EFORMAT with why set when it is none;
 * EWDIAG_ENOMEM. */
static int ew_trust_load(ew_scan *s, char *why, size_t cap)
{
    ew_entry_scan *c = &s->cur;
    if (c->too_big) {
        snprintf(why, cap, "larger than %u bytes: not a trust store ewdiag reads",
                 EW_MAX_TRUST_FILE);
        return EWDIAG_EFORMAT;
    }
    ew_trust *t = NULL;
    size_t n = 0;
    ew_err err = {0, ""};
    int rc = ew_trust_load_pem(&t, c->pem.p ? c->pem.p : "", c->pem.len, &n, &err);
    if (rc != 0) {
        snprintf(why, cap, "%s", err.msg);
        return rc;
    }
    ew_trusts *ts = &s->res.trusts;
    if (ew_grow(&ts->v, &ts->cap, ts->n + 1, sizeof *ts->v) != 0) {
        ew_trust_free(t);
        return EWDIAG_ENOMEM;
    }
    ew_trust_file *tf = &ts->v[ts->n++];
    tf->node = ew_strndup(c->default_node.p, c->default_node.n);
    tf->path = ew_strdup(c->meta->path);
    tf->ncerts = n;
    tf->trust = t;
    return tf->node && tf->path ? 0 : EWDIAG_ENOMEM;
}

static int ew_trust_end(void *ctx, ew_entry *e, const char *read_error)
{
    ew_scan *s = ctx;
    char why[320];
    int rc = read_error ? 0 : ew_trust_load(s, why, sizeof why);
    ew_buf_clear(&s->cur.pem);
    if (rc == EWDIAG_ENOMEM)
        return rc;
    return ew_scan_end_lines(s, NULL, e, rc != 0 ? why : read_error);
}

const ew_kind ew_kind_trusted_ca =
    EW_PUSH_KIND(EW_ROLE_TRUSTED_CA, ew_is_trust_name, NULL, ew_trust);
