/*
 * ewdiag.h - analyze Cisco Expressway diagnostic bundles.
 *
 * Life cycle:
 *
 *     ewdiag_analyzer *a = ewdiag_analyzer_new();
 *     ewdiag_analyzer_load_rules(a, NULL);            // NULL: installed rules
 *     ewdiag_report *r = ewdiag_report_new();
 *     if (ewdiag_analyze_path(a, r, "bundle.tar.gz") != EWDIAG_OK)
 *         fprintf(stderr, "%s\n", ewdiag_error(a));
 *     for (size_t i = 0; i < ewdiag_report_finding_count(r); i++) {
 *         const ewdiag_finding *f = ewdiag_report_finding(r, i);
 *         ... ewdiag_finding_rule(f), ewdiag_finding_server(f) ...
 *     }
 *     ewdiag_report_write(r, stdout, EWDIAG_FORMAT_JSON, 0);
 *     ewdiag_report_free(r);
 *     ewdiag_analyzer_free(a);
 *
 * Ownership, the one rule: what a function named _new or _serialize returns
 * belongs to the caller and is released with the matching _free (or free());
 * every other pointer returned (strings, findings, inputs, entries) is owned
 * by the object it came from and lives as long as that object.
 *
 * Errors: functions returning int give EWDIAG_OK (0) on success and a
 * negative EWDIAG_E* code on failure; ewdiag_error() then tells what went
 * wrong, naming the input, the entry inside it and the place.
 *
 * Threads: the library keeps no global state of its own and takes no lock
 * on its objects. Use one analyzer per thread: analyzers on different
 * threads may work at the same time. A report is filled by one
 * ewdiag_analyze_*() call at a time; once filled it may be read (getters,
 * _write, _serialize) from any number of threads, which change nothing in
 * it. An ewdiag_analyze_*() call that reads a gzip stream may inflate it on
 * a second thread of its own (which then reads the file or descriptor),
 * joined before the call returns; the progress callback is always called
 * on the caller's thread. No global initialisation is needed before the
 * first call, from any thread, and the library does none that a program
 * could notice: OpenSSL (1.1 and 3) initialises itself on first use, safely
 * from several threads; libarchive, libpcap, PCRE2 (JIT included), jansson,
 * zlib and ISA-L need none. One known race is not ours and is harmless:
 * libarchive's tar reader numbers the inodes it makes up for entries with a
 * static counter and no lock (ewdiag never reads them); thread checkers such
 * as helgrind report it.
 *
 * The library never prints (to standard output, standard error or a log),
 * never calls exit() or abort() whatever the input, never changes signal
 * handlers, the locale or the environment, and never writes a file: what
 * it has to say is in the report, the return codes and ewdiag_error().
 */
#ifndef EWDIAG_H
#define EWDIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(EWDIAG_BUILDING) && defined(__GNUC__)
#define EWDIAG_API __attribute__((visibility("default")))
#else
#define EWDIAG_API
#endif

#define EWDIAG_OK 0
#define EWDIAG_EINVAL (-1)   /* bad argument or option */
#define EWDIAG_ENOMEM (-2)   /* out of memory */
#define EWDIAG_EIO (-3)      /* input could not be opened or read */
#define EWDIAG_EFORMAT (-4)  /* input or rule file is malformed */
#define EWDIAG_ELIMIT (-5)   /* a resource limit stopped the work */

typedef struct ewdiag_analyzer ewdiag_analyzer;
typedef struct ewdiag_report ewdiag_report;
typedef struct ewdiag_input ewdiag_input;
typedef struct ewdiag_entry ewdiag_entry;
typedef struct ewdiag_finding ewdiag_finding;
typedef struct ewdiag_warning ewdiag_warning;

typedef enum ewdiag_severity {
    EWDIAG_SEV_INFO = 0,
    EWDIAG_SEV_NOTICE = 1,
    EWDIAG_SEV_WARNING = 2,
    EWDIAG_SEV_ERROR = 3,
    EWDIAG_SEV_CRITICAL = 4
} ewdiag_severity;

typedef enum ewdiag_format {
    EWDIAG_FORMAT_TEXT = 0,
    EWDIAG_FORMAT_JSON = 1,
    EWDIAG_FORMAT_JSONL = 2
} ewdiag_format;

