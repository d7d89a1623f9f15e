/* walk.c - the entries of an archive, with libarchive: each one listed,
 * then read by its kind, opened as a nested archive, or skipped. Nothing is
 * written to disk. */
#include "input/walk_int.h"

#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Bytes of a plain input looked at to tell text from binary. */
#define EW_SNIFF_BYTES 4096

int ew_walk_oom(ew_walker *w)
{
    return ew_err_set(w->err, EWDIAG_ENOMEM, "%s: out of memory", w->opt->input);
}

int ew_walk_warn(ew_walker *w, const char *entry, ew_warn_code code, const char *msg)
{
    const char *in = w->opt->input;
    int rc = entry ? ew_warn(w->warn, code, entry, 1, "%s: %s: %s", in, entry, msg)
                   : ew_warn(w->warn, code, NULL, 1, "%s: %s", in, msg);
    return rc == 0 ? 0 : ew_walk_oom(w);
}

ew_entry *ew_walk_add_entry(ew_walker *w, const char *path, ew_role role, uint64_t size)
{
    ew_walk_result *r = w->res;
    ew_entry *e = NULL;
    if (ew_grow(&r->entries, &r->centries, r->nentries + 1, sizeof *r->entries) == 0 &&
        (e = ew_calloc(1, sizeof *e)) && !(e->path = ew_strdup(path))) {
        free(e);
        e = NULL;
    }
    if (!e) {
        ew_walk_oom(w);
        return NULL;
    }
    e->role = role;
    e->size = size;
    e->status = EW_ENTRY_SKIPPED;
    r->entries[r->nentries++] = e;
    return e;
}

uint64_t ew_walk_compressed_pos(ew_walker *w)
{
    if (w->src)
        return w->outer_base + ew_source_consumed(w->src);
    la_int64_t n = w->outer ? archive_filter_bytes(w->outer, -1) : 0;
    return w->outer_base + (n > 0 ? (uint64_t)n : 0);
}

static void ew_progress(ew_walker *w)
{
    const ew_walk_opts *o = w->opt;
    if (!o->progress)
        return;
    uint64_t pos = ew_walk_compressed_pos(w);
    if (pos < w->progress_next)
        return;
    w->progress_next = pos + EW_PROGRESS_STEP;
    o->progress(o->progress_ctx, o->input, pos, w->res->total);
}

/* The archive formats read: libarchive's all but mtree, whose bidder takes
 * any text for a list of entries and reads ahead through blank lines
 * without bound (a log of empty lines cost memory and time quadratic in
 * their number, and a log of short lines was read as 100000 entries). */
static int (*const ew_formats[])(struct archive *) = {
    archive_read_support_format_7zip,  archive_read_support_format_ar,
    archive_read_support_format_cab,   archive_read_support_format_cpio,
    archive_read_support_format_empty, archive_read_support_format_iso9660,
    archive_read_support_format_lha,   archive_read_support_format_rar,
    archive_read_support_format_rar5,  archive_read_support_format_tar,
    archive_read_support_format_warc,  archive_read_support_format_xar,
    archive_read_support_format_zip,
};

struct archive *ew_archive_new(bool formats)
{
    struct archive *ar = archive_read_new();
    if (!ar)
        return NULL;
    /* Warnings here only say that an external program may be needed. */
    bool ok = archive_read_support_filter_all(ar) >= ARCHIVE_WARN;
    for (size_t i = 0; ok && formats && i < EW_ARRAY_LEN(ew_formats); i++)
        ok = ew_formats[i](ar) >= ARCHIVE_WARN; /* WARN: a library it needs is missing */
    if (!ok || archive_read_support_format_raw(ar) < ARCHIVE_WARN) {
        archive_read_free(ar);
        return NULL;
    }
    return ar;
}

/* The limit max-bytes or max-ratio the input just passed, said in msg;
 * EW_W_COUNT when none. */
