/* fuzz_rules.c - rule files (rules.c, match.c) and what a loaded rule does
 * to a log (logscan.c, findings.c: grouping, explanations, placeholders).
 *
 * The input is written to a memfd and loaded as a rule file with
 * ew_rules_load(). When it loads, every example it carries must still
 * match with a fresh matcher, every rule is run on a few log lines (each
 * capture inside the line), and then the public analyzer loads the same
 * file and reads a log made of the rule's examples and those lines; the
 * report is serialized as JSON and text. */
#include "fuzz.h"

#include <jansson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ewdiag.h>

#include "rules/match.h"
#include "rules/rules.h"

#define PATH_LEN 64
#define MATCH_LIMIT 100000u
#define DEPTH_LIMIT 1000u
#define MAX_EXAMPLES 64 /* examples of the input copied into the log */

static const char *const lines[] = {
    "2022-07-11T18:55:26.016+02:00 vcsc traffic_server[18242]: [ET_NET 0] WARNING: Core server "
    "certificate verification failed for (cucm.steven.lab). Action=Terminate Error=self signed "
    "certificate server=cucm.steven.lab(10.48.36.215) depth=0",
    "2022-07-11T19:49:01.491+02:00 vcsc traffic_server[3916]: [ET_NET 2] WARNING: SNI "
    "(10.48.36.215) not in certificate. Action=Terminate server=10.48.36.215(10.48.36.215)",
    "2022-07-11T18:55:26.024+02:00 vcsc traffic_server[18242]: UTCTime=\"2022-07-11 "
    "16:55:26,024\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Sending "
    "Response\" Txn-id=\"191\" TrackingID=\"\" Dst-ip=\"127.0.0.1\" Dst-port=\"35766\" "
    "Msg=\"HTTP/1.1 502 connect failed\"",
    "[Nov 22 06:46:00.827] ET_NET 3 ERROR: SSL connection failed for 'cucm.steven.lab'",
    "",
};

static int write_memfd(const char *name, const void *p, size_t n)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        ewfuzz_die("memfd_create failed", name);
    const char *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w <= 0)
            ewfuzz_die("write failed", name);
        b += w;
        n -= (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        ewfuzz_die("lseek failed", name);
    return fd;
}

static void check_groups(const ew_matcher *m, const ew_rule *r, const char *line, size_t len)
{
    for (uint32_t g = 0; g <= r->ngroups; g++) {
        ew_span s = ew_match_group(m, g);
        if (s.n && (s.p < line || s.p + s.n > line + len))
            abort();
    }
}

/* A pattern said to lead with its literal (rules/lead.c) matches from
 * where the literal first occurs exactly as from the line's start. */
static void check_lead(ew_matcher *m, const ew_rule *r, const char *line, size_t len)
{
    const char *at = r->lead_literal ? memmem(line, len, r->literal, r->literal_len) : NULL;
    if (!at)
        return;
    ew_match_result a = ew_match(m, r, line, len, 0);
    ew_span whole = ew_match_group(m, 0);
    ew_match_result b = ew_match(m, r, line, len, (size_t)(at - line));
    if (a == EW_MATCH_STOPPED || b == EW_MATCH_STOPPED)
        return; /* the limits count steps, which differ */
    ew_span again = ew_match_group(m, 0);
    if (a != b || (a == EW_MATCH_FOUND && (whole.p != again.p || whole.n != again.n)))
        abort();
}

/* Every rule on every line, and the examples of the file must match. */
static void match_all(const ew_ruleset *rs, json_t *o)
{
    ew_matcher m;
    if (ew_matcher_init(&m, rs->max_groups, MATCH_LIMIT, DEPTH_LIMIT) != 0)
        ewfuzz_die("out of memory", "matcher");
    for (size_t i = 0; i < rs->n; i++) {
        const ew_rule *r = &rs->rules[i];
        for (size_t k = 0; k < EW_ARRAY_LEN(lines); k++) {
            if (ew_match(&m, r, lines[k], strlen(lines[k]), 0) == EW_MATCH_FOUND)
                check_groups(&m, r, lines[k], strlen(lines[k]));
            check_lead(&m, r, lines[k], strlen(lines[k]));
        }
        json_t *ex = json_object_get(o, "examples");
        for (size_t k = 0; k < json_array_size(ex); k++) {
            json_t *s = json_array_get(ex, k);
            const char *line = json_string_value(s);
            size_t len = json_string_length(s);
            if (!line || ew_match(&m, r, line, len, 0) != EW_MATCH_FOUND)
                abort();
            check_groups(&m, r, line, len);
            check_lead(&m, r, line, len);
        }
        for (int f = 0; f < EW_F_COUNT; f++)
            if (r->field[f] > r->ngroups || !*ew_field_name((ew_field)f))
                abort();
    }
    ew_matcher_free(&m);
}

/* The log the analyzer reads: the examples, then the fixed lines. */
static void make_log(json_t *o, ew_buf *log)
{
    json_t *ex = json_object_get(o, "examples");
    for (size_t k = 0; k < EW_MIN(json_array_size(ex), (size_t)MAX_EXAMPLES); k++) {
        json_t *s = json_array_get(ex, k);
        if (ew_buf_append(log, json_string_value(s), json_string_length(s)) != 0 ||
            ew_buf_puts(log, "\n") != 0)
            ewfuzz_die("out of memory", "log");
    }
    for (size_t k = 0; k < EW_ARRAY_LEN(lines); k++)
        if (ew_buf_puts(log, lines[k]) != 0 || ew_buf_puts(log, "\n") != 0)
            ewfuzz_die("out of memory", "log");
}

static void analyze(const char *rule_path, json_t *o)
{
    ewdiag_analyzer *a = ewdiag_analyzer_new();
    if (!a)
        ewfuzz_die("out of memory", "analyzer");
    /* Loaded once already: it must load again. */
    if (ewdiag_analyzer_load_rules(a, rule_path) != EWDIAG_OK ||
        ewdiag_analyzer_rule_count(a) != 1)
        abort();
    ew_buf log = {0};
    make_log(o, &log);
    int fd = write_memfd("log", log.p, log.len);
    ewdiag_report *r = ewdiag_report_new();
    if (!r)
        ewfuzz_die("out of memory", "report");
    (void)ewdiag_analyze_fd(a, r, fd, "loggingsnapshot_vcsc_2022-07-11_16_55_44.txt");
    static const ewdiag_format formats[] = {EWDIAG_FORMAT_JSON, EWDIAG_FORMAT_TEXT};
    for (size_t i = 0; i < EW_ARRAY_LEN(formats); i++) {
        char *out = ewdiag_report_serialize(r, formats[i], EWDIAG_WRITE_ENTRIES, NULL);
        if (!out)
            abort();
        free(out);
    }
    ewdiag_report_free(r);
    close(fd);
    ew_buf_free(&log);
    ewdiag_analyzer_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = write_memfd("rule", data, size);
    char path[PATH_LEN];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ew_ruleset rs = {0};
    ew_err err = {0};
    if (ew_rules_load(&rs, path, &err) == 0) {
        if (rs.n != 1 || !rs.rules[0].code)
            abort();
        json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
        if (!o)
            abort();
        match_all(&rs, o);
        analyze(path, o);
        json_decref(o);
    } else if (rs.n != 0 || !err.msg[0]) {
        abort();
    }
    ew_rules_free(&rs);
    close(fd);
    return 0;
}
