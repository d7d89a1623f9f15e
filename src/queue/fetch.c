/* fetch.c - libcurl's push (write callback) turned into the library's pull
 * (ewdiag_read_fn) with the multi interface: the transfer runs only while
 * the analysis asks for bytes, and pauses while the buffer is full. */
#include "fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ewdiag.h>

#define FETCH_BUF (256 * 1024)     /* body bytes held at most (a chunk is <= 16 KiB) */
#define FETCH_CHUNK_MAX (1 << 20)  /* larger single chunk: refused */
#define POLL_MS 1000               /* wait for the socket, at most */
#define CONNECT_TIMEOUT_S 30L
#define LOW_SPEED_TIME_S 300L      /* no byte for this long: the server is gone */
#define MAX_REDIRS 5L
#define PROBE_TIMEOUT_S 60L
#define PROTOCOLS "http,https"

struct ewq_fetch {
    CURL *easy;
    CURLM *multi;
    char *buf;
    size_t cap, len, pos;
    bool paused, done, added;
    CURLcode result;
    char curl_err[CURL_ERROR_SIZE];
    char err[EWQ_FETCH_ERR_MAX];
};

bool ewq_is_url(const char *location)
{
    return strncasecmp(location, "http://", 7) == 0 || strncasecmp(location, "https://", 8) == 0;
}

#define SETOPT(e, opt, val) \
    if (rc == CURLE_OK)     \
    rc = curl_easy_setopt(e, opt, val)