static ew_warn_code ew_check_limits(ew_walker *w, char *msg, size_t cap)
{
    const ew_walk_opts *o = w->opt;
    uint64_t out = w->res->bytes, in = ew_walk_compressed_pos(w);
    if (out > o->max_bytes) {
        snprintf(msg, cap, "stopped after %llu decompressed bytes (limit max-bytes)",
                 (unsigned long long)o->max_bytes);
        return EW_W_LIMIT_BYTES;
    }
    /* max-ratio 0 (the default): no ratio check; max-bytes bounds a bomb. */
    if (o->max_ratio && out > EW_RATIO_MIN_BYTES && in > 0 && out / in > o->max_ratio) {
        snprintf(msg, cap,
                 "stopped: %llu bytes came out of %llu compressed bytes, a ratio over %llu "
                 "(limit max-ratio; a compression bomb?)",
                 (unsigned long long)out, (unsigned long long)in, (unsigned long long)o->max_ratio);
        return EW_W_LIMIT_RATIO;
    }
    return EW_W_COUNT;
}

/* Counts n bytes read; past a limit, stops the walk (msg says why). 0, 1
 * when stopped, or the out-of-memory error. */
static int ew_account_bytes(ew_walker *w, const char *path, size_t n, char *msg, size_t cap)
{
    w->res->bytes += n;
    ew_warn_code code = ew_check_limits(w, msg, cap);
    if (code == EW_W_COUNT) {
        ew_progress(w);
        return 0;
    }
    w->res->stopped = true;
    int rc = ew_walk_warn(w, path, code, msg);
    return rc != 0 ? rc : 1;
}

/* What the archive says of a failed read, into msg. */
static const char *ew_read_failure(ew_walker *w, struct archive *ar, char *msg, size_t cap)
{
    const char *why = archive_error_string(ar);
    if (w->src_failed) {
        snprintf(msg, cap, "%s", ew_source_error(w->src));
        w->src_told = true;
    } else {
        snprintf(msg, cap, "%s (at compressed byte %llu of the input)", why ? why : "read error",
                 (unsigned long long)ew_walk_compressed_pos(w));
    }
    return msg;
}

static bool ew_looks_binary(const void *buf, size_t n)
{
    return memchr(buf, '\0', EW_MIN(n, (size_t)EW_SNIFF_BYTES)) != NULL;
}

/* A block of entry data already read (by the sniffer), given first. */
typedef struct ew_pending {
    const void *buf;
    size_t n;
    la_int64_t off;
} ew_pending;

static int ew_next_block(struct archive *ar, ew_pending *first, const void **buf, size_t *n,
                         la_int64_t *off)
{
    if (first && first->buf) {
        *buf = first->buf;
        *n = first->n;
        *off = first->off;
        first->buf = NULL;
        return ARCHIVE_OK;
    }
    return archive_read_data_block(ar, buf, n, off);
}

/* Pushes the data of the current entry of ar to its kind. */
static int ew_read_entry(ew_walker *w, struct archive *ar, const ew_kind *k, const ew_entry_meta *m,
                         ew_entry *e, bool sniff, ew_pending *first)
{
    void *ctx = w->kinds->ctx;
    int rc = k->begin(ctx, m, e);
    if (rc != 0)
        return rc;
    char msg[512];
    const char *read_error = NULL;
    for (bool at_start = true;; at_start = false) {
        const void *buf;
        size_t n;
        la_int64_t off;
        int r = ew_next_block(ar, first, &buf, &n, &off);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            read_error = ew_read_failure(w, ar, msg, sizeof msg);
            break;
        }
        if (at_start && sniff && ew_looks_binary(buf, n)) {
            read_error = "binary data: neither an archive ewdiag can read nor a text log";
            break;
        }
        e->size = EW_MAX(e->size, (uint64_t)off + n);
        if ((rc = k->feed(ctx, buf, n)) != 0)
            return rc;
        if ((rc = ew_account_bytes(w, m->path, n, msg, sizeof msg)) < 0)
            return rc;
        if (rc > 0) {
            read_error = msg;
            break;
        }
    }
    if ((rc = k->end(ctx, e, read_error)) != 0)
        return rc;
    w->res->failed_part |= e->status == EW_ENTRY_FAILED;
    return 0;
}

/* An entry whose name says nothing: its first bytes decide. */
static int ew_sniff_entry(ew_walker *w, struct archive *ar, ew_entry_meta *m, ew_entry *e)
{
    ew_pending first = {NULL, 0, 0};
    int r = archive_read_data_block(ar, &first.buf, &first.n, &first.off);
    const ew_kind *k = r < ARCHIVE_WARN || r == ARCHIVE_EOF || first.n == 0
                           ? NULL
                           : ew_kind_sniff(w->kinds, first.buf, first.n);
    if (!k || k->mode != EW_KIND_PUSH)
        return ew_entry_set(e, EW_ENTRY_SKIPPED,
                            "not a file ewdiag reads (nor a log, by its first line)") == 0
                   ? 0
                   : ew_walk_oom(w);
    m->role = e->role = k->role;
    return ew_read_entry(w, ar, k, m, e, false, &first);
}

