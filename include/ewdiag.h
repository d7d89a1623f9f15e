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
 * Errors, the one convention: functions returning int give EWDIAG_OK (0)
 * on success and a negative EWDIAG_E* code on failure (ewdiag_strerror()
 * names it); ewdiag_error() then tells what went wrong, naming the input,
 * the entry inside it and the place. Functions returning a pointer to a new
 * object return NULL when out of memory. Getters never fail: given an index
 * out of range they return "" (strings), NULL (objects), 0 or -1 as each
 * says; strings are never NULL.
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

/* The version this header describes; ewdiag_version_number() is the
 * library's, which may be newer (the ABI only grows within a major). */
#define EWDIAG_VERSION_MAJOR 0
#define EWDIAG_VERSION_MINOR 1
#define EWDIAG_VERSION_PATCH 0
#define EWDIAG_VERSION_NUMBER \
    (EWDIAG_VERSION_MAJOR * 10000 + EWDIAG_VERSION_MINOR * 100 + EWDIAG_VERSION_PATCH)

#define EWDIAG_OK 0
#define EWDIAG_EINVAL (-1)   /* bad argument or option */
#define EWDIAG_ENOMEM (-2)   /* out of memory */
#define EWDIAG_EIO (-3)      /* input could not be opened or read; output not written */
#define EWDIAG_EFORMAT (-4)  /* input or rule file is malformed */
#define EWDIAG_ELIMIT (-5)   /* a resource limit stopped the work */

typedef struct ewdiag_analyzer ewdiag_analyzer;
typedef struct ewdiag_report ewdiag_report;
typedef struct ewdiag_input ewdiag_input;
typedef struct ewdiag_entry ewdiag_entry;
typedef struct ewdiag_finding ewdiag_finding;
typedef struct ewdiag_warning ewdiag_warning;
typedef struct ewdiag_tls_server ewdiag_tls_server;
typedef struct ewdiag_origin ewdiag_origin;
typedef struct ewdiag_chain ewdiag_chain;
typedef struct ewdiag_cert ewdiag_cert;
typedef struct ewdiag_timeline ewdiag_timeline;

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
    EWDIAG_FORMAT_JSONL = 2,
    /* One self-contained HTML page: style, script and data inline, nothing
     * fetched, readable without JavaScript; a timeline per server. Flags
     * do not apply. */
    EWDIAG_FORMAT_HTML = 3
} ewdiag_format;

/* Flags for ewdiag_report_write() and ewdiag_report_serialize(). */
#define EWDIAG_WRITE_COLOR 0x1u   /* text: ANSI colour */
#define EWDIAG_WRITE_COMPACT 0x2u /* json: no indentation */
#define EWDIAG_WRITE_ENTRIES 0x4u /* text: list every entry of each input */

/* Library version, "MAJOR.MINOR.PATCH"; never fails. */
EWDIAG_API const char *ewdiag_version(void);
/* The same as MAJOR * 10000 + MINOR * 100 + PATCH. */
EWDIAG_API unsigned ewdiag_version_number(void);

/* The name of a return code: "ok", "invalid argument", "out of memory",
 * "input/output error", "malformed input", "limit reached"; "unknown
 * error" for any other value. Never NULL. */
EWDIAG_API const char *ewdiag_strerror(int code);

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
 * Returns EWDIAG_OK; EWDIAG_EINVAL for an unknown name or a value that does
 * not parse or is out of range (ewdiag_error() says which).
 */
EWDIAG_API int ewdiag_analyzer_set_option(ewdiag_analyzer *a, const char *key,
                                          const char *value);

/*
 * Loads rules from a JSON file, or from every *.json file of a directory
 * (in name order). NULL loads ewdiag_default_rules_dir(). Rules add up over
 * calls; a rule id seen twice is an error. Returns EWDIAG_OK; EWDIAG_EIO
 * when a file cannot be read, EWDIAG_EFORMAT when a rule is malformed, does
 * not compile or fails its own examples, EWDIAG_ENOMEM. On error no rule of
 * that call is kept and ewdiag_error() names the file, the rule id and, for
 * a pattern, the offset where it failed to compile.
 */
