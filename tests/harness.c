/* harness.c - the one main() of the unit test programs. */
#include "harness.h"

#include <stdlib.h>

const char *ew_test_rules_dir(void)
{
    const char *d = getenv("EWDIAG_RULES");
    return d && *d ? d : "rules";
}

int main(void)
{
    SRunner *sr = srunner_create(ew_test_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
