/* list-findings: what another analyzer does with libewdiag. Analyzes each
 * path given and prints one line per finding.
 *   cc list-findings.c $(pkg-config --cflags --libs ewdiag) -o list-findings
 *   ./list-findings [-r RULES] BUNDLE... */
#include <ewdiag.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *rules = NULL; /* NULL: the installed rules */
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-r") == 0) {
        rules = argv[2];
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-r RULES] BUNDLE...\n", argv[0]);
        return 2;
    }
    ewdiag_analyzer *a = ewdiag_analyzer_new();
    ewdiag_report *r = ewdiag_report_new();
    if (!a || !r || ewdiag_analyzer_load_rules(a, rules) != EWDIAG_OK) {
        fprintf(stderr, "%s\n", a ? ewdiag_error(a) : "out of memory");
        return 2;
    }
    for (int i = first; i < argc; i++)
        if (ewdiag_analyze_path(a, r, argv[i]) != EWDIAG_OK)
            fprintf(stderr, "%s\n", ewdiag_error(a));
    for (size_t i = 0; i < ewdiag_report_finding_count(r); i++) {
        const ewdiag_finding *f = ewdiag_report_finding(r, i);
        printf("%s\t%s\t%s\t%s\t%s\t%llu", ewdiag_finding_node(f),
               ewdiag_severity_name(ewdiag_finding_severity(f)), ewdiag_finding_rule(f),
               ewdiag_finding_server(f), ewdiag_finding_address(f),
               (unsigned long long)ewdiag_finding_count(f));
        /* What the capture showed, when the bundle had one. */
        if (ewdiag_finding_chain_length(f) > 0)
            printf("\t%s\t%s", ewdiag_finding_chain_subject(f, 0),
                   ewdiag_finding_trusted(f) == 0 ? ewdiag_finding_trust_error(f) : "");
        putchar('\n');
    }
    ewdiag_report_free(r);
    ewdiag_analyzer_free(a);
    return 0;
}
