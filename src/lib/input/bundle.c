/* bundle.c - walking an input with libarchive: archives inside archives,
 * directories, plain and compressed files, standard input. Nothing is
 * written to disk; every entry met is accounted for in the report. */
#include "input/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/scan.h"
#include "input/source.h"
#include "core/timestamp.h"

/* Folders below a directory input walked at most (symlinks are not followed). */
#define EW_MAX_DIR_DEPTH 32
/* Bytes of a plain input looked at to tell text from binary. */
#define EW_SNIFF_BYTES 4096
#define EW_PATH_NAME_MAX 4096
/* File dates are clamped to the end of year 9999, either side of 1970 (no
 * log time is read past it): seconds any larger overflow in microseconds. */
#define EW_MTIME_MAX_S INT64_C(253402300799)

typedef struct ew_walk {
    ew_run *run;
    struct archive *outer; /* the outermost archive, for compressed bytes read */
    uint64_t outer_base;   /* compressed bytes of files of a directory already done */
    ew_source *src;        /* the outermost gzip layer, when ours */
    const ew_origin *top;  /* the input's bytes when it is no file */
    int64_t file_mtime_us; /* of the file being walked, for raw entries; 0 unknown */
    bool src_failed;       /* it stopped early: src->err says why */
    bool src_told;         /* an entry's warning already said so */
    bool zip_again;        /* a zip's central directory failed before any entry */
    char zip_why[256];     /* and why */
} ew_walk;

static ewdiag_analyzer *ew_an(ew_walk *w)
{
    return w->run->a;
}

static int ew_oom(ew_walk *w)
{
    return ew_err_set(&ew_an(w)->err, EWDIAG_ENOMEM, "%s: out of memory", w->run->input->name);
}

static int ew_warn(ew_walk *w, const char *entry, const char *code, const char *msg)
{
    const char *in = w->run->input->name;
    if (entry)
        return ew_report_warn(w->run->report, in, entry, code, 1, "%s: %s: %s", in, entry, msg);
    return ew_report_warn(w->run->report, in, NULL, code, 1, "%s: %s", in, msg);
}

static uint64_t ew_compressed_pos(ew_walk *w)
{
    if (w->src)
        return w->outer_base + ew_source_consumed(w->src);
    la_int64_t n = w->outer ? archive_filter_bytes(w->outer, -1) : 0;
    return w->outer_base + (n > 0 ? (uint64_t)n : 0);
}

static void ew_progress(ew_walk *w)
{
    ew_run *run = w->run;
    ewdiag_analyzer *a = ew_an(w);
    if (!a->progress)
        return;
    uint64_t pos = ew_compressed_pos(w);
    if (pos < run->progress_next)
        return;
    run->progress_next = pos + EW_PROGRESS_STEP;
    a->progress(a->progress_ctx, run->input->name, pos, run->total);
}

static struct archive *ew_archive_new(bool formats)
{
    struct archive *ar = archive_read_new();
    if (!ar)
        return NULL;
    /* Warnings here only say that an external program may be needed. */
    if (archive_read_support_filter_all(ar) < ARCHIVE_WARN ||
        (formats && archive_read_support_format_all(ar) < ARCHIVE_WARN) ||
        archive_read_support_format_raw(ar) < ARCHIVE_WARN) {
        archive_read_free(ar);
        return NULL;
    }
    return ar;
}

/* Stops the walk when the input grows past max-bytes or max-ratio. */
static const char *ew_check_limits(ew_walk *w, char *msg, size_t cap)
{
    ew_run *run = w->run;
    const ew_options *o = &ew_an(w)->opt;
    uint64_t out = run->input->bytes, in = ew_compressed_pos(w);
    if (out > o->max_bytes) {
        snprintf(msg, cap, "stopped after %llu decompressed bytes (limit max-bytes)",
                 (unsigned long long)o->max_bytes);
        return "limit-bytes";
    }
    if (out > EW_RATIO_MIN_BYTES && in > 0 && out / in > o->max_ratio) {
        snprintf(msg, cap,
                 "stopped: %llu bytes came out of %llu compressed bytes, a ratio over %llu "
                 "(limit max-ratio; a compression bomb?)",
                 (unsigned long long)out, (unsigned long long)in,
                 (unsigned long long)o->max_ratio);
        return "limit-ratio";
    }
    return NULL;
}

