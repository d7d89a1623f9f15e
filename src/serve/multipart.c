/* multipart.c - streaming multipart/form-data: boundaries found across
 * chunks without copying the body (a delimiter's bytes that turn out not
 * to be one are given back from the delimiter itself), one part's headers
 * held at most, every malformation said in one line. */
#include "multipart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DELIM_PREFIX "\r\n--"
#define DELIM_PREFIX_LEN 4
#define MAX_PADDING 64 /* spaces allowed after a boundary (RFC 2046 transport padding) */

typedef enum {
    ST_PREAMBLE,
    ST_AFTER_DELIM,
    ST_DASH,
    ST_CR,
    ST_HEADERS,
    ST_BEGIN,
    ST_BODY,
    ST_END,
    ST_EPILOGUE,
    ST_ERROR
} mp_state;

struct mp_parser {
    mp_handler h;
    void *ctx;
    mp_state st;
    char delim[DELIM_PREFIX_LEN + MP_MAX_BOUNDARY + 1]; /* "\r\n--" boundary */
    size_t dlen;
    size_t m;         /* delimiter bytes matched so far */
    size_t flush;     /* held delimiter bytes still to give as data */
    size_t flush_off; /* from this offset of delim */
    size_t padding;
    char hdr[MP_MAX_HEADERS + 1];
    size_t hlen;
    char field[MP_MAX_PARAM + 1];
    char filename[MP_MAX_PARAM + 1];
    bool has_file;
    bool in_part;
    char error[MP_ERROR_MAX];
};

void mp_fail(mp_parser *p, const char *msg)
{
    if (p->st != ST_ERROR)
        snprintf(p->error, sizeof p->error, "%s", msg);
    p->st = ST_ERROR;
}

const char *mp_error(const mp_parser *p)
{
    return p->error;
}

static void mp_failf(mp_parser *p, const char *what, const char *detail)
{
    char msg[MP_ERROR_MAX];
    snprintf(msg, sizeof msg, "%s%s", what, detail);
    mp_fail(p, msg);
}

/* ---- Content-Type and Content-Disposition parameters ------------------ */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* The next "; key=value" of a header value: key and value copied out
 * (a quoted value unquoted). Returns the rest, or NULL at the end; *bad
 * set when the syntax is wrong or a value is longer than vmax. */
static const char *next_param(const char *s, char *key, size_t kmax, char *val, size_t vmax,
                              bool *bad)
{
    s = skip_ws(s);
    if (!*s)
        return NULL;
    if (*s++ != ';' || !*(s = skip_ws(s)))
        return *bad = true, NULL;
    size_t k = 0, v = 0;
    while (*s && *s != '=' && *s != ';' && *s != ' ' && *s != '\t' && k < kmax)
        key[k++] = *s++;
    key[k] = '\0';
    s = skip_ws(s);
    if (*s++ != '=' || k == 0 || k == kmax)
        return *bad = true, NULL;
    s = skip_ws(s);
    if (*s == '"') {
        /* Browsers send a backslash as it is (C:\path); only \" is an escape. */
        for (s++; *s && *s != '"'; s++) {
            if (*s == '\\' && s[1] == '"')
                s++;
            if (v == vmax)
                return *bad = true, NULL;
            val[v++] = *s;
        }
        if (*s++ != '"')
            return *bad = true, NULL;
    } else {
        while (*s && *s != ';' && *s != ' ' && *s != '\t' && v < vmax)
            val[v++] = *s++;
        if (v == vmax && *s && *s != ';' && *s != ' ' && *s != '\t')
            return *bad = true, NULL;
    }
    val[v] = '\0';
    return s;
}

static bool valid_boundary(const char *b)
{
    static const char bchars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                 "'()+_,-./:=? ";
    size_t n = strlen(b);
    return n >= 1 && n <= MP_MAX_BOUNDARY && strspn(b, bchars) == n && b[n - 1] != ' ';
}