/* Flags for ewdiag_report_write() and ewdiag_report_serialize(). */
#define EWDIAG_WRITE_COLOR 0x1u   /* text: ANSI colour */
#define EWDIAG_WRITE_COMPACT 0x2u /* json: no indentation */
#define EWDIAG_WRITE_ENTRIES 0x4u /* text: list every entry of each input */

/* Library version, "MAJOR.MINOR.PATCH". */
EWDIAG_API const char *ewdiag_version(void);

/* Where the installed rule files are (the default for load_rules(NULL)). */
EWDIAG_API const char *ewdiag_default_rules_dir(void);

/* ---- Analyzer ---------------------------------------------------------- */

/* A new analyzer with default options and no rules; NULL if out of memory. */
EWDIAG_API ewdiag_analyzer *ewdiag_analyzer_new(void);

/* Frees the analyzer and its rules. NULL is accepted. */
EWDIAG_API void ewdiag_analyzer_free(ewdiag_analyzer *a);

/*
 * Sets an option by name; value is parsed from text. Options:
 *   evidence       raw lines kept per finding (default 5)
 *   max-line       longest log line kept, bytes; longer lines are cut (1 MiB)
 *   max-depth      archives opened inside archives (4)
 *   max-entries    entries read per input (100000)
 *   max-bytes      decompressed bytes read per input (64 GiB)
 *   max-ratio      decompressed/compressed bytes per input before it is
 *                  judged a compression bomb (1000)
 *   attach-window  seconds between a failure and the lines attached to it (5)
 *   match-limit    PCRE2 match limit per line (100000)
 *   depth-limit    PCRE2 depth limit per line (1000)
 *   capture-window seconds around a failure in which a TLS handshake to the
 *                  same server is taken as the one that failed (2)
 *   max-handshakes handshakes remembered per input for that join (200000)
 *   max-flows      TCP connections tracked at once (4096)
 *   max-flow-bytes bytes kept per direction of a connection (256 KiB)
 *   max-handshake  largest TLS handshake message read (128 KiB)
 *   max-chain      certificates kept per chain (10)
 *   max-der        largest certificate read (64 KiB)
 *   threads        threads one analysis may use: 2 inflates gzip on a thread
 *                  of its own beside the scanning, 1 keeps all on the
 *                  caller's thread (2)
 * Unknown names and unparsable values give EWDIAG_EINVAL.
 */
EWDIAG_API int ewdiag_analyzer_set_option(ewdiag_analyzer *a, const char *key,
                                          const char *value);

/*
 * Loads rules from a JSON file, or from every *.json file of a directory
 * (in name order). NULL loads ewdiag_default_rules_dir(). Rules add up over
 * calls; a rule id seen twice is an error. On error no rule of that call is
 * kept and ewdiag_error() names the file, the rule id and, for a pattern,
 * the offset where it failed to compile.
 */
EWDIAG_API int ewdiag_analyzer_load_rules(ewdiag_analyzer *a, const char *path);

/* Number of rules loaded. */
EWDIAG_API size_t ewdiag_analyzer_rule_count(const ewdiag_analyzer *a);

/*
 * Progress callback, called from inside ewdiag_analyze_*() every few
 * megabytes: bytes of the input read so far, and its size (0 if unknown,
 * as for stdin). It must not call back into the analyzer.
 */
typedef void (*ewdiag_progress_fn)(void *ctx, const char *input,
                                   uint64_t done, uint64_t total);
EWDIAG_API void ewdiag_analyzer_set_progress(ewdiag_analyzer *a,
                                             ewdiag_progress_fn fn, void *ctx);

/* The last error's message; "" if none. Owned by the analyzer. */
EWDIAG_API const char *ewdiag_error(const ewdiag_analyzer *a);

/* ---- Analysis -------------------------------------------------------- */

/* An empty report; NULL if out of memory. */
EWDIAG_API ewdiag_report *ewdiag_report_new(void);
EWDIAG_API void ewdiag_report_free(ewdiag_report *r);

/*
 * Analyzes one input and adds it, its entries, findings and warnings to the
 * report. path is a bundle (.tar.gz, .tgz, .tar, .zip, ...), a plain or
 * compressed log file, a directory (walked), or "-" for standard input.
 * Returns EWDIAG_OK when the input could be read at all, even partly (what
 * went wrong with parts of it is in the report's warnings); a negative code
 * when nothing of it could be analyzed. Either way the input is listed in
 * the report. Needs at least one rule loaded.
 */