static bool ew_looks_binary(const void *buf, size_t n)
{
    return memchr(buf, '\0', EW_MIN(n, (size_t)EW_SNIFF_BYTES)) != NULL;
}

/* Reads the data of the current entry of ar into the scanners. */
/* A block of entry data already read (by the sniffer), given first. */
typedef struct ew_pending {
    const void *buf;
    size_t n;
    la_int64_t off;
} ew_pending;

static int ew_read_entry(ew_walk *w, struct archive *ar, const ew_entry_meta *m,
                         ewdiag_entry *e, bool sniff, ew_pending *first_block)
{
    ew_run *run = w->run;
    ew_scan s;
    int rc = ew_scan_begin(&s, run, m, e);
    if (rc <= 0)
        return rc == 0 ? 0 : ew_oom(w);
    char msg[512];
    const char *read_error = NULL;
    bool first = true;
    for (;;) {
        const void *buf;
        size_t n;
        la_int64_t off;
        int r = ARCHIVE_OK;
        if (first_block && first_block->buf) {
            buf = first_block->buf;
            n = first_block->n;
            off = first_block->off;
            first_block->buf = NULL;
        } else {
            r = archive_read_data_block(ar, &buf, &n, &off);
        }
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            const char *why = archive_error_string(ar);
            if (w->src_failed) {
                snprintf(msg, sizeof msg, "%s", ew_source_error(w->src));
                w->src_told = true;
            }
            else
                snprintf(msg, sizeof msg, "%s (at compressed byte %llu of the input)",
                         why ? why : "read error", (unsigned long long)ew_compressed_pos(w));
            read_error = msg;
            break;
        }
        if (first && sniff && ew_looks_binary(buf, n)) {
            read_error = "binary data: neither an archive ewdiag can read nor a text log";
            break;
        }
        first = false;
        run->input->bytes += n;
        e->size = EW_MAX(e->size, (uint64_t)off + n);
        if (ew_scan_feed(&s, buf, n) != 0)
            return ew_oom(w);
        const char *code = ew_check_limits(w, msg, sizeof msg);
        if (code) {
            run->stop = true;
            if (ew_warn(w, m->path, code, msg) != 0)
                return ew_oom(w);
            read_error = msg;
            break;
        }
        ew_progress(w);
    }
    return ew_scan_end(&s, read_error) == 0 ? 0 : ew_oom(w);
}

/* Whether the first line of buf starts with a time as log lines do: a file
 * named otherwise (a renamed log in a repacked bundle) is read all the same. */
static bool ew_looks_like_log(const char *buf, size_t n)
{
    const char *nl = memchr(buf, '\n', n);
    size_t len = nl ? (size_t)(nl - buf) : n;
    int64_t us;
    size_t used;
    return ew_ts_parse_iso(buf, len, &us, &used) || ew_ts_parse_ats(buf, len, 0, &us, &used) ||
           ew_ts_parse_ats_compact(buf, len, &us, &used);
}

/* An entry whose name says nothing: its first line decides. */
static int ew_sniff_entry(ew_walk *w, struct archive *ar, ew_entry_meta *m, ewdiag_entry *e)
{
    ew_pending first = {NULL, 0, 0};
    int r = archive_read_data_block(ar, &first.buf, &first.n, &first.off);
    if (r < ARCHIVE_WARN || r == ARCHIVE_EOF || first.n == 0 ||
        !ew_looks_like_log(first.buf, first.n))
        return ew_entry_set(e, "skipped", "not a file ewdiag reads (nor a log, by its first line)") == 0
                   ? 0
                   : ew_oom(w);
    m->role = EW_ROLE_LOG;
    e->role = ew_role_name(EW_ROLE_LOG);
    return ew_read_entry(w, ar, m, e, false, &first);
}