/* What every request of ours sets. */
static CURLcode common_options(CURL *e, const char *url, char *errbuf)
{
    char agent[32];
    snprintf(agent, sizeof agent, "ewdiag/%s", ewdiag_version()); /* curl copies it */
    CURLcode rc = CURLE_OK;
    SETOPT(e, CURLOPT_URL, url);
    SETOPT(e, CURLOPT_ERRORBUFFER, errbuf);
    SETOPT(e, CURLOPT_PROTOCOLS_STR, PROTOCOLS);
    SETOPT(e, CURLOPT_REDIR_PROTOCOLS_STR, PROTOCOLS);
    SETOPT(e, CURLOPT_FOLLOWLOCATION, 1L);
    SETOPT(e, CURLOPT_MAXREDIRS, MAX_REDIRS);
    SETOPT(e, CURLOPT_FAILONERROR, 1L);
    SETOPT(e, CURLOPT_NOSIGNAL, 1L);
    SETOPT(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    SETOPT(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    SETOPT(e, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME_S);
    SETOPT(e, CURLOPT_USERAGENT, agent);
    return rc;
}

/* libcurl's words, or the HTTP status it failed on. */
static void describe(CURL *e, CURLcode rc, const char *errbuf, char *out, size_t cap)
{
    long status = 0;
    if (rc == CURLE_HTTP_RETURNED_ERROR &&
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status > 0)
        snprintf(out, cap, "HTTP %ld", status);
    else
        snprintf(out, cap, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
}

/* Keeps the chunk, or pauses the transfer until the reader made room. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
    ewq_fetch *f = ctx;
    size_t n = size * nmemb;
    if (f->pos > 0) {
        memmove(f->buf, f->buf + f->pos, f->len - f->pos);
        f->len -= f->pos;
        f->pos = 0;
    }
    if (n > f->cap - f->len) {
        if (f->len > 0) {
            f->paused = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        char *bigger = n <= FETCH_CHUNK_MAX ? realloc(f->buf, n) : NULL;
        if (!bigger)
            return 0; /* curl ends the transfer with a write error */
        f->buf = bigger;
        f->cap = n;
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
    return n;
}

static ewq_fetch *fetch_fail(ewq_fetch *f, char *err, const char *why)
{
    snprintf(err, EWQ_FETCH_ERR_MAX, "%s", why);
    ewq_fetch_free(f);
    return NULL;
}

ewq_fetch *ewq_fetch_open(const char *url, char err[EWQ_FETCH_ERR_MAX])
{
    ewq_fetch *f = calloc(1, sizeof *f);
    if (!f || !(f->buf = malloc(FETCH_BUF)))
        return fetch_fail(f, err, "out of memory");
    f->cap = FETCH_BUF;
    if (!(f->easy = curl_easy_init()) || !(f->multi = curl_multi_init()))
        return fetch_fail(f, err, "libcurl cannot start a transfer");
    CURLcode rc = common_options(f->easy, url, f->curl_err);
    SETOPT(f->easy, CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(f->easy, CURLOPT_WRITEDATA, f);
    if (rc != CURLE_OK)
        return fetch_fail(f, err, curl_easy_strerror(rc));
    if (curl_multi_add_handle(f->multi, f->easy) != CURLM_OK)
        return fetch_fail(f, err, "libcurl cannot start a transfer");
    f->added = true;
    return f;
}

static void collect_done(ewq_fetch *f)
{
    int left;
    CURLMsg *m;
    while ((m = curl_multi_info_read(f->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        f->done = true;
        f->result = m->data.result;
        if (f->result != CURLE_OK)
            describe(f->easy, f->result, f->curl_err, f->err, sizeof f->err);
    }
}

static long give(ewq_fetch *f, void *out, size_t cap)
{
    size_t n = f->len - f->pos < cap ? f->len - f->pos : cap;
    memcpy(out, f->buf + f->pos, n);
    f->pos += n;
    return (long)n;
}

static long transfer_broke(ewq_fetch *f, const char *why)
{
    f->done = true;
    f->result = CURLE_RECV_ERROR;
    snprintf(f->err, sizeof f->err, "%s", why);
    return -1;
}

long ewq_fetch_read(void *ctx, void *out, size_t cap)
{
    ewq_fetch *f = ctx;
    if (cap > FETCH_BUF)
        cap = FETCH_BUF; /* the return value is a long */
    for (;;) {
        if (f->pos < f->len)
            return give(f, out, cap);
        if (f->done)
            return f->result == CURLE_OK ? 0 : -1;
        if (f->paused) {
            f->paused = false; /* the callback may run (and pause) right here */
            if (curl_easy_pause(f->easy, CURLPAUSE_CONT) != CURLE_OK)
                return transfer_broke(f, "libcurl cannot resume the transfer");
            continue;
        }
        int running = 0;
        if (curl_multi_perform(f->multi, &running) != CURLM_OK)
            return transfer_broke(f, "libcurl failed");
        collect_done(f);
        if (f->pos < f->len || f->done || f->paused)
            continue;
        if (curl_multi_poll(f->multi, NULL, 0, POLL_MS, NULL) != CURLM_OK)
            return transfer_broke(f, "libcurl failed waiting for the server");
    }
}

const char *ewq_fetch_error(const ewq_fetch *f)
{
    return f->err;
}

void ewq_fetch_free(ewq_fetch *f)
{
    if (!f)
        return;
    if (f->added)
        curl_multi_remove_handle(f->multi, f->easy);
    if (f->multi)
        curl_multi_cleanup(f->multi);
    if (f->easy)
        curl_easy_cleanup(f->easy);
    free(f->buf);
    free(f);
}

/* The first body byte is all a probe waits for. */
static size_t on_probe_body(char *p, size_t size, size_t nmemb, void *ctx)
{
    (void)p;
    (void)size;
    (void)nmemb;
    *(bool *)ctx = true;
    return 0;
}

static void probe_headers(CURL *e, int64_t *size, char *etag, size_t etag_cap)
{
    curl_off_t len = -1;
    if (curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) != CURLE_OK)
        len = -1;
    *size = len >= 0 ? (int64_t)len : -1;
    struct curl_header *h = NULL;
    if (curl_easy_header(e, "ETag", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h && h->value)
        snprintf(etag, etag_cap, "%s", h->value);
}

int ewq_fetch_probe(const char *url, int64_t *size, char *etag, size_t etag_cap,
                    char err[EWQ_FETCH_ERR_MAX])
{
    char errbuf[CURL_ERROR_SIZE] = "";
    bool body = false;
    *size = -1;
    etag[0] = '\0';
    CURL *e = curl_easy_init();
    if (!e) {
        snprintf(err, EWQ_FETCH_ERR_MAX, "libcurl cannot start a transfer");
        return -1;
    }
    CURLcode rc = common_options(e, url, errbuf);
    SETOPT(e, CURLOPT_WRITEFUNCTION, on_probe_body);
    SETOPT(e, CURLOPT_WRITEDATA, &body);
    SETOPT(e, CURLOPT_TIMEOUT, PROBE_TIMEOUT_S);
    if (rc == CURLE_OK)
        rc = curl_easy_perform(e);
    if (rc == CURLE_WRITE_ERROR && body)
        rc = CURLE_OK; /* ended on purpose */
    if (rc == CURLE_OK)
        probe_headers(e, size, etag, etag_cap);
    else
        describe(e, rc, errbuf, err, EWQ_FETCH_ERR_MAX);
    curl_easy_cleanup(e);
    return rc == CURLE_OK ? 0 : -1;
}
