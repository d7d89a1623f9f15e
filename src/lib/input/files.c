/* files.c - the input itself: a file of the file system (plain, gzip, an
 * archive), a folder walked in name order, standard input or a caller's
 * stream; gzip through our own layer (source.c) so that a cut stream still
 * gives everything before the cut. */
#include "input/walk_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Folders below a directory input walked at most (symlinks are not followed). */
#define EW_MAX_DIR_DEPTH 32

/* The gzip layer's bytes to libarchive. Its failure is reported to
 * libarchive as the end of data, so that everything before the cut is
 * read; the walk then tells what happened. */
static la_ssize_t ew_source_cb(struct archive *ar, void *ctx, const void **buf)
{
    ew_walker *w = ctx;
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
 * seekable, else with libarchive's own file reader (zip wants to seek).
 * 0; EWDIAG_EIO when it cannot be opened (the archive's error says why);
 * EWDIAG_ENOMEM. */
static int ew_open(ew_walker *w, struct archive *ar, const char *fspath, int fd)
{
    if (fspath && !ew_fd_is_gzip(fd))
        return archive_read_open_fd(ar, fd, EW_READ_BLOCK) == ARCHIVE_OK ? 0 : EWDIAG_EIO;
    ew_err err = {0, ""};
    ew_origin file = {fd, NULL, NULL};
    int rc = ew_source_open(&w->src, fspath ? &file : w->top, w->opt->threaded, &err);
    if (rc == EWDIAG_ENOMEM)
        return ew_walk_oom(w);
    if (rc != 0) {
        archive_set_error(ar, EIO, "%s", err.msg);
        return EWDIAG_EIO;
    }
    w->src_failed = false;
    return archive_read_open(ar, w, NULL, ew_source_cb, NULL) == ARCHIVE_OK ? 0 : EWDIAG_EIO;
}

/* A zip whose central directory failed: read again from its local headers. */
static int ew_zip_again(ew_walker *w, int fd, struct archive *ar, const char *prefix,
                        const char *plain, ew_role hint)
{
    w->zip_again = false;
    struct archive *zs = archive_read_new();
    if (!zs || archive_read_support_filter_all(zs) < ARCHIVE_WARN ||
        archive_read_support_format_zip_streamable(zs) != ARCHIVE_OK) {
        archive_read_free(zs);
        return ew_walk_oom(w);
    }
    char msg[512];
    int rc;
    w->res->failed_part = true;
    if (lseek(fd, 0, SEEK_SET) != 0 || archive_read_open_fd(zs, fd, EW_READ_BLOCK) != ARCHIVE_OK) {
        snprintf(msg, sizeof msg, "zip central directory unreadable (%s); nothing read",
                 w->zip_why);
        rc = ew_walk_warn(w, prefix, EW_W_ARCHIVE_ERROR, msg);
    } else {
        snprintf(msg, sizeof msg,
                 "zip central directory unreadable (%s): entries read from their local headers "
                 "instead",
                 w->zip_why);
        rc = ew_walk_warn(w, prefix, EW_W_ARCHIVE_DAMAGED, msg);
        w->outer = zs;
        if (rc == 0)
            rc = ew_walk_archive(w, zs, prefix, plain, hint, 0);
        w->outer = ar;
    }
    archive_read_free(zs);
    return rc;
}

static int64_t ew_file_mtime(int fd)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return EW_MIN(EW_MAX((int64_t)st.st_mtim.tv_sec, -EW_MTIME_MAX_S), EW_MTIME_MAX_S) * 1000000 +
           st.st_mtim.tv_nsec / 1000;
}

/* Walks an open file: as an archive, or as the one file it is. */
static int ew_walk_open(ew_walker *w, struct archive *ar, const char *fspath, int fd,
                        const char *name, const char *prefix, bool named_by_user)
{
    int rc = ew_open(w, ar, fspath, fd);
    if (rc == EWDIAG_ENOMEM)
        return rc;
    if (rc != 0) {
        const char *why = archive_error_string(ar);
        w->res->failed_part = true;
        return ew_walk_warn(w, prefix, EW_W_OPEN_ERROR, why ? why : "cannot be opened");
    }
    char plain[EW_PATH_NAME_MAX];
    ew_strip_compression(ew_basename(name), plain, sizeof plain);
    ew_role hint = ew_role_of(w->kinds, plain);
    /* A file the user named is a log unless it says otherwise; one met in a
     * folder is judged by its first line. */
    if (hint == EW_ROLE_ARCHIVE || (hint == EW_ROLE_OTHER && named_by_user))
        hint = named_by_user ? EW_ROLE_LOG : EW_ROLE_OTHER;
    rc = ew_walk_archive(w, ar, prefix, plain, hint, 0);
    if (rc == 0 && w->zip_again)
        rc = ew_zip_again(w, fd, ar, prefix, plain, hint);
    /* A cut that fell between entries surfaces only here. */
    if (rc == 0 && w->src_failed && !w->res->failed_part) {
        w->res->failed_part = true;
        rc = ew_walk_warn(w, prefix, EW_W_TRUNCATED, ew_source_error(w->src));
    }
    return rc;
}

/* Opens a file of the file system (or the input's stream) and walks it. */
static int ew_walk_file(ew_walker *w, const char *fspath, int fd, const char *name,
                        const char *prefix, ew_role role, bool named_by_user)
{
    int own_fd = -1;
    if (fspath && (own_fd = fd = open(fspath, O_RDONLY | O_CLOEXEC)) < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
        w->res->failed_part = true;
        return ew_walk_warn(w, prefix, EW_W_OPEN_ERROR, msg);
    }
    struct archive *ar = ew_archive_new(role == EW_ROLE_ARCHIVE || role == EW_ROLE_OTHER);
    int rc = ar ? 0 : ew_walk_oom(w);
    if (ar) {
        w->file_mtime_us = ew_file_mtime(fd);
        struct archive *saved = w->outer;
        w->outer = ar;
        rc = ew_walk_open(w, ar, fspath, fd, name, prefix, named_by_user);
        w->outer_base += ew_walk_compressed_pos(w) - w->outer_base;
        w->outer = saved;
        archive_read_free(ar);
        ew_source_close(w->src);
        w->src = NULL;
    }
    if (own_fd >= 0)
        close(own_fd);
    return rc;
}

static int ew_skip_dirent(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

static int ew_walk_dir(ew_walker *w, const char *fspath, const char *rel, unsigned level);

/* One name of a folder: a folder, a file, or something else. */
static int ew_walk_dirent(ew_walker *w, const char *full, const char *sub, const char *name,
                          unsigned level)
{
    struct stat st;
    if (lstat(full, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        if (level + 1 >= EW_MAX_DIR_DEPTH)
            return ew_walk_warn(w, sub, EW_W_LIMIT_DEPTH, "folders nested too deep: not walked");
        return ew_walk_dir(w, full, sub, level + 1);
    }
    ew_role role = ew_role_of(w->kinds, name);
    if (!S_ISREG(st.st_mode)) {
        ew_entry *e = ew_walk_add_entry(w, sub, role, (uint64_t)st.st_size);
        if (!e)
            return EWDIAG_ENOMEM;
        return ew_entry_set(e, EW_ENTRY_SKIPPED, "not a regular file") == 0 ? 0 : ew_walk_oom(w);
    }
    if (++w->entries > w->opt->max_entries) {
        w->res->stopped = true;
        return ew_walk_warn(w, NULL, EW_W_LIMIT_ENTRIES,
                            "too many files (limit max-entries); the rest were not read");
    }
    return ew_walk_file(w, full, -1, name, sub, role, false);
}

static int ew_walk_dir(ew_walker *w, const char *fspath, const char *rel, unsigned level)
{
    struct dirent **names;
    int n = scandir(fspath, &names, ew_skip_dirent, alphasort);
    if (n < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot read directory: %s", strerror(errno));
        w->res->failed_part = true;
        return ew_walk_warn(w, rel, EW_W_OPEN_ERROR, msg);
    }
    int rc = 0;
    ew_buf full = {0}, sub = {0};
    for (int i = 0; i < n; i++) {
        const char *d = names[i]->d_name;
        if (rc == 0 && !w->res->stopped) {
            ew_buf_clear(&full);
            ew_buf_clear(&sub);
            if (ew_buf_printf(&full, "%s/%s", fspath, d) != 0 ||
                ew_buf_printf(&sub, "%s%s%s", rel ? rel : "", rel ? "/" : "", d) != 0)
                rc = ew_walk_oom(w);
            else
                rc = ew_walk_dirent(w, full.p, sub.p, d, level);
        }
        free(names[i]);
    }
    free(names);
    ew_buf_free(&full);
    ew_buf_free(&sub);
    return rc;
}

static int ew_walk_input(ew_walker *w, const char *path, int fd)
{
    if (path && strcmp(path, "-") != 0) {
        struct stat st;
        if (stat(path, &st) != 0)
            return ew_err_set(w->err, EWDIAG_EIO, "%s: %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return ew_walk_dir(w, path, NULL, 0);
        w->res->total = (uint64_t)st.st_size;
        return ew_walk_file(w, path, -1, path, NULL, EW_ROLE_OTHER, true);
    }
    struct stat st;
    if (!w->top->fn && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        w->res->total = (uint64_t)st.st_size;
    return ew_walk_file(w, NULL, fd, w->opt->input, NULL, EW_ROLE_OTHER, true);
}

int ew_walk(const ew_walk_opts *o, const ew_kinds *kinds, const char *path, const ew_origin *origin,
            ew_walk_result *res, ew_warnings *warn, ew_err *err)
{
    ew_walker w = {.opt = o, .kinds = kinds, .res = res, .warn = warn, .err = err, .top = origin};
    int rc = ew_walk_input(&w, path, origin ? origin->fd : -1);
    if (rc == 0 && res->nentries == 0 && !res->failed_part) {
        res->failed_part = true;
        rc = ew_walk_warn(&w, NULL, EW_W_EMPTY, "empty: no data, no file");
    }
    ew_buf_free(&w.name);
    return rc;
}

void ew_walk_result_free(ew_walk_result *res)
{
    for (size_t i = 0; i < res->nentries; i++) {
        EW_FREE_ALL(res->entries[i]->path, res->entries[i]->reason, res->entries[i]);
    }
    free(res->entries);
    memset(res, 0, sizeof *res);
}