static int ew_walk_archive(ew_walk *w, struct archive *ar, const char *prefix, const char *raw_name,
                           ew_role raw_role, unsigned depth);

/* A capture entry as a FILE * for libpcap, which pulls its bytes. */
typedef struct ew_cookie {
    ew_walk *w;
    struct archive *ar;
    const char *path;
    const char *error; /* set once the bytes underneath fail */
    char msg[512];
} ew_cookie;

static ssize_t ew_cookie_read(void *ctx, char *buf, size_t size)
{
    ew_cookie *k = ctx;
    ew_walk *w = k->w;
    if (k->error)
        return -1;
    la_ssize_t n = archive_read_data(k->ar, buf, size);
    if (n < 0) {
        const char *why = archive_error_string(k->ar);
        snprintf(k->msg, sizeof k->msg, "%s", w->src_failed ? ew_source_error(w->src) : why ? why : "read error");
        w->src_told = w->src_told || w->src_failed;
        k->error = k->msg;
        return -1;
    }
    w->run->input->bytes += (uint64_t)n;
    const char *code = ew_check_limits(w, k->msg, sizeof k->msg);
    if (code) {
        w->run->stop = true;
        k->error = k->msg;
        (void)ew_warn(w, k->path, code, k->msg);
        return -1;
    }
    ew_progress(w);
    return (ssize_t)n;
}