EWDIAG_API int ewdiag_analyzer_load_rules(ewdiag_analyzer *a, const char *path);

/* Number of rules loaded; 0 for NULL. */
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
/* Frees the report and everything got from it. NULL is accepted. */
EWDIAG_API void ewdiag_report_free(ewdiag_report *r);

/*
 * Analyzes one input and adds it, its entries, findings and warnings to the
 * report. path is a bundle (.tar.gz, .tgz, .tar, .zip, ...), a plain or
 * compressed log file, a directory (walked), or "-" for standard input.
 * Returns EWDIAG_OK when the input could be read at all, even partly (what
 * went wrong with parts of it is in the report's warnings); when nothing of
 * it could be analyzed, EWDIAG_EIO (it cannot be opened) or EWDIAG_EFORMAT
 * (nothing in it is readable); EWDIAG_ENOMEM; EWDIAG_EINVAL for NULL
 * arguments or when no rule is loaded. Except for EWDIAG_EINVAL the input
 * is listed in the report either way.
 */
EWDIAG_API int ewdiag_analyze_path(ewdiag_analyzer *a, ewdiag_report *r,
                                   const char *path);

/* As ewdiag_analyze_path() on an open descriptor (not closed); name is
 * what the report calls the input (NULL: "-"). EWDIAG_EINVAL when fd < 0. */
EWDIAG_API int ewdiag_analyze_fd(ewdiag_analyzer *a, ewdiag_report *r, int fd,
                                 const char *name);

/*
 * The input's bytes, pulled: stores at most cap bytes at buf and returns
 * how many (> 0), 0 at the end of the input, or -1 when the bytes cannot be
 * had (the input is then reported cut there, and what came before it is
 * analyzed). With the option threads=2 it may be called from a thread of
 * the library's own, never from two threads at once, and never after
 * ewdiag_analyze_read() has returned.
 */
typedef long (*ewdiag_read_fn)(void *ctx, void *buf, size_t cap);

/* As ewdiag_analyze_fd() on bytes pulled from fn (a socket, an HTTP body,
 * a language binding's file object); name is what the report calls the
 * input (NULL: "-"). EWDIAG_EINVAL when fn is NULL. */
EWDIAG_API int ewdiag_analyze_read(ewdiag_analyzer *a, ewdiag_report *r,
                                   ewdiag_read_fn fn, void *ctx, const char *name);

/* Moves everything of src to the end of dst; src is left empty. Returns
 * EWDIAG_OK, EWDIAG_EINVAL (NULL) or EWDIAG_ENOMEM (both left as they were). */
EWDIAG_API int ewdiag_report_append(ewdiag_report *dst, ewdiag_report *src);

/* ---- Report ---------------------------------------------------------- */

/* Counts are 0 and objects NULL for a NULL report or an index out of range. */
EWDIAG_API size_t ewdiag_report_input_count(const ewdiag_report *r);
EWDIAG_API const ewdiag_input *ewdiag_report_input(const ewdiag_report *r, size_t i);
EWDIAG_API size_t ewdiag_report_finding_count(const ewdiag_report *r);
EWDIAG_API const ewdiag_finding *ewdiag_report_finding(const ewdiag_report *r, size_t i);
EWDIAG_API size_t ewdiag_report_warning_count(const ewdiag_report *r);
EWDIAG_API const ewdiag_warning *ewdiag_report_warning(const ewdiag_report *r, size_t i);

/* Highest severity among the findings; -1 when there is none. */
EWDIAG_API int ewdiag_report_max_severity(const ewdiag_report *r);

/* Writes the report to f in the given format. Returns EWDIAG_OK;
 * EWDIAG_EINVAL (NULL, unknown format); EWDIAG_ENOMEM, with nothing
 * written that claims to be whole; EWDIAG_EIO when f reports an error. */
