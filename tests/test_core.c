/* test_core.c - the core helpers every stage uses on every line (core/ew.h). */
#include "core/ew.h"

#include <check.h>

#include "harness.h"
#include <stdlib.h>

/* Longer than two words, so that every path of ew_mem_eq is taken. */
#define MEM_MAX 40

/* ew_mem_eq agrees with memcmp for every length and every position of a
 * difference, at every alignment of either side. */
START_TEST(test_mem_eq_as_memcmp)
{
    unsigned char a[MEM_MAX + 8], b[MEM_MAX + 8];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (unsigned char)(i * 7 + 1);
    for (size_t off = 0; off < 8; off++) {
        for (size_t n = 0; n <= MEM_MAX; n++) {
            ck_assert(ew_mem_eq(a + off, b + (7 - off), n) ==
                      (memcmp(a + off, b + (7 - off), n) == 0));
            ck_assert(ew_mem_eq(a + off, a + off, n));
            for (size_t d = 0; d < n; d++) {
                unsigned char keep = b[off + d];
                b[off + d] ^= 0x80;
                ck_assert_msg(!ew_mem_eq(a + off, b + off, n), "n=%zu, differs at %zu", n, d);
                b[off + d] = keep;
            }
            ck_assert(ew_mem_eq(a + off, b + off, n));
        }
    }
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("ew.h");
    tcase_add_test(tc, test_mem_eq_as_memcmp);
    suite_add_tcase(s, tc);
    return s;
}