static int ew_read_capture(ew_walk *w, struct archive *ar, const ew_entry_meta *m, ewdiag_entry *e)
{
    ew_cookie k = {w, ar, m->path, NULL, ""};
    cookie_io_functions_t io = {.read = ew_cookie_read};
    FILE *f = fopencookie(&k, "r", io);
    if (!f)
        return ew_oom(w);
    /* Large reads: libpcap asks record by record. */
    (void)setvbuf(f, NULL, _IOFBF, EW_READ_BLOCK);
    int rc = ew_scan_capture(w->run, m, e, f, &k.error);
    fclose(f);
    return rc == 0 ? 0 : ew_oom(w);
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
static int ew_walk_nested(ew_walk *w, struct archive *parent, const ew_entry_meta *m,
                          ewdiag_entry *e, unsigned depth)
{
    if (depth >= ew_an(w)->opt.max_depth) {
        char msg[128];
        snprintf(msg, sizeof msg, "archive nested deeper than %u levels (limit max-depth): not opened",
                 ew_an(w)->opt.max_depth);
        if (ew_entry_set(e, "skipped", msg) != 0 || ew_warn(w, m->path, "limit-depth", msg) != 0)
            return ew_oom(w);
        return 0;
    }
    struct archive *child = ew_archive_new(true);
    if (!child)
        return ew_oom(w);
    int rc = 0;
    if (archive_read_open(child, parent, NULL, ew_nested_read, NULL) != ARCHIVE_OK) {
        const char *why = archive_error_string(child);
        w->run->failed_part = true;
        if (ew_entry_set(e, "failed", why ? why : "cannot be opened as an archive") != 0)
            rc = ew_oom(w);
    } else {
        char plain[EW_PATH_NAME_MAX];
        ew_strip_compression(ew_basename(m->path), plain, sizeof plain);
        ew_role hint = ew_role_of(plain);
        int64_t saved_mtime = w->file_mtime_us;
        w->file_mtime_us = m->mtime_us;
        rc = ew_walk_archive(w, child, m->path, plain, hint == EW_ROLE_ARCHIVE ? EW_ROLE_OTHER : hint,
                             depth + 1);
        w->file_mtime_us = saved_mtime;
        if (rc == 0 && ew_entry_set(e, "scanned", NULL) != 0)
            rc = ew_oom(w);
    }
    archive_read_free(child);
    return rc;
}

static const char *ew_join(ew_walk *w, const char *prefix, const char *name)
{
    ew_buf *b = &w->run->name;
    ew_buf_clear(b);
    if (prefix && *prefix && (ew_buf_puts(b, prefix) != 0 || ew_buf_puts(b, "/") != 0))
        return NULL;
    if (ew_buf_puts(b, name) != 0)
        return NULL;
    return b->p;
}

/* One entry of an archive: account for it, then read, open or skip it. */
static int ew_walk_one(ew_walk *w, struct archive *ar, struct archive_entry *ae, const char *prefix,
                       const char *raw_name, ew_role raw_role, unsigned depth)
{
    ew_run *run = w->run;
    bool raw = archive_format(ar) == ARCHIVE_FORMAT_RAW;
    const char *name = raw ? raw_name : archive_entry_pathname(ae);
    if (!name)
        name = "(unnamed entry)";
    /* A raw entry is the file itself: it goes by its container's name. */
    const char *joined = raw ? (prefix ? prefix : raw_name) : ew_join(w, prefix, name);
    char *path = joined ? ew_strdup(joined) : NULL;
    if (!path)
        return ew_oom(w);
    ew_entry_meta m = {path, ew_role_of(name), 0, 0};
    if (raw && (m.role == EW_ROLE_OTHER || m.role == EW_ROLE_ARCHIVE))
        m.role = raw_role;
    if (archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0)
        m.size = (uint64_t)archive_entry_size(ae);
    if (archive_entry_mtime_is_set(ae))
        m.mtime_us = EW_MIN(EW_MAX((int64_t)archive_entry_mtime(ae), -EW_MTIME_MAX_S),
                            EW_MTIME_MAX_S) * 1000000 +
                     archive_entry_mtime_nsec(ae) / 1000;
    else if (raw)
        m.mtime_us = w->file_mtime_us; /* the raw format knows no date: its container's */
    mode_t type = archive_entry_filetype(ae);
    if (type == AE_IFDIR)
        m.role = EW_ROLE_DIRECTORY;
    int rc = 0;
    ewdiag_entry *e = ew_input_add_entry(run->input, path, ew_role_name(m.role), m.size);
    if (!e) {
        rc = ew_oom(w);
    } else if (type == AE_IFDIR) {
        rc = ew_entry_set(e, "skipped", "directory") == 0 ? 0 : ew_oom(w);
    } else if (type != AE_IFREG && type != 0) {
        rc = ew_entry_set(e, "skipped", "not a regular file") == 0 ? 0 : ew_oom(w);
    } else if (m.role == EW_ROLE_ARCHIVE) {
        rc = ew_walk_nested(w, ar, &m, e, depth);
    } else if (m.role == EW_ROLE_CAPTURE) {
        rc = ew_read_capture(w, ar, &m, e);
    } else if (m.role == EW_ROLE_OTHER) {
        rc = ew_sniff_entry(w, ar, &m, e);
    } else {
        /* A plain input that was not named like a log must look like text. */
        rc = ew_read_entry(w, ar, &m, e, raw && raw_role == EW_ROLE_LOG && ew_role_of(name) != m.role,
                           NULL);
    }
    free(path);
    return rc;
}

static int ew_walk_archive(ew_walk *w, struct archive *ar, const char *prefix, const char *raw_name,
                           ew_role raw_role, unsigned depth)
{
    ew_run *run = w->run;
    const ew_options *o = &ew_an(w)->opt;
    uint64_t nread = 0;      /* entries of this archive so far */
    int64_t damaged_at = -1; /* a damaged header was met here; skipping */
    char damaged_why[160] = "";
    for (;;) {
        struct archive_entry *ae;
        int r = archive_read_next_header(ar, &ae);
        /* A damaged header: libarchive looks for the next good one. */
        if (r == ARCHIVE_RETRY && ++run->entries <= o->max_entries) {
            if (damaged_at < 0) {
                const char *why = archive_error_string(ar);
                damaged_at = archive_read_header_position(ar);
                snprintf(damaged_why, sizeof damaged_why, "%s", why ? why : "damaged header");
            }
            continue;
        }
        if (damaged_at >= 0) {
            char msg[EW_PATH_NAME_MAX + 256];
            int64_t to = archive_read_header_position(ar);
            const char *next = r >= ARCHIVE_WARN && r != ARCHIVE_EOF && archive_entry_pathname(ae)
                                   ? archive_entry_pathname(ae)
                                   : NULL;
            snprintf(msg, sizeof msg,
                     "damaged archive header at byte %lld (%s): %lld bytes skipped up to %s%s",
                     (long long)damaged_at, damaged_why, (long long)(to - damaged_at),
                     next ? "the next readable entry, " : "the end of the archive",
                     next ? next : "");
            run->failed_part = true;
            damaged_at = -1;
            if (ew_warn(w, prefix, "archive-damaged", msg) != 0)
                return ew_oom(w);
        }
        if (r == ARCHIVE_EOF)
            return 0;
        if (r < ARCHIVE_WARN && nread == 0 && !prefix && !w->src &&
            archive_format(ar) == ARCHIVE_FORMAT_ZIP) {
            /* The central directory: the local headers may still be read. */
            const char *why = archive_error_string(ar);
            snprintf(w->zip_why, sizeof w->zip_why, "%s", why ? why : "unreadable");
            w->zip_again = true;
            return 0;
        }
        if (r < ARCHIVE_WARN) {
            const char *why = archive_error_string(ar);
            char msg[512];
            run->failed_part = true;
            /* The entry it cut has said so already. */
            if (w->src_failed && w->src_told)
                return 0;
            if (w->src_failed)
                snprintf(msg, sizeof msg, "%s; entries after it were not read", ew_source_error(w->src));
            else
                snprintf(msg, sizeof msg,
                         "%s (at compressed byte %llu of the input); entries after it were not read",
                         why ? why : "unreadable archive", (unsigned long long)ew_compressed_pos(w));
            run->failed_part = true;
            return ew_warn(w, prefix, "archive-error", msg) == 0 ? 0 : ew_oom(w);
        }
        if (++run->entries > o->max_entries) {
            char msg[128];
            snprintf(msg, sizeof msg, "more than %llu entries (limit max-entries); the rest were not read",
                     (unsigned long long)o->max_entries);
            run->stop = true;
            return ew_warn(w, prefix, "limit-entries", msg) == 0 ? 0 : ew_oom(w);
        }
        nread++;
        int rc = ew_walk_one(w, ar, ae, prefix, raw_name, raw_role, depth);
        if (rc != 0)
            return rc;
        if (run->stop)
            return 0;
    }
}

/* The gzip layer's bytes to libarchive. Its failure is reported to
 * libarchive as the end of data, so that everything before the cut is
 * read; the walk then tells what happened. */
static la_ssize_t ew_source_cb(struct archive *ar, void *ctx, const void **buf)
{
    ew_walk *w = ctx;
    EW_UNUSED(ar);
    if (w->src_failed)
        return 0;
    long n = ew_source_read(w->src, buf);
    if (n < 0) {
        w->src_failed = true;
        return 0;
    }
    return (la_ssize_t)n;
}

/* Opens ar on fd: through our gzip layer when the data is gzip or not
 * seekable, else with libarchive's own file reader (zip wants to seek). */
static int ew_open(ew_walk *w, struct archive *ar, const char *fspath, int fd)
{
    if (fspath && !ew_fd_is_gzip(fd))
        return archive_read_open_fd(ar, fd, EW_READ_BLOCK) == ARCHIVE_OK ? 0 : -1;
    char err[EW_SOURCE_ERR_MAX];
    ew_origin file = {fd, NULL, NULL};
    ew_source *src = ew_source_open(fspath ? &file : w->top, ew_an(w)->opt.threads > 1, err, sizeof err);
    if (!src) {
        archive_set_error(ar, EIO, "%s", err);
        return -1;
    }
    w->src = src;
    w->src_failed = false;
    return archive_read_open(ar, w, NULL, ew_source_cb, NULL) == ARCHIVE_OK ? 0 : -1;
}

/* Opens a file of the file system (or stdin) and walks it. */
static int ew_walk_file(ew_walk *w, const char *fspath, int fd, const char *name, const char *prefix,
                        ew_role role, bool named_by_user)
{
    int own_fd = -1;
    if (fspath && (own_fd = fd = open(fspath, O_RDONLY | O_CLOEXEC)) < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
        w->run->failed_part = true;
        return ew_warn(w, prefix, "open-error", msg) == 0 ? 0 : ew_oom(w);
    }
    struct archive *ar = ew_archive_new(role == EW_ROLE_ARCHIVE || role == EW_ROLE_OTHER);
    if (!ar) {
        if (own_fd >= 0)
            close(own_fd);
        return ew_oom(w);
    }
    struct stat st;
    w->file_mtime_us = fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                           ? EW_MIN(EW_MAX((int64_t)st.st_mtim.tv_sec, -EW_MTIME_MAX_S),
                                    EW_MTIME_MAX_S) * 1000000 + st.st_mtim.tv_nsec / 1000
                           : 0;
    struct archive *saved = w->outer;
    w->outer = ar;
    int rc = 0;
    if (ew_open(w, ar, fspath, fd) != 0) {
        const char *why = archive_error_string(ar);
        w->run->failed_part = true;
        rc = ew_warn(w, prefix, "open-error", why ? why : "cannot be opened") == 0 ? 0 : ew_oom(w);
    } else {
        char plain[EW_PATH_NAME_MAX];
        ew_strip_compression(ew_basename(name), plain, sizeof plain);
        ew_role hint = ew_role_of(plain);
        /* A file the user named is a log unless it says otherwise; one met
         * in a folder is judged by its first line. */
        if (hint == EW_ROLE_ARCHIVE || (hint == EW_ROLE_OTHER && named_by_user))
            hint = named_by_user ? EW_ROLE_LOG : EW_ROLE_OTHER;
        rc = ew_walk_archive(w, ar, prefix, plain, hint, 0);
        if (rc == 0 && w->zip_again) {
            /* Read the zip again from its local headers, in order. */
            w->zip_again = false;
            struct archive *zs = archive_read_new();
            if (!zs || archive_read_support_filter_all(zs) < ARCHIVE_WARN ||
                archive_read_support_format_zip_streamable(zs) != ARCHIVE_OK) {
                archive_read_free(zs);
                rc = ew_oom(w);
            } else if (lseek(fd, 0, SEEK_SET) != 0 ||
                       archive_read_open_fd(zs, fd, EW_READ_BLOCK) != ARCHIVE_OK) {
                char msg[512];
                snprintf(msg, sizeof msg, "zip central directory unreadable (%s); nothing read",
                         w->zip_why);
                w->run->failed_part = true;
                rc = ew_warn(w, prefix, "archive-error", msg) == 0 ? 0 : ew_oom(w);
                archive_read_free(zs);
            } else {
                char msg[512];
                snprintf(msg, sizeof msg,
                         "zip central directory unreadable (%s): entries read from their local "
                         "headers instead",
                         w->zip_why);
                w->run->failed_part = true;
                rc = ew_warn(w, prefix, "archive-damaged", msg) == 0 ? 0 : ew_oom(w);
                w->outer = zs;
                if (rc == 0)
                    rc = ew_walk_archive(w, zs, prefix, plain, hint, 0);
                w->outer = ar;
                archive_read_free(zs);
            }
        }
        /* A cut that fell between entries surfaces only here. */
        if (rc == 0 && w->src_failed && !w->run->failed_part) {
            w->run->failed_part = true;
            rc = ew_warn(w, prefix, "truncated", ew_source_error(w->src)) == 0 ? 0 : ew_oom(w);
        }
    }
    w->outer_base += ew_compressed_pos(w) - w->outer_base;
    w->outer = saved;
    archive_read_free(ar);
    ew_source_close(w->src);
    w->src = NULL;
    if (own_fd >= 0)
        close(own_fd);
    return rc;
}

static int ew_skip_dirent(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

static int ew_walk_dir(ew_walk *w, const char *fspath, const char *rel, unsigned level)
{
    ew_run *run = w->run;
    struct dirent **names;
    int n = scandir(fspath, &names, ew_skip_dirent, alphasort);
    if (n < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot read directory: %s", strerror(errno));
        run->failed_part = true;
        return ew_warn(w, rel, "open-error", msg) == 0 ? 0 : ew_oom(w);
    }
    int rc = 0;
    ew_buf full = {0}, sub = {0};
    for (int i = 0; i < n; i++) {
        const char *d = names[i]->d_name;
        if (rc != 0 || run->stop)
            goto next;
        ew_buf_clear(&full);
        ew_buf_clear(&sub);
        if (ew_buf_printf(&full, "%s/%s", fspath, d) != 0 ||
            ew_buf_printf(&sub, "%s%s%s", rel ? rel : "", rel ? "/" : "", d) != 0) {
            rc = ew_oom(w);
            goto next;
        }
        struct stat st;
        if (lstat(full.p, &st) != 0)
            goto next;
        if (S_ISDIR(st.st_mode)) {
            if (level + 1 >= EW_MAX_DIR_DEPTH)
                rc = ew_warn(w, sub.p, "limit-depth", "folders nested too deep: not walked") == 0
                         ? 0
                         : ew_oom(w);
            else
                rc = ew_walk_dir(w, full.p, sub.p, level + 1);
            goto next;
        }
        ew_role role = ew_role_of(d);
        if (!S_ISREG(st.st_mode)) {
            ewdiag_entry *e = ew_input_add_entry(run->input, sub.p, ew_role_name(role),
                                                 (uint64_t)st.st_size);
            if (!e || ew_entry_set(e, "skipped", "not a regular file") != 0)
                rc = ew_oom(w);
            goto next;
        }
        if (++run->entries > ew_an(w)->opt.max_entries) {
            run->stop = true;
            rc = ew_warn(w, NULL, "limit-entries", "too many files (limit max-entries); the rest were not read") == 0
                     ? 0
                     : ew_oom(w);
            goto next;
        }
        rc = ew_walk_file(w, full.p, -1, d, sub.p, role, false);
    next:
        free(names[i]);
    }
    free(names);
    ew_buf_free(&full);
    ew_buf_free(&sub);
    return rc;
}

static int ew_walk_input(ew_walk *w, const char *path, int fd);

int ew_bundle_walk(ew_run *run, const char *path, const ew_origin *origin)
{
    ew_walk w = {.run = run, .top = origin};
    int rc = ew_walk_input(&w, path, origin ? origin->fd : -1);
    if (rc == 0 && run->input->nentries == 0 && !run->failed_part) {
        run->failed_part = true;
        rc = ew_warn(&w, NULL, "empty", "empty: no data, no file") == 0 ? 0 : ew_oom(&w);
    }
    return rc;
}

static int ew_walk_input(ew_walk *w, const char *path, int fd)
{
    ew_run *run = w->run;
    ewdiag_analyzer *a = run->a;
    if (path && strcmp(path, "-") != 0) {
        struct stat st;
        if (stat(path, &st) != 0)
            return ew_err_set(&a->err, EWDIAG_EIO, "%s: %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return ew_walk_dir(w, path, NULL, 0);
        run->total = (uint64_t)st.st_size;
        return ew_walk_file(w, path, -1, path, NULL, EW_ROLE_OTHER, true);
    }
    struct stat st;
    if (!w->top->fn && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        run->total = (uint64_t)st.st_size;
    return ew_walk_file(w, NULL, fd, run->input->name, NULL, EW_ROLE_OTHER, true);
}