EWDIAG_API int ewdiag_analyze_path(ewdiag_analyzer *a, ewdiag_report *r,
                                   const char *path);

/* As ewdiag_analyze_path() on an open descriptor (not closed); name is
 * what the report calls the input. */
EWDIAG_API int ewdiag_analyze_fd(ewdiag_analyzer *a, ewdiag_report *r, int fd,
                                 const char *name);

/* Moves everything of src to the end of dst; src is left empty. */
EWDIAG_API int ewdiag_report_append(ewdiag_report *dst, ewdiag_report *src);

/* ---- Report ---------------------------------------------------------- */

EWDIAG_API size_t ewdiag_report_input_count(const ewdiag_report *r);
EWDIAG_API const ewdiag_input *ewdiag_report_input(const ewdiag_report *r, size_t i);
EWDIAG_API size_t ewdiag_report_finding_count(const ewdiag_report *r);
EWDIAG_API const ewdiag_finding *ewdiag_report_finding(const ewdiag_report *r, size_t i);
EWDIAG_API size_t ewdiag_report_warning_count(const ewdiag_report *r);
EWDIAG_API const ewdiag_warning *ewdiag_report_warning(const ewdiag_report *r, size_t i);

/* Highest severity among the findings; -1 when there is none. */
EWDIAG_API int ewdiag_report_max_severity(const ewdiag_report *r);

/* Writes the report to f in the given format. */
EWDIAG_API int ewdiag_report_write(const ewdiag_report *r, FILE *f,
                                   ewdiag_format format, unsigned flags);

/* The report as a NUL-terminated string (length in *len if len is not
 * NULL); the caller frees it with free(). NULL if out of memory. */
EWDIAG_API char *ewdiag_report_serialize(const ewdiag_report *r, ewdiag_format format,
                                         unsigned flags, size_t *len);

EWDIAG_API const char *ewdiag_severity_name(ewdiag_severity s);

/* An input: what was given to ewdiag_analyze_*(). */
typedef enum ewdiag_input_status {
    EWDIAG_INPUT_ANALYZED = 0, /* every entry read */
    EWDIAG_INPUT_PARTIAL = 1,  /* read, but some part failed or a limit hit */
    EWDIAG_INPUT_FAILED = 2    /* nothing could be analyzed */
} ewdiag_input_status;

EWDIAG_API const char *ewdiag_input_name(const ewdiag_input *in);
EWDIAG_API ewdiag_input_status ewdiag_input_status_get(const ewdiag_input *in);
EWDIAG_API const char *ewdiag_input_error(const ewdiag_input *in); /* "" if none */
EWDIAG_API uint64_t ewdiag_input_bytes(const ewdiag_input *in);     /* decompressed, read */
EWDIAG_API size_t ewdiag_input_node_count(const ewdiag_input *in);
EWDIAG_API const char *ewdiag_input_node(const ewdiag_input *in, size_t i);
/* Software version of node i as read from its xstat dump; "" if unknown. */
EWDIAG_API const char *ewdiag_input_node_version(const ewdiag_input *in, size_t i);
EWDIAG_API size_t ewdiag_input_entry_count(const ewdiag_input *in);
EWDIAG_API const ewdiag_entry *ewdiag_input_entry(const ewdiag_input *in, size_t i);

/* An entry: one file inside an input. Nested archive members are named
 * "outer.zip/inner.tar.gz/member". */
EWDIAG_API const char *ewdiag_entry_path(const ewdiag_entry *e);
/* "log", "ats-log", "xconf", "xstat", "capture", "trusted-ca",
 * "server-cert", "archive", "directory", "other" */
EWDIAG_API const char *ewdiag_entry_role(const ewdiag_entry *e);
EWDIAG_API uint64_t ewdiag_entry_size(const ewdiag_entry *e);
/* "scanned", "skipped" or "failed" */
EWDIAG_API const char *ewdiag_entry_status(const ewdiag_entry *e);
EWDIAG_API const char *ewdiag_entry_reason(const ewdiag_entry *e); /* "" if none */
EWDIAG_API uint64_t ewdiag_entry_lines(const ewdiag_entry *e);

/* A finding: events of one rule on one node for one server. Times are
 * microseconds since 1970-01-01T00:00:00Z. Strings are "" when unknown. */