/* A pull entry as a FILE * for its reader (libpcap), which pulls its bytes
 * and closes the FILE (the cookie lives here: its close does nothing). It
 * counts the bytes it gives, so that ftello tells where the reader is
 * (glibc asks the seek with 0, SEEK_CUR and takes off what it buffered). */
typedef struct ew_cookie {
    ew_walker *w;
    struct archive *ar;
    const char *path;
    const char *error; /* set once the bytes underneath fail */
    bool oom;
    uint64_t bytes;    /* given to the FILE */
    char msg[512];
} ew_cookie;

static ssize_t ew_cookie_read(void *ctx, char *buf, size_t size)
{
    ew_cookie *k = ctx;
    if (k->error)
        return -1;
    la_ssize_t n = archive_read_data(k->ar, buf, size);
    if (n < 0) {
        k->error = ew_read_failure(k->w, k->ar, k->msg, sizeof k->msg);
        return -1;
    }
    int rc = ew_account_bytes(k->w, k->path, (size_t)n, k->msg, sizeof k->msg);
    if (rc != 0) {
        k->oom = rc < 0;
        k->error = k->msg;
        return -1;
    }
    k->bytes += (uint64_t)n;
    return (ssize_t)n;
}

/* Tells the position; any real seek fails: the entry is read once. */
static int ew_cookie_seek(void *ctx, off64_t *pos, int whence)
{
    ew_cookie *k = ctx;
    if (whence == SEEK_CUR && *pos == 0 && k->bytes <= INT64_MAX) {
        *pos = (off64_t)k->bytes;
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

static int ew_cookie_close(void *ctx)
{
    EW_UNUSED(ctx);
    return 0;
}

static int ew_pull_entry(ew_walker *w, struct archive *ar, const ew_kind *k, const ew_entry_meta *m,
                         ew_entry *e)
{
    ew_cookie c = {w, ar, m->path, NULL, false, 0, ""};
    cookie_io_functions_t io = {
        .read = ew_cookie_read, .seek = ew_cookie_seek, .close = ew_cookie_close};
    FILE *f = fopencookie(&c, "r", io);
    if (!f)
        return ew_walk_oom(w);
    /* Large reads: libpcap asks record by record. */
    (void)setvbuf(f, NULL, _IOFBF, EW_READ_BLOCK);
    /* pull closes f, whatever it returns. */
    int rc = k->pull(w->kinds->ctx, m, e, f, &c.error);
    if (rc == 0 && c.oom)
        rc = EWDIAG_ENOMEM;
    w->res->failed_part |= e->status == EW_ENTRY_FAILED;
    return rc;
}

static la_ssize_t ew_nested_read(struct archive *child, void *ctx, const void **buf)
{
    struct archive *parent = ctx;
    size_t n;
    la_int64_t off;
    int r = archive_read_data_block(parent, buf, &n, &off);
    if (r == ARCHIVE_EOF)
        return 0;
    if (r < ARCHIVE_WARN) {
        const char *why = archive_error_string(parent);
        archive_set_error(child, EIO, "%s", why ? why : "read error");
        return -1;
    }
    return (la_ssize_t)n;
}

/* Opens the current entry of parent as an archive of its own. */
static int ew_walk_nested(ew_walker *w, struct archive *parent, const ew_entry_meta *m, ew_entry *e,
                          unsigned depth)
{
    if (depth >= w->opt->max_depth) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "archive nested deeper than %u levels (limit max-depth): not opened",
                 w->opt->max_depth);
        if (ew_entry_set(e, EW_ENTRY_SKIPPED, msg) != 0)
            return ew_walk_oom(w);
        return ew_walk_warn(w, m->path, EW_W_LIMIT_DEPTH, msg);
    }
    struct archive *child = ew_archive_new(true);
    if (!child)
        return ew_walk_oom(w);
    int rc = 0;
    if (archive_read_open(child, parent, NULL, ew_nested_read, NULL) != ARCHIVE_OK) {
        const char *why = archive_error_string(child);
        w->res->failed_part = true;
        if (ew_entry_set(e, EW_ENTRY_FAILED, why ? why : "cannot be opened as an archive") != 0)
            rc = ew_walk_oom(w);
    } else {
        char plain[EW_PATH_NAME_MAX];
        ew_strip_compression(ew_basename(m->path), plain, sizeof plain);
        ew_role hint = ew_role_of(w->kinds, plain);
        int64_t saved_mtime = w->file_mtime_us;
        w->file_mtime_us = m->mtime_us;
        rc = ew_walk_archive(w, child, m->path, plain,
                             hint == EW_ROLE_ARCHIVE ? EW_ROLE_OTHER : hint, depth + 1);
        w->file_mtime_us = saved_mtime;
        if (rc == 0 && ew_entry_set(e, EW_ENTRY_SCANNED, NULL) != 0)
            rc = ew_walk_oom(w);
    }
    archive_read_free(child);
    return rc;
}