EWDIAG_API int ewdiag_report_write(const ewdiag_report *r, FILE *f,
                                   ewdiag_format format, unsigned flags);

/* The report as a NUL-terminated string (length in *len if len is not
 * NULL); the caller frees it with free(). NULL if out of memory or for
 * bad arguments. */
EWDIAG_API char *ewdiag_report_serialize(const ewdiag_report *r, ewdiag_format format,
                                         unsigned flags, size_t *len);

/* "info", "notice", "warning", "error", "critical"; "unknown" otherwise. */
EWDIAG_API const char *ewdiag_severity_name(ewdiag_severity s);

/* ---- Inputs and entries ---------------------------------------------- */

/* An input: what was given to ewdiag_analyze_*(). */
typedef enum ewdiag_input_status {
    EWDIAG_INPUT_ANALYZED = 0, /* every entry read */
    EWDIAG_INPUT_PARTIAL = 1,  /* read, but some part failed or a limit hit */
    EWDIAG_INPUT_FAILED = 2    /* nothing could be analyzed */
} ewdiag_input_status;

EWDIAG_API const char *ewdiag_input_name(const ewdiag_input *in);
EWDIAG_API ewdiag_input_status ewdiag_input_status_get(const ewdiag_input *in);
/* "analyzed", "partial", "failed"; "unknown" otherwise. */
EWDIAG_API const char *ewdiag_input_status_name(ewdiag_input_status s);
EWDIAG_API const char *ewdiag_input_error(const ewdiag_input *in); /* "" if none */
EWDIAG_API uint64_t ewdiag_input_bytes(const ewdiag_input *in);     /* decompressed, read */
/* Capture files read (those that held at least one record). */
EWDIAG_API size_t ewdiag_input_capture_count(const ewdiag_input *in);
EWDIAG_API size_t ewdiag_input_node_count(const ewdiag_input *in);
EWDIAG_API const char *ewdiag_input_node(const ewdiag_input *in, size_t i);
/* Software version of node i as read from its xstat dump; "" if unknown. */
EWDIAG_API const char *ewdiag_input_node_version(const ewdiag_input *in, size_t i);
/* Its xconf "EdgeConfigServer VerifyOriginServer" ("On", "Off"); "" if unknown. */
EWDIAG_API const char *ewdiag_input_node_verify_origin(const ewdiag_input *in, size_t i);
/* The trust stores read (ca_<host>_<ts>.pem): the node each belongs to,
 * its path in the input, and how many CA certificates it holds. */
EWDIAG_API size_t ewdiag_input_trust_store_count(const ewdiag_input *in);
EWDIAG_API const char *ewdiag_input_trust_store_node(const ewdiag_input *in, size_t i);
EWDIAG_API const char *ewdiag_input_trust_store_path(const ewdiag_input *in, size_t i);
EWDIAG_API size_t ewdiag_input_trust_store_certificates(const ewdiag_input *in, size_t i);
EWDIAG_API size_t ewdiag_input_entry_count(const ewdiag_input *in);
EWDIAG_API const ewdiag_entry *ewdiag_input_entry(const ewdiag_input *in, size_t i);
/* The TLS servers the input's captures show (address and port). */
EWDIAG_API size_t ewdiag_input_tls_server_count(const ewdiag_input *in);
EWDIAG_API const ewdiag_tls_server *ewdiag_input_tls_server(const ewdiag_input *in, size_t i);
/* The origin servers of the input's traffic server: where its Sending
 * Request lines went (address, port, and the name from the MRA target),
 * and the Unified CM, IM and Presence and Unity Connection servers its
 * xconf names; each checked offline as X14.2 checks it (ewdiag_origin_*).
 * Sorted by node, name, address, port. NULL when i is out of range. */
EWDIAG_API size_t ewdiag_input_origin_count(const ewdiag_input *in);
EWDIAG_API const ewdiag_origin *ewdiag_input_origin(const ewdiag_input *in, size_t i);

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

