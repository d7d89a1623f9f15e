/* client.c - the store module's C interface (src/queue/db.h) as the upload
 * service will use it, driven by queue-test.py against a real database:
 *
 *   queue-client CONNINFO upload CASE FILE      submit FILE's bytes; prints the job id
 *   queue-client CONNINFO upload-push CASE FILE the same through ewq_upload_*(), in odd chunks
 *   queue-client CONNINFO upload-broken CASE    a reader that fails halfway: EWQ_EINPUT
 *   queue-client CONNINFO upload-abort CASE     ewq_upload_abort() after some bytes
 *   queue-client CONNINFO job ID                prints "STATE ATTEMPTS ERROR"
 *   queue-client CONNINFO result ID FORMAT      prints the stored report (json, jsonl, text)
 *
 * Exit status: 0 done, 3 not found, 4 unreadable input, 2 anything else. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/queue/db.h"

#define EXIT_NOTFOUND 3
#define EXIT_EINPUT 4
#define BROKEN_AFTER 100000 /* bytes the broken reader gives before failing */
#define PUSH_CHUNK 1000      /* an upload callback's pieces */

static long fd_read(void *ctx, void *buf, size_t cap)
{
    return (long)read(*(int *)ctx, buf, cap);
}

static long broken_read(void *ctx, void *buf, size_t cap)
{
    size_t *given = ctx;
    if (*given >= BROKEN_AFTER)
        return -1;
    size_t n = cap < 4096 ? cap : 4096;
    memset(buf, 'x', n);
    *given += n;
    return (long)n;
}

static int status_of(int rc)
{
    return rc == EWQ_OK          ? 0
           : rc == EWQ_ENOTFOUND ? EXIT_NOTFOUND
           : rc == EWQ_EINPUT    ? EXIT_EINPUT
                                 : 2;
}

static int upload(ewq_db *db, const char *case_id, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        return 2;
    }
    int64_t id = 0;
    int rc = ewq_submit_blob(db, case_id, path, fd_read, &fd, 0, &id);
    close(fd);
    if (rc == EWQ_OK)
        printf("%lld\n", (long long)id);
    return rc;
}

static int upload_broken(ewq_db *db, const char *case_id)
{
    size_t given = 0;
    int64_t id = 0;
    return ewq_submit_blob(db, case_id, "broken.tar.gz", broken_read, &given, 0, &id);
}

static int upload_push(ewq_db *db, const char *case_id, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 2;
    }
    ewq_upload *up;
    char buf[PUSH_CHUNK];
    size_t n;
    int rc = ewq_upload_begin(db, &up);
    while (rc == EWQ_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rc = ewq_upload_write(up, buf, n);
    fclose(f);
    int64_t id = 0;
    if (rc == EWQ_OK)
        rc = ewq_upload_finish(up, case_id, path, 0, &id);
    else if (up)
        ewq_upload_abort(up);
    if (rc == EWQ_OK)
        printf("%lld\n", (long long)id);
    return rc;
}

static int upload_abort(ewq_db *db)
{
    ewq_upload *up;
    int rc = ewq_upload_begin(db, &up);
    if (rc == EWQ_OK)
        rc = ewq_upload_write(up, "0123456789", 10);
    if (rc == EWQ_OK)
        ewq_upload_abort(up);
    return rc;
}

static int job(ewq_db *db, const char *id)
{
    ewq_job j;
    int rc = ewq_job_get(db, strtoll(id, NULL, 10), &j);
    if (rc == EWQ_OK)
        printf("%s %d %s\n", j.state, j.attempts, j.error);
    ewq_job_clear(&j);
    return rc;
}

static int result(ewq_db *db, const char *id, const char *format)
{
    ewdiag_format f = strcmp(format, "json") == 0    ? EWDIAG_FORMAT_JSON
                      : strcmp(format, "jsonl") == 0 ? EWDIAG_FORMAT_JSONL
                      : strcmp(format, "html") == 0  ? EWDIAG_FORMAT_HTML
                                                     : EWDIAG_FORMAT_TEXT;
    char *body = NULL;
    size_t len = 0;
    int rc = ewq_result_get(db, strtoll(id, NULL, 10), f, &body, &len);
    if (rc == EWQ_OK && fwrite(body, 1, len, stdout) != len)
        rc = EWQ_EINVAL;
    free(body);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: queue-client CONNINFO upload|upload-push|upload-broken|upload-abort|job|"
              "result ...\n",
              stderr);
        return 2;
    }
    ewq_db *db = ewq_db_new(argv[1], "queue-client");
    int rc = db ? ewq_db_connect(db) : EWQ_ENOMEM;
    if (rc == EWQ_OK)
        rc = ewq_schema_check(db);
    if (rc == EWQ_OK && strcmp(argv[2], "upload") == 0 && argc == 5)
        rc = upload(db, argv[3], argv[4]);
    else if (rc == EWQ_OK && strcmp(argv[2], "upload-push") == 0 && argc == 5)
        rc = upload_push(db, argv[3], argv[4]);
    else if (rc == EWQ_OK && strcmp(argv[2], "upload-abort") == 0)
        rc = upload_abort(db);
    else if (rc == EWQ_OK && strcmp(argv[2], "upload-broken") == 0)
        rc = upload_broken(db, argv[3]);
    else if (rc == EWQ_OK && strcmp(argv[2], "job") == 0)
        rc = job(db, argv[3]);
    else if (rc == EWQ_OK && strcmp(argv[2], "result") == 0 && argc == 5)
        rc = result(db, argv[3], argv[4]);
    else if (rc == EWQ_OK)
        rc = EWQ_EINVAL;
    if (rc != EWQ_OK)
        fprintf(stderr, "queue-client: %s\n", ewq_db_error(db));
    ewq_db_free(db);
    return status_of(rc);
}