static const char *ew_join(ew_walker *w, const char *prefix, const char *name)
{
    ew_buf *b = &w->name;
    ew_buf_clear(b);
    if (prefix && *prefix && (ew_buf_puts(b, prefix) != 0 || ew_buf_puts(b, "/") != 0))
        return NULL;
    if (ew_buf_puts(b, name) != 0)
        return NULL;
    return b->p;
}

static int64_t ew_entry_mtime(ew_walker *w, struct archive_entry *ae, bool raw)
{
    if (archive_entry_mtime_is_set(ae))
        return EW_MIN(EW_MAX((int64_t)archive_entry_mtime(ae), -EW_MTIME_MAX_S), EW_MTIME_MAX_S) *
                   1000000 +
               archive_entry_mtime_nsec(ae) / 1000;
    return raw ? w->file_mtime_us : 0; /* the raw format knows no date: its container's */
}

/* Reads, opens or skips an entry by its kind. */
static int ew_dispatch(ew_walker *w, struct archive *ar, ew_entry_meta *m, ew_entry *e, mode_t type,
                       bool plain_check, unsigned depth)
{
    if (type == AE_IFDIR)
        return ew_entry_set(e, EW_ENTRY_SKIPPED, "directory") == 0 ? 0 : ew_walk_oom(w);
    if (type != AE_IFREG && type != 0)
        return ew_entry_set(e, EW_ENTRY_SKIPPED, "not a regular file") == 0 ? 0 : ew_walk_oom(w);
    if (m->role == EW_ROLE_ARCHIVE)
        return ew_walk_nested(w, ar, m, e, depth);
    const ew_kind *k = m->role == EW_ROLE_OTHER ? NULL : ew_kind_of(w->kinds, m->role);
    if (!k)
        return ew_sniff_entry(w, ar, m, e);
    switch (k->mode) {
    case EW_KIND_PUSH:
        return ew_read_entry(w, ar, k, m, e, plain_check, NULL);
    case EW_KIND_PULL:
        return ew_pull_entry(w, ar, k, m, e);
    default:
        return ew_entry_set(e, EW_ENTRY_SKIPPED, k->skip_reason) == 0 ? 0 : ew_walk_oom(w);
    }
}

/* One entry of an archive: account for it, then read, open or skip it. */
static int ew_walk_one(ew_walker *w, struct archive *ar, struct archive_entry *ae,
                       const char *prefix, const char *raw_name, ew_role raw_role, unsigned depth)
{
    bool raw = archive_format(ar) == ARCHIVE_FORMAT_RAW;
    const char *name = raw ? raw_name : archive_entry_pathname(ae);
    if (!name)
        name = "(unnamed entry)";
    /* A raw entry is the file itself: it goes by its container's name. */
    const char *joined = raw ? (prefix ? prefix : raw_name) : ew_join(w, prefix, name);
    char *path = joined ? ew_strdup(joined) : NULL;
    if (!path)
        return ew_walk_oom(w);
    ew_role by_name = ew_role_of(w->kinds, name);
    ew_entry_meta m = {path, by_name, 0, ew_entry_mtime(w, ae, raw)};
    if (raw && (m.role == EW_ROLE_OTHER || m.role == EW_ROLE_ARCHIVE))
        m.role = raw_role;
    if (archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0)
        m.size = (uint64_t)archive_entry_size(ae);
    mode_t type = archive_entry_filetype(ae);
    if (type == AE_IFDIR)
        m.role = EW_ROLE_DIRECTORY;
    int rc;
    ew_entry *e = ew_walk_add_entry(w, path, m.role, m.size);
    if (!e)
        rc = EWDIAG_ENOMEM;
    else /* A plain input that was not named like a log must look like text. */
        rc = ew_dispatch(w, ar, &m, e, type, raw && raw_role == EW_ROLE_LOG && by_name != m.role,
                         depth);
    free(path);
    return rc;
}

