/* harness.h - what every unit test program shares: each test_NAME.c
 * defines ew_test_suite(), harness.c runs it (CK_FORK and CK_RUN_CASE
 * work as Check documents), and the helpers below find the source tree. */
#ifndef EW_TEST_HARNESS_H
#define EW_TEST_HARNESS_H

#include <check.h>

/* The suite of this test program. */
Suite *ew_test_suite(void);

/* The rule directory the tests load: $EWDIAG_RULES, else "rules". */
const char *ew_test_rules_dir(void);

#endif /* EW_TEST_HARNESS_H */
