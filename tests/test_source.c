/* The input layer: gzip members inflated on their thread, passthrough for
 * anything else, and every byte before a cut or a corruption given. */
#include <check.h>

#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "input/source.h"

#define PLAIN_LEN (3u * 1024u * 1024u + 17u) /* over several inflated blocks */
#define GZIP_WINDOW (15 + 16)
#define ZLIB_MEM_LEVEL 8

static unsigned char *plain_data(size_t n, unsigned seed)
{
    unsigned char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++) /* compressible, not trivially */
        p[i] = (unsigned char)("ewdiag log line \n"[i % 17] ^ (rand_r(&seed) % 7 == 0));
    return p;
}

static unsigned char *gzip_of(const unsigned char *in, size_t n, size_t *out_len)
{
    z_stream zs = {0};
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, GZIP_WINDOW, ZLIB_MEM_LEVEL,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, n);
    unsigned char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* A file holding the bytes, opened for reading, offset 0. */
static int fd_of(const void *p, size_t n)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    ck_assert_int_eq(fflush(f), 0);
    int fd = dup(fileno(f));
    fclose(f);
    ck_assert_int_eq((int)lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* Reads everything; returns the bytes and the last return value. */
static unsigned char *drain(ew_source *s, size_t *n, long *last)
{
    size_t cap = PLAIN_LEN * 2 + 64, len = 0;
    unsigned char *all = malloc(cap);
    ck_assert_ptr_nonnull(all);
    const void *buf;
    long r;
    while ((r = ew_source_read(s, &buf)) > 0) {
        ck_assert_uint_le(len + (size_t)r, cap);
        memcpy(all + len, buf, (size_t)r);
        len += (size_t)r;
    }
    *n = len;
    *last = r;
    return all;
}

/* Each test runs with the inflating thread and without (loop index). */
static bool threaded;

static unsigned char *read_all(const void *p, size_t n, size_t *got, long *last, char *err,
                               size_t errsz)
{
    int fd = fd_of(p, n);
    ew_err e = {0, ""};
    ew_origin o = {fd, NULL, NULL};
    ew_source *s = NULL;
    ck_assert_msg(ew_source_open(&s, &o, threaded, &e) == 0, "open: %s", e.msg);
    unsigned char *all = drain(s, got, last);
    snprintf(err, errsz, "%s", ew_source_error(s));
    ew_source_close(s);
    close(fd);
    return all;
}

START_TEST(test_one_member)
{
    threaded = _i;
    unsigned char *plain = plain_data(PLAIN_LEN, 1);
    size_t zn, got;
    long last;
    char err[EW_SOURCE_ERR_MAX];
    unsigned char *z = gzip_of(plain, PLAIN_LEN, &zn);
    unsigned char *all = read_all(z, zn, &got, &last, err, sizeof err);
    ck_assert_int_eq(last, 0);
    ck_assert_uint_eq(got, PLAIN_LEN);
    ck_assert(memcmp(all, plain, PLAIN_LEN) == 0);
    free(all);
    free(z);
    free(plain);
}
END_TEST

/* gzip allows members back to back (cat a.gz b.gz); padding after is ignored. */
START_TEST(test_members_and_padding)
{
    threaded = _i;
    unsigned char *a = plain_data(PLAIN_LEN, 2), *b = plain_data(1000, 3);
    size_t an, bn, got;
    long last;
    char err[EW_SOURCE_ERR_MAX];
    unsigned char *za = gzip_of(a, PLAIN_LEN, &an), *zb = gzip_of(b, 1000, &bn);
    size_t n = an + bn + 512;
    unsigned char *cat = calloc(1, n); /* zero padding after the members */
    ck_assert_ptr_nonnull(cat);
    memcpy(cat, za, an);
    memcpy(cat + an, zb, bn);
    unsigned char *all = read_all(cat, n, &got, &last, err, sizeof err);
    ck_assert_int_eq(last, 0);
    ck_assert_uint_eq(got, PLAIN_LEN + 1000);
    ck_assert(memcmp(all, a, PLAIN_LEN) == 0 && memcmp(all + PLAIN_LEN, b, 1000) == 0);
    free(all);
    free(cat);
    free(za);
    free(zb);
    free(a);
    free(b);
}
END_TEST

/* Cut anywhere: what came before is given, then the cut is named. */
START_TEST(test_truncated)
{
    threaded = _i;
    unsigned char *plain = plain_data(PLAIN_LEN, 4);
    size_t zn;
    unsigned char *z = gzip_of(plain, PLAIN_LEN, &zn);
    const size_t cuts[] = {3, 10, zn / 3, zn / 2, zn - 9, zn - 1};
    for (size_t c = 0; c < EW_ARRAY_LEN(cuts); c++) {
        size_t got;
        long last;
        char err[EW_SOURCE_ERR_MAX];
        unsigned char *all = read_all(z, cuts[c], &got, &last, err, sizeof err);
        ck_assert_msg(last == -1, "cut at %zu: last %ld", cuts[c], last);
        ck_assert_msg(strstr(err, "truncated after") != NULL, "cut at %zu: \"%s\"", cuts[c], err);
        ck_assert(got <= PLAIN_LEN && memcmp(all, plain, got) == 0);
        if (cuts[c] >= zn / 2)
            ck_assert_uint_gt(got, 0);
        free(all);
    }
    free(z);
    free(plain);
}
END_TEST

START_TEST(test_corrupt)
{
    threaded = _i;
    unsigned char *plain = plain_data(PLAIN_LEN, 5);
    size_t zn, got;
    long last;
    char err[EW_SOURCE_ERR_MAX];
    unsigned char *z = gzip_of(plain, PLAIN_LEN, &zn);
    for (size_t i = zn / 2; i < zn / 2 + 64; i++)
        z[i] ^= 0x5a;
    unsigned char *all = read_all(z, zn, &got, &last, err, sizeof err);
    ck_assert_int_eq(last, -1);
    ck_assert_msg(strstr(err, "corrupt") != NULL, "\"%s\"", err);
    free(all);
    free(z);
    free(plain);
}
END_TEST

START_TEST(test_passthrough)
{
    threaded = _i;
    static const char text[] = "2022-07-11T18:55:26.016+02:00 vcsc traffic_server[1]: plain\n";
    size_t got;
    long last;
    char err[EW_SOURCE_ERR_MAX];
    unsigned char *all = read_all(text, sizeof text - 1, &got, &last, err, sizeof err);
    ck_assert_int_eq(last, 0);
    ck_assert_uint_eq(got, sizeof text - 1);
    ck_assert(memcmp(all, text, got) == 0);
    free(all);
    all = read_all("", 0, &got, &last, err, sizeof err);
    ck_assert_int_eq(last, 0);
    ck_assert_uint_eq(got, 0);
    free(all);
}
END_TEST

/* Closing before the end stops the thread (no hang, no leak). */
START_TEST(test_close_early)
{
    threaded = _i;
    unsigned char *plain = plain_data(PLAIN_LEN, 6);
    size_t zn;
    unsigned char *z = gzip_of(plain, PLAIN_LEN, &zn);
    int fd = fd_of(z, zn);
    ew_err e = {0, ""};
    ew_origin o = {fd, NULL, NULL};
    ew_source *s = NULL;
    ck_assert_int_eq(ew_source_open(&s, &o, threaded, &e), 0);
    const void *buf;
    ck_assert_int_gt(ew_source_read(s, &buf), 0);
    ew_source_close(s);
    close(fd);
    free(z);
    free(plain);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *su = suite_create("source");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_one_member, 0, 2);
    tcase_add_loop_test(tc, test_members_and_padding, 0, 2);
    tcase_add_loop_test(tc, test_truncated, 0, 2);
    tcase_add_loop_test(tc, test_corrupt, 0, 2);
    tcase_add_loop_test(tc, test_passthrough, 0, 2);
    tcase_add_loop_test(tc, test_close_early, 0, 2);
    suite_add_tcase(su, tc);
    return su;
}