/* Damaged headers were skipped from damaged_at up to here: said once. */
static int ew_tell_damage(ew_walker *w, struct archive *ar, struct archive_entry *ae, int r,
                          const char *prefix, int64_t damaged_at, const char *why)
{
    char msg[EW_PATH_NAME_MAX + 256];
    int64_t to = archive_read_header_position(ar);
    const char *next = r >= ARCHIVE_WARN && r != ARCHIVE_EOF && archive_entry_pathname(ae)
                           ? archive_entry_pathname(ae)
                           : NULL;
    snprintf(msg, sizeof msg,
             "damaged archive header at byte %lld (%s): %lld bytes skipped up to %s%s",
             (long long)damaged_at, why, (long long)(to - damaged_at),
             next ? "the next readable entry, " : "the end of the archive", next ? next : "");
    w->res->failed_part = true;
    return ew_walk_warn(w, prefix, EW_W_ARCHIVE_DAMAGED, msg);
}

/* A header that cannot be read, and no later one: the rest is lost. */
static int ew_tell_unreadable(ew_walker *w, struct archive *ar, const char *prefix)
{
    w->res->failed_part = true;
    /* The entry it cut has said so already. */
    if (w->src_failed && w->src_told)
        return 0;
    char msg[512];
    const char *why = archive_error_string(ar);
    if (w->src_failed)
        snprintf(msg, sizeof msg, "%s; entries after it were not read", ew_source_error(w->src));
    else
        snprintf(msg, sizeof msg,
                 "%s (at compressed byte %llu of the input); entries after it were not read",
                 why ? why : "unreadable archive", (unsigned long long)ew_walk_compressed_pos(w));
    return ew_walk_warn(w, prefix, EW_W_ARCHIVE_ERROR, msg);
}

static int ew_tell_too_many(ew_walker *w, const char *prefix)
{
    char msg[128];
    snprintf(msg, sizeof msg, "more than %llu entries (limit max-entries); the rest were not read",
             (unsigned long long)w->opt->max_entries);
    w->res->stopped = true;
    return ew_walk_warn(w, prefix, EW_W_LIMIT_ENTRIES, msg);
}

int ew_walk_archive(ew_walker *w, struct archive *ar, const char *prefix, const char *raw_name,
                    ew_role raw_role, unsigned depth)
{
    uint64_t nread = 0;      /* entries of this archive so far */
    int64_t damaged_at = -1; /* a damaged header was met here; skipping */
    char damaged_why[160] = "";
    for (;;) {
        struct archive_entry *ae;
        int r = archive_read_next_header(ar, &ae);
        /* A damaged header: libarchive looks for the next good one. */
        if (r == ARCHIVE_RETRY && ++w->entries <= w->opt->max_entries) {
            if (damaged_at < 0) {
                const char *why = archive_error_string(ar);
                damaged_at = archive_read_header_position(ar);
                snprintf(damaged_why, sizeof damaged_why, "%s", why ? why : "damaged header");
            }
            continue;
        }
        int rc =
            damaged_at >= 0 ? ew_tell_damage(w, ar, ae, r, prefix, damaged_at, damaged_why) : 0;
        damaged_at = -1;
        if (rc != 0 || r == ARCHIVE_EOF)
            return rc;
        if (r < ARCHIVE_WARN && nread == 0 && !prefix && !w->src &&
            archive_format(ar) == ARCHIVE_FORMAT_ZIP) {
            /* The central directory: the local headers may still be read. */
            const char *why = archive_error_string(ar);
            snprintf(w->zip_why, sizeof w->zip_why, "%s", why ? why : "unreadable");
            w->zip_again = true;
            return 0;
        }
        if (r < ARCHIVE_WARN)
            return ew_tell_unreadable(w, ar, prefix);
        if (++w->entries > w->opt->max_entries)
            return ew_tell_too_many(w, prefix);
        nread++;
        if ((rc = ew_walk_one(w, ar, ae, prefix, raw_name, raw_role, depth)) != 0 ||
            w->res->stopped)
            return rc;
    }
}
