/* options.h - what every ewdiag command that analyzes shares: the analysis
 * options (--rules, --set, --evidence, $EWDIAG_RULES), a configured
 * analyzer from them, report formats by name, and usage errors. */
#ifndef EWDIAG_CLI_OPTIONS_H
#define EWDIAG_CLI_OPTIONS_H

#include <stdbool.h>

#include <ewdiag.h>

#define EXIT_CLEAN 0    /* read whole, nothing of severity warning or above */
#define EXIT_FINDINGS 1 /* analyzed, findings of severity warning or above */
#define EXIT_TROUBLE 2  /* usage error, or no input could be analyzed */
#define EXIT_PARTIAL 3  /* analyzed, nothing of severity warning or above, but
                         * part of an input (or an input) went unread */

#define MAX_SETS 64 /* --set options kept, to configure every worker */

/* The analysis options, as given on the command line. */
typedef struct analysis_opts {
    const char *rules;          /* as given, then as resolved */
    const char *evidence;       /* -e, or NULL */
    const char *sets[MAX_SETS]; /* --set KEY=VALUE, in order */
    int nsets;
    const char *threads;        /* per analysis: "1" or "2", or NULL */
} analysis_opts;

/* The getopt_long entries of the analysis options, and their short
 * letters, for a command's own tables. */
#define ANALYSIS_SHORTOPTS "r:e:"
#define OPT_SET 0x100 /* --set has no short letter */
#define ANALYSIS_LONGOPTS                                          \
    {"rules", required_argument, NULL, 'r'},                       \
    {"evidence", required_argument, NULL, 'e'},                    \
    {"set", required_argument, NULL, OPT_SET}

/* Takes getopt's option `opt` (with optarg) if it is an analysis option:
 * 1 when taken, 0 when not one, -1 after a usage error (said). */
int analysis_opt(analysis_opts *o, int opt, const char *arg, const char *cmd);

/* --rules, else $EWDIAG_RULES, else the installed rules, else the rules of
 * the source tree this binary was built from (running from a build dir). */
const char *rules_path(const char *given);

/* An analyzer configured from o; NULL (and a message on stderr when
 * `loud`) if the options or the rules are wrong. */
ewdiag_analyzer *configure(const analysis_opts *o, bool loud);

/* "text", "json", "jsonl", "html" -> the format. 0, or -1 if unknown. */
int parse_format(const char *s, ewdiag_format *f);

/* "ewdiag[ CMD]: <message>" and the hint to --help, on stderr; returns
 * EXIT_TROUBLE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