/* ---- Findings -------------------------------------------------------- */

/* A finding: events of one rule on one node for one server. Times are
 * microseconds since 1970-01-01T00:00:00Z, 0 when unknown. Strings are ""
 * when unknown. */
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
/* The Error= text of the latest event. */
EWDIAG_API const char *ewdiag_finding_error(const ewdiag_finding *f);
/* Certificate chain depth of the latest event; -1 when not given. */
EWDIAG_API int ewdiag_finding_depth(const ewdiag_finding *f);
/* The distinct (error, depth) pairs of its events, each with its count. */
EWDIAG_API size_t ewdiag_finding_variant_count(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_variant_error(const ewdiag_finding *f, size_t i);
EWDIAG_API int ewdiag_finding_variant_depth(const ewdiag_finding *f, size_t i); /* -1 none */
EWDIAG_API uint64_t ewdiag_finding_variant_events(const ewdiag_finding *f, size_t i);
EWDIAG_API const char *ewdiag_finding_description(const ewdiag_finding *f);
/* When the rule applies ("Expressway-C X14.2 and later with MRA"). */
EWDIAG_API const char *ewdiag_finding_condition(const ewdiag_finding *f);
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
/* When its events and its failed requests happened (never NULL). */
EWDIAG_API const ewdiag_timeline *ewdiag_finding_event_times(const ewdiag_finding *f);
EWDIAG_API const ewdiag_timeline *ewdiag_finding_request_times(const ewdiag_finding *f);

/* ---- What the capture says of a finding's server --------------------- */

/* "matched" (a handshake close in time was found; the getters below
 * describe it), "no-handshake", or "no-capture" (the input had none). */
EWDIAG_API const char *ewdiag_finding_capture(const ewdiag_finding *f);
/* The handshake's time, its server port; 0 unless matched. */
EWDIAG_API int64_t ewdiag_finding_tls_time(const ewdiag_finding *f);
EWDIAG_API unsigned ewdiag_finding_tls_port(const ewdiag_finding *f);
/* "TLS 1.2", ...; "" unless matched. */
EWDIAG_API const char *ewdiag_finding_tls_version(const ewdiag_finding *f);
/* The negotiated suite in OpenSSL's name ("ECDHE-RSA-AES256-GCM-SHA384"),
 * or "0xc0ff" for one without a name; "" unless matched and seen. */
EWDIAG_API const char *ewdiag_finding_tls_cipher(const ewdiag_finding *f);
/* The server name the client sent; "" when none. */
EWDIAG_API const char *ewdiag_finding_tls_sni(const ewdiag_finding *f);
/* The first plaintext TLS alert of the handshake (48: unknown_ca), -1 when
 * none; its name ("" if unknown); 1 when the client sent it, 0 the server. */
EWDIAG_API int ewdiag_finding_tls_alert(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_tls_alert_name(const ewdiag_finding *f);
EWDIAG_API int ewdiag_finding_tls_alert_by_client(const ewdiag_finding *f);
/* What the handshake showed of the certificate: "certificate", "encrypted"
 * (TLS 1.3), "resumed", "cut", "unseen"; "" unless matched. */
EWDIAG_API const char *ewdiag_finding_tls_certificate(const ewdiag_finding *f);
/* The chain the server presented (leaf first), from that handshake or, when
 * it showed none (TLS 1.3, resumed), the last full one before it; NULL when
 * none. ewdiag_finding_chain_earlier() is 1 in that second case. */
EWDIAG_API const ewdiag_chain *ewdiag_finding_chain(const ewdiag_finding *f);
EWDIAG_API int ewdiag_finding_chain_earlier(const ewdiag_finding *f);
/* Shorthands for ewdiag_chain_cert(ewdiag_finding_chain(f), i)'s fields. */
EWDIAG_API size_t ewdiag_finding_chain_length(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_chain_subject(const ewdiag_finding *f, size_t i);
EWDIAG_API const char *ewdiag_finding_chain_issuer(const ewdiag_finding *f, size_t i);
EWDIAG_API const char *ewdiag_finding_chain_sha256(const ewdiag_finding *f, size_t i);
/* The name checked against the leaf certificate as the traffic server
 * checks it, and the result: "dns-san", "cn", "ip-san-only" (refused all
 * the same), "absent"; both "" when not checked. */
EWDIAG_API const char *ewdiag_finding_name_checked(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_name_match(const ewdiag_finding *f);
/* 1 trusted, 0 not, -1 not checked (no trust store, or no chain) by the
 * bundle's trust store as of the handshake; then the store's path in the
 * input, the OpenSSL verdict, the depth where it failed (-1 when trusted or
 * not checked) and the issuer missing from the store ("" when that is not
 * what failed). */
EWDIAG_API int ewdiag_finding_trusted(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_trust_store(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_trust_error(const ewdiag_finding *f);
EWDIAG_API int ewdiag_finding_trust_error_depth(const ewdiag_finding *f);
EWDIAG_API const char *ewdiag_finding_missing_issuer(const ewdiag_finding *f);

/* A forecast is a finding the analysis states from the capture, not from
 * log lines (rules of kind "forecast": ts-origin-verify-forecast,
 * ts-origin-cert-expiring); its count is 0 and it has no evidence.
 * The section it stands in: "before-upgrade" (software before X14.2.0),
 * "before-verification" (VerifyOriginServer Off, Action=Continue only, or
 * not known), "before-expiry" (check enforced); "" for a finding of log
 * lines. */
EWDIAG_API const char *ewdiag_finding_forecast_section(const ewdiag_finding *f);
/* Its node's enforcement: "enforced", "before-x14.2", "verify-off",
 * "continue-only", "unknown"; "" for a finding of log lines. */
EWDIAG_API const char *ewdiag_finding_forecast_enforcement(const ewdiag_finding *f);
/* A refusal forecast: 1 when the chain would not verify to the node's trust
 * store (untrusted), resp. when the name used is neither a DNS SAN nor the
 * CN (name); 0 otherwise, and for any other finding. */
EWDIAG_API int ewdiag_finding_forecast_fails_trust(const ewdiag_finding *f);
EWDIAG_API int ewdiag_finding_forecast_fails_name(const ewdiag_finding *f);
/* An expiry forecast: "expiring" (within expiry-window days of the
 * capture) or "expired" (at the capture); "" for any other finding. */
EWDIAG_API const char *ewdiag_finding_expiry(const ewdiag_finding *f);
/* Its certificate's end of validity (UTC microseconds); 0 when expiry is
 * "". */
EWDIAG_API int64_t ewdiag_finding_not_after(const ewdiag_finding *f);
/* Whole days from the capture to not_after, rounded down (negative when
 * expired); 0 when expiry is "". */
EWDIAG_API long long ewdiag_finding_days_left(const ewdiag_finding *f);

/* ---- Origin servers -------------------------------------------------- */

/* Its node; the name the requests used (the MRA target's host, or the
 * name xconf gives; "" unknown); address and port ("" and 0 when neither a
 * request nor a handshake gave them); xconf's type ("UnifiedCM",
 * "IMandPresence", "UnityConnection"; "" when xconf does not name it). */
EWDIAG_API const char *ewdiag_origin_node(const ewdiag_origin *o);
EWDIAG_API const char *ewdiag_origin_name(const ewdiag_origin *o);
EWDIAG_API const char *ewdiag_origin_address(const ewdiag_origin *o);
EWDIAG_API unsigned ewdiag_origin_port(const ewdiag_origin *o);
EWDIAG_API const char *ewdiag_origin_type(const ewdiag_origin *o);
/* 1 when requests went to it, resp. when xconf names it; 0 otherwise. */
EWDIAG_API int ewdiag_origin_from_request(const ewdiag_origin *o);
EWDIAG_API int ewdiag_origin_from_xconf(const ewdiag_origin *o);
/* Sending Request lines to it; the first and last (UTC microseconds, 0
 * when none). */
EWDIAG_API uint64_t ewdiag_origin_requests(const ewdiag_origin *o);
EWDIAG_API int64_t ewdiag_origin_first_seen(const ewdiag_origin *o);
EWDIAG_API int64_t ewdiag_origin_last_seen(const ewdiag_origin *o);
/* Its node's enforcement, as ewdiag_finding_forecast_enforcement(). */
EWDIAG_API const char *ewdiag_origin_enforcement(const ewdiag_origin *o);
/* "checked" (its last full handshake was), "no-capture" (the input holds
 * none), "no-handshake" (no capture of it), "no-certificate" (handshakes,
 * none showing its certificate: TLS 1.3 or resumed). */
EWDIAG_API const char *ewdiag_origin_state(const ewdiag_origin *o);
/* When checked: the time of the handshake checked (else 0); "trusted" or
 * "untrusted" against the node's trust store ("" when not checked or no
 * store), OpenSSL's text when untrusted (else ""); the name check
 * ("dns-san", "cn", "ip-san-only", "absent"; "" when not checked or no
 * name known); "none", "expiring" or "expired" ("" when not checked) and
 * the certificate's end (else 0). */
EWDIAG_API int64_t ewdiag_origin_checked_at(const ewdiag_origin *o);
EWDIAG_API const char *ewdiag_origin_trust(const ewdiag_origin *o);
EWDIAG_API const char *ewdiag_origin_trust_error(const ewdiag_origin *o);
EWDIAG_API const char *ewdiag_origin_name_check(const ewdiag_origin *o);
EWDIAG_API const char *ewdiag_origin_expiry(const ewdiag_origin *o);
EWDIAG_API int64_t ewdiag_origin_not_after(const ewdiag_origin *o);

/* ---- TLS servers, chains, certificates ------------------------------- */

/* What a handshake showed of the server's certificate. */
typedef enum ewdiag_cert_seen {
    EWDIAG_CERT_PRESENT = 0,   /* a Certificate message, read whole */
    EWDIAG_CERT_ENCRYPTED = 1, /* TLS 1.3: encrypted */
    EWDIAG_CERT_RESUMED = 2,   /* resumed session: none sent */
    EWDIAG_CERT_CUT = 3,       /* packets missing, or the capture ended in it */
    EWDIAG_CERT_UNSEEN = 4     /* no ServerHello in the capture */
} ewdiag_cert_seen;

EWDIAG_API const char *ewdiag_tls_server_address(const ewdiag_tls_server *s);
EWDIAG_API unsigned ewdiag_tls_server_port(const ewdiag_tls_server *s);
EWDIAG_API uint64_t ewdiag_tls_server_handshakes(const ewdiag_tls_server *s);
/* Handshakes that showed the certificate as `seen` says; 0 for other values. */
EWDIAG_API uint64_t ewdiag_tls_server_handshakes_by(const ewdiag_tls_server *s,
                                                    ewdiag_cert_seen seen);
/* Handshakes with a plaintext alert from either side. */
EWDIAG_API uint64_t ewdiag_tls_server_alerts(const ewdiag_tls_server *s);
/* Distinct server names the clients sent. */
EWDIAG_API size_t ewdiag_tls_server_sni_count(const ewdiag_tls_server *s);
EWDIAG_API const char *ewdiag_tls_server_sni(const ewdiag_tls_server *s, size_t i);
/* Distinct chains it presented, in the order first seen. */
EWDIAG_API size_t ewdiag_tls_server_chain_count(const ewdiag_tls_server *s);
EWDIAG_API const ewdiag_chain *ewdiag_tls_server_chain(const ewdiag_tls_server *s, size_t i);
/* When its handshakes happened (never NULL). */
EWDIAG_API const ewdiag_timeline *ewdiag_tls_server_times(const ewdiag_tls_server *s);

/* A chain: Certificate messages that carried it, when; whether it was
 * longer than kept (max-chain, max-der: 1) and why a certificate could not
 * be read ("" if all could); its certificates, leaf first. */
EWDIAG_API uint64_t ewdiag_chain_seen(const ewdiag_chain *c);
EWDIAG_API int64_t ewdiag_chain_first_seen(const ewdiag_chain *c);
EWDIAG_API int64_t ewdiag_chain_last_seen(const ewdiag_chain *c);
EWDIAG_API int ewdiag_chain_cut(const ewdiag_chain *c);
EWDIAG_API const char *ewdiag_chain_error(const ewdiag_chain *c);
/* 0 for a NULL chain. */
EWDIAG_API size_t ewdiag_chain_length(const ewdiag_chain *c);
EWDIAG_API const ewdiag_cert *ewdiag_chain_cert(const ewdiag_chain *c, size_t i);

/* A certificate's fields. Names in RFC 2253 form; a text too long for the
 * model ends in "...". Times are UTC microseconds. */
EWDIAG_API const char *ewdiag_cert_subject(const ewdiag_cert *c);
EWDIAG_API const char *ewdiag_cert_issuer(const ewdiag_cert *c);
EWDIAG_API const char *ewdiag_cert_subject_cn(const ewdiag_cert *c); /* "" if none */
EWDIAG_API const char *ewdiag_cert_issuer_cn(const ewdiag_cert *c);
EWDIAG_API size_t ewdiag_cert_san_dns_count(const ewdiag_cert *c);
EWDIAG_API const char *ewdiag_cert_san_dns(const ewdiag_cert *c, size_t i);
EWDIAG_API size_t ewdiag_cert_san_ip_count(const ewdiag_cert *c);
EWDIAG_API const char *ewdiag_cert_san_ip(const ewdiag_cert *c, size_t i);
EWDIAG_API const char *ewdiag_cert_serial(const ewdiag_cert *c); /* hex, upper case */
EWDIAG_API int64_t ewdiag_cert_not_before(const ewdiag_cert *c);
EWDIAG_API int64_t ewdiag_cert_not_after(const ewdiag_cert *c);
/* 1 when issuer == subject and its own key verifies it; 0 otherwise. */
EWDIAG_API int ewdiag_cert_self_signed(const ewdiag_cert *c);
EWDIAG_API int ewdiag_cert_is_ca(const ewdiag_cert *c); /* basicConstraints CA:TRUE */
EWDIAG_API const char *ewdiag_cert_key_type(const ewdiag_cert *c); /* "RSA", "EC", ... */
EWDIAG_API int ewdiag_cert_key_bits(const ewdiag_cert *c);
EWDIAG_API const char *ewdiag_cert_curve(const ewdiag_cert *c); /* EC only; "" otherwise */
EWDIAG_API const char *ewdiag_cert_signature_algorithm(const ewdiag_cert *c);
EWDIAG_API const char *ewdiag_cert_sha256(const ewdiag_cert *c); /* lower-case hex */
EWDIAG_API const char *ewdiag_cert_ski(const ewdiag_cert *c);    /* "" if none */
EWDIAG_API const char *ewdiag_cert_aki(const ewdiag_cert *c);    /* "" if none */

/* ---- Timelines ------------------------------------------------------- */

/* When things happened, in time order, at a bounded cost: marks of
 * (time, how many), each covering `resolution` microseconds from its time.
 * Every event counts; when there are more distinct times than the model
 * keeps, the resolution doubles until they fit. */
EWDIAG_API size_t ewdiag_timeline_count(const ewdiag_timeline *t);
EWDIAG_API int64_t ewdiag_timeline_time(const ewdiag_timeline *t, size_t i);
EWDIAG_API uint64_t ewdiag_timeline_weight(const ewdiag_timeline *t, size_t i);
EWDIAG_API int64_t ewdiag_timeline_resolution(const ewdiag_timeline *t);

/* ---- Warnings -------------------------------------------------------- */

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