bool mp_is_multipart(const char *ct)
{
    static const char type[] = "multipart/form-data";
    if (!ct)
        return false;
    ct = skip_ws(ct);
    size_t n = sizeof type - 1;
    return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

mp_parser *mp_new(const char *ct, const mp_handler *h, void *ctx, char *err, size_t errsz)
{
    char key[32], val[MP_MAX_BOUNDARY + 2], boundary[MP_MAX_BOUNDARY + 2] = "";
    bool bad = false;
    if (!mp_is_multipart(ct)) {
        snprintf(err, errsz, "%s", "not multipart/form-data");
        return NULL;
    }
    const char *s = skip_ws(ct) + strlen("multipart/form-data");
    while (!bad && (s = next_param(s, key, sizeof key - 1, val, sizeof val - 1, &bad)))
        if (strcasecmp(key, "boundary") == 0)
            memcpy(boundary, val, sizeof boundary);
    if (bad || !valid_boundary(boundary)) {
        snprintf(err, errsz, "%s",
                 bad ? "malformed Content-Type parameters"
                     : "multipart/form-data without a valid boundary (1 to 70 characters of "
                       "RFC 2046)");
        return NULL;
    }
    mp_parser *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errsz, "%s", "out of memory");
        return NULL;
    }
    p->h = *h;
    p->ctx = ctx;
    p->dlen = (size_t)snprintf(p->delim, sizeof p->delim, "%s%s", DELIM_PREFIX, boundary);
    p->m = 2; /* the first boundary may open the body without a CRLF before it */
    p->st = ST_PREAMBLE;
    return p;
}

void mp_free(mp_parser *p)
{
    free(p);
}

/* ---- a part's headers --------------------------------------------------- */

/* Content-Disposition: form-data; name="..."; filename="..." */
static int parse_disposition(mp_parser *p, const char *v)
{
    static const char fd[] = "form-data";
    char key[32], val[MP_MAX_PARAM + 1];
    bool bad = false, named = false;
    v = skip_ws(v);
    if (strncasecmp(v, fd, sizeof fd - 1) != 0) {
        mp_fail(p, "a part is not form-data (Content-Disposition)");
        return -1;
    }
    const char *s = v + sizeof fd - 1;
    while (!bad && (s = next_param(s, key, sizeof key - 1, val, sizeof val - 1, &bad))) {
        if (strcasecmp(key, "name") == 0) {
            memcpy(p->field, val, sizeof p->field);
            named = true;
        } else if (strcasecmp(key, "filename") == 0) {
            memcpy(p->filename, val, sizeof p->filename);
            p->has_file = true;
        }
    }
    if (bad) {
        mp_fail(p, "a part's Content-Disposition is malformed, or a name in it is longer than "
                   "1024 bytes");
        return -1;
    }
    if (!named) {
        mp_fail(p, "a part's Content-Disposition has no name");
        return -1;
    }
    return 0;
}

static int parse_headers(mp_parser *p)
{
    bool disposition = false;
    p->field[0] = p->filename[0] = '\0';
    p->has_file = false;
    for (char *line = p->hdr, *eol; (eol = strstr(line, "\r\n")) && eol != line; line = eol + 2) {
        *eol = '\0';
        char *colon = strchr(line, ':');
        if (!colon || colon == line || *line == ' ' || *line == '\t') {
            mp_fail(p, "a part header line is malformed (no 'Name: value', or folded)");
            return -1;
        }
        *colon = '\0';
        if (strcasecmp(line, "Content-Disposition") != 0)
            continue;
        if (disposition) {
            mp_fail(p, "a part has two Content-Disposition headers");
            return -1;
        }
        disposition = true;
        if (parse_disposition(p, colon + 1) != 0)
            return -1;
    }
    if (!disposition) {
        mp_fail(p, "a part has no Content-Disposition header");
        return -1;
    }
    return 0;
}

/* One byte of the header block; 1 when the block is complete. */
static int header_byte(mp_parser *p, char c)
{
    unsigned char u = (unsigned char)c;
    if (p->hlen == MP_MAX_HEADERS) {
        mp_failf(p, "a part's headers are longer than ", "8192 bytes");
        return -1;
    }
    if (u == 0 || (u < 0x20 && c != '\r' && c != '\n' && c != '\t')) {
        mp_fail(p, "a part's headers hold a control character");
        return -1;
    }
    p->hdr[p->hlen++] = c;
    p->hdr[p->hlen] = '\0';
    if (p->hlen >= 2 && memcmp(p->hdr + p->hlen - 2, "\r\n", 2) == 0 &&
        (p->hlen == 2 || (p->hlen >= 4 && memcmp(p->hdr + p->hlen - 4, "\r\n\r\n", 4) == 0)))
        return 1;
    if (c == '\n' && (p->hlen < 2 || p->hdr[p->hlen - 2] != '\r')) {
        mp_fail(p, "a part's header lines do not end in CRLF");
        return -1;
    }
    return 0;
}

/* ---- the body ----------------------------------------------------------- */

/* A part's body from buf[*i]: data given until a delimiter completes.
 * Returns 0 to go on, 1 when the receiver took less (stop), -1 on error. */