EWDIAG_API const char *ewdiag_finding_rule(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_title(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_category(const ewdiag_finding *f);
EWDIAG_API ewdiag_severity ewdiag_finding_severity(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_input(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_node(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_server(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_address(const ewdiag_finding *f);
/* The name the failure was logged for: "for (X)", "SNI (X)". */
EWDIAG_API const char *ewdiag_finding_target(const ewdiag_finding *f);
/* 1 when the traffic server refused (Action=Terminate), 0 when it only
 * logged (Action=Continue), -1 when the line does not say. */
EWDIAG_API int ewdiag_finding_enforced(const ewdiag_finding *f);
EWDIAG_API uint64_t ewdiag_finding_count(const ewdiag_finding *f);
/* Requests (Txn-ids) that ended in an error response toward this server. */
EWDIAG_API uint64_t ewdiag_finding_requests(const ewdiag_finding *f);
EWDIAG_API int64_t ewdiag_finding_first_seen(const ewdiag_finding *f);
EWDIAG_API int64_t ewdiag_finding_last_seen(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_error(const ewdiag_finding *f);
/* Certificate chain depth of the latest event; -1 when not given. */
EWDIAG_API int ewdiag_finding_depth(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_description(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_workaround(const ewdiag_finding *f);
EWDIAG_API size_t ewdiag_finding_evidence_count(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_evidence(const ewdiag_finding *f, size_t i);
/* Lines attached to the finding: the traffic server's error lines and the
 * error responses of the requests that failed. */
EWDIAG_API size_t ewdiag_finding_related_count(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_related(const ewdiag_finding *f, size_t i);
EWDIAG_API size_t ewdiag_finding_explanation_count(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_explanation(const ewdiag_finding *f, size_t i);
EWDIAG_API size_t ewdiag_finding_action_count(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_action(const ewdiag_finding *f, size_t i);
EWDIAG_API size_t ewdiag_finding_defect_count(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_defect(const ewdiag_finding *f, size_t i);
/* Destination ports seen in the requests toward this server. */
EWDIAG_API size_t ewdiag_finding_port_count(const ewdiag_finding *f);
EWDIAG_API unsigned ewdiag_finding_port(const ewdiag_finding *f, size_t i);
/* Client request URLs that failed toward this server. */
EWDIAG_API size_t ewdiag_finding_url_count(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_url(const ewdiag_finding *f, size_t i);
/* The URL's MRA path segment decoded, "domain/protocol/host/port": the
 * address the client was told to use. "" if the URL has none. */
EWDIAG_API const char *ewdiag_finding_url_target(const ewdiag_finding *f, size_t i);

/* What the packet capture says of the finding's server: "matched" (a
 * handshake close in time was found; the getters below describe it),
 * "no-handshake", or "no-capture" (the input had none). */
EWDIAG_API const char *ewdiag_finding_capture(const ewdiag_finding *f);
/* "TLS 1.2", ...; "" unless matched. */
EWDIAG_API const char *ewdiag_finding_tls_version(const ewdiag_finding *f);
/* The chain the server presented (leaf first), from that handshake or, when
 * it showed none (TLS 1.3, resumed), the last full one before it. */
EWDIAG_API size_t ewdiag_finding_chain_length(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_chain_subject(const ewdiag_finding *f, size_t i);
EWDIAG_API const char *ewdiag_finding_chain_issuer(const ewdiag_finding *f, size_t i);
EWDIAG_API const char *ewdiag_finding_chain_sha256(const ewdiag_finding *f, size_t i);
/* 1 trusted, 0 not, -1 not checked (no trust store, or no chain) by the
 * bundle's trust store as of the handshake; then the OpenSSL verdict. */
EWDIAG_API int ewdiag_finding_trusted(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_trust_error(const ewdiag_finding *f);

/* A warning: something the analysis could not do fully. */
EWDIAG_API const char *ewdiag_warning_input(const ewdiag_warning *w);
EWDIAG_API const char *ewdiag_warning_entry(const ewdiag_warning *w); /* "" if none */
/* Short stable code, e.g. "line-too-long", "truncated", "limit-bytes". */
EWDIAG_API const char *ewdiag_warning_code(const ewdiag_warning *w);
EWDIAG_API const char *ewdiag_warning_message(const ewdiag_warning *w);
EWDIAG_API uint64_t ewdiag_warning_count(const ewdiag_warning *w);

#ifdef __cplusplus
}
#endif
#endif /* EWDIAG_H */