static int body(mp_parser *p, const char *buf, size_t n, size_t *i)
{
    while (*i < n || p->flush) {
        if (p->flush) {
            long t = p->h.data(p->ctx, p->delim + p->flush_off, p->flush);
            if (t < 0)
                return -1;
            p->flush_off += (size_t)t;
            p->flush -= (size_t)t;
            if (p->flush)
                return 1;
            continue;
        }
        if (p->m == 0) {
            const char *cr = memchr(buf + *i, '\r', n - *i);
            size_t run = cr ? (size_t)(cr - (buf + *i)) : n - *i;
            if (run) {
                long t = p->h.data(p->ctx, buf + *i, run);
                if (t < 0)
                    return -1;
                *i += (size_t)t;
                if ((size_t)t < run)
                    return 1;
            }
            if (!cr)
                return 0;
            p->m = 1;
            (*i)++;
            continue;
        }
        if (buf[*i] == p->delim[p->m]) {
            (*i)++;
            if (++p->m == p->dlen) {
                p->m = 0;
                p->st = ST_END;
                return 0;
            }
            continue;
        }
        /* Not a delimiter: its bytes so far were data; this byte is looked
         * at again (a boundary holds no CR, so no match starts inside). */
        p->flush = p->m;
        p->flush_off = 0;
        p->m = 0;
    }
    return 0;
}

/* Between parts: the delimiter's bytes in the preamble. */
static void preamble(mp_parser *p, char c)
{
    if (c == p->delim[p->m]) {
        if (++p->m == p->dlen) {
            p->m = 0;
            p->st = ST_AFTER_DELIM;
        }
        return;
    }
    p->m = c == '\r' ? 1 : 0;
}

static void after_delim(mp_parser *p, char c)
{
    if ((c == ' ' || c == '\t') && p->padding++ < MAX_PADDING)
        return;
    p->padding = 0;
    if (c == '-')
        p->st = ST_DASH;
    else if (c == '\r')
        p->st = ST_CR;
    else
        mp_fail(p, "a boundary line is followed by something else than CRLF or '--'");
}

/* One step of the small states; returns 1 to stop (busy), 0 to go on. */
static int step(mp_parser *p, const char *buf, size_t n, size_t *i)
{
    mp_rc rc = MP_OK;
    switch (p->st) {
    case ST_PREAMBLE: preamble(p, buf[(*i)++]); return 0;
    case ST_AFTER_DELIM: after_delim(p, buf[(*i)++]); return 0;
    case ST_DASH:
        if (buf[(*i)++] == '-')
            p->st = ST_EPILOGUE;
        else
            mp_fail(p, "a boundary line is followed by a single '-'");
        return 0;
    case ST_CR:
        if (buf[(*i)++] == '\n') {
            p->st = ST_HEADERS;
            p->hlen = 0;
        } else {
            mp_fail(p, "a boundary line ends in CR without LF");
        }
        return 0;
    case ST_HEADERS: {
        int done = header_byte(p, buf[(*i)++]);
        if (done == 1 && parse_headers(p) == 0)
            p->st = ST_BEGIN;
        return 0;
    }
    case ST_BEGIN:
        rc = p->h.begin(p->ctx, p->field, p->filename, p->has_file);
        if (rc == MP_OK) {
            p->st = ST_BODY;
            p->in_part = true;
        }
        break;
    case ST_BODY: {
        int b = body(p, buf, n, i);
        if (b < 0)
            mp_fail(p, "the upload was refused");
        return b == 1;
    }
    case ST_END:
        rc = p->h.end(p->ctx);
        if (rc == MP_OK) {
            p->st = ST_AFTER_DELIM;
            p->in_part = false;
        }
        break;
    case ST_EPILOGUE: *i = n; return 0;
    case ST_ERROR: return 0;
    }
    if (rc == MP_FAIL)
        mp_fail(p, "the upload was refused"); /* unless the receiver said why */
    return rc == MP_BUSY;
}

bool mp_pending(const mp_parser *p)
{
    return p->st == ST_BEGIN || p->st == ST_END || (p->st == ST_BODY && p->flush);
}

long mp_feed(mp_parser *p, const char *buf, size_t n)
{
    size_t i = 0;
    /* Pending callbacks (begin, end, held bytes) run even with no byte. */
    while (p->st != ST_ERROR) {
        if (i >= n && !mp_pending(p))
            break;
        if (step(p, buf, n, &i))
            break;
    }
    return p->st == ST_ERROR ? -1 : (long)i;
}

int mp_finish(mp_parser *p)
{
    if (p->st == ST_ERROR)
        return -1;
    if (p->st == ST_EPILOGUE)
        return 0;
    if (p->st == ST_PREAMBLE)
        mp_fail(p, "the body holds no multipart boundary line");
    else if (p->in_part)
        mp_fail(p, "the body ends inside a part, before its closing boundary (cut short?)");
    else
        mp_fail(p, "the body ends before the closing boundary of its multipart data "
                   "(cut short?)");
    return -1;
}
