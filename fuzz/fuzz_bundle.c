/* fuzz_bundle.c - the whole analysis through the public API: the gzip
 * layer (source.c), archives and nesting (bundle.c), roles, the scanners
 * of logs, dumps, trust stores and captures, findings, the capture join,
 * and the text, JSON and JSONL reports.
 *
 * The input is put in a memfd and given to ewdiag_analyze_fd() with the
 * shipped rules (loaded once from the source tree) and small limits. The
 * name the input goes by is chosen from its first bytes, as a user would
 * have named the file: a capture, an ATS diags.log or error.log, or else
 * a bundle (which reads a plain text as a log).
 *
 * The reports are checked for what docs/report.md promises: the JSON and
 * every JSONL line parse (so they are valid UTF-8), and the text without
 * colour holds only UTF-8 with no control character but its newlines. */
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

#include <ewdiag.h>
#include <jansson.h>

#define RULES_DIR EWFUZZ_SOURCE_ROOT "/rules"
#define NAME_BUNDLE "diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz"
#define NAME_PCAP "eth0_diagnostic_logging_tcpdump00_vcsc_2022-07-11_16_55_44.pcap"
#define NAME_DIAGS "diags.log"
#define NAME_ERROR_LOG "error.log"
#define COMPACT_DATE_LEN 8 /* "YYYYMMDD." opens an error.log line */
#define MAGIC_LEN 4
#define C1_FIRST 0x80 /* U+0080-U+009F: control characters too */
#define C1_LAST 0x9f

static ewdiag_analyzer *an;
static int fd = -1;

static void setup(void)
{
    static const char *const options[][2] = {
        {"max-bytes", "67108864"}, /* 64 MiB */
        {"max-line", "65536"},
        {"max-entries", "1000"},
        {"max-depth", "4"},
        {"evidence", "3"},
        {"max-handshakes", "1000"},
        {"max-flows", "64"},
        {"max-flow-bytes", "65536"},
        {"max-handshake", "32768"},
        {"max-chain", "8"},
        {"max-der", "16384"},
    };
    if (!(an = ewdiag_analyzer_new()))
        ewfuzz_die("out of memory", "analyzer");
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (ewdiag_analyzer_set_option(an, options[i][0], options[i][1]) != EWDIAG_OK)
            ewfuzz_die("bad option", options[i][0]);
    if (ewdiag_analyzer_load_rules(an, RULES_DIR) != EWDIAG_OK)
        ewfuzz_die(ewdiag_error(an), RULES_DIR);
    if ((fd = memfd_create("input", MFD_CLOEXEC)) < 0)
        ewfuzz_die("memfd_create failed", "input");
}

static const char *name_of(const uint8_t *d, size_t n)
{
    static const uint8_t magics[][MAGIC_LEN] = {
        {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, /* pcap, microseconds */
        {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}, /* pcap, nanoseconds */
        {0x0a, 0x0d, 0x0d, 0x0a},                           /* pcapng */
    };
    for (size_t i = 0; n >= MAGIC_LEN && i < sizeof magics / sizeof magics[0]; i++)
        if (memcmp(d, magics[i], MAGIC_LEN) == 0)
            return NAME_PCAP;
    if (n > 0 && d[0] == '[')
        return NAME_DIAGS;
    bool compact = n > COMPACT_DATE_LEN && d[COMPACT_DATE_LEN] == '.';
    for (size_t i = 0; compact && i < COMPACT_DATE_LEN; i++)
        compact = d[i] >= '0' && d[i] <= '9';
    return compact ? NAME_ERROR_LOG : NAME_BUNDLE;
}

static void put_input(const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0)
        ewfuzz_die("ftruncate failed", "input");
    for (size_t done = 0; done < size;) {
        ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
        if (w <= 0)
            ewfuzz_die("write failed", "input");
        done += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        ewfuzz_die("lseek failed", "input");
}

/* Length of the UTF-8 sequence at p (strict: no overlong form, surrogate
 * or code point past U+10FFFF); 0 when there is none. Its code point in *cp. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
                                                         : p[0] >= 0xf0 && p[0] < 0xf5 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t v = len == 1 ? p[0] : p[0] & (0x7fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3fu);
    }
    if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* The text report: UTF-8, no control character (C0, DEL, C1) but '\n'. */
static void check_text(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_seq(p + i, n - i, &cp);
        if (len == 0 || (cp < ' ' && cp != '\n') || cp == 0x7f || (cp >= C1_FIRST && cp <= C1_LAST))
            abort();
        i += len;
    }
}

/* The JSON report, or each line of the JSONL one, parses. */
static void check_json(const char *s, size_t n, bool lines)
{
    for (size_t i = 0; i < n;) {
        const char *nl = lines ? memchr(s + i, '\n', n - i) : NULL;
        size_t len = nl ? (size_t)(nl - (s + i)) : n - i;
        json_error_t e;
        json_t *j = len ? json_loadb(s + i, len, 0, &e) : NULL;
        if (len && !j) {
            fprintf(stderr, "fuzz: bad JSON: %s at %d:%d\n", e.text, e.line, e.column);
            abort();
        }
        json_decref(j);
        i += len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!an)
        setup();
    put_input(data, size);
    ewdiag_report *r = ewdiag_report_new();
    if (!r)
        ewfuzz_die("out of memory", "report");
    const char *name = name_of(data, size);
    int rc = ewdiag_analyze_fd(an, r, fd, name);
    if (rc == EWDIAG_ENOMEM || ewdiag_report_input_count(r) != 1)
        abort();
    static const struct {
        ewdiag_format format;
        unsigned flags;
    } outs[] = {
        {EWDIAG_FORMAT_JSON, 0},
        {EWDIAG_FORMAT_JSONL, EWDIAG_WRITE_COMPACT},
        {EWDIAG_FORMAT_TEXT, EWDIAG_WRITE_ENTRIES},
        {EWDIAG_FORMAT_TEXT, EWDIAG_WRITE_COLOR},
    };
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        size_t len = 0;
        char *out = ewdiag_report_serialize(r, outs[i].format, outs[i].flags, &len);
        if (!out || strlen(out) != len)
            abort();
        if (outs[i].format != EWDIAG_FORMAT_TEXT)
            check_json(out, len, outs[i].format == EWDIAG_FORMAT_JSONL);
        else if (!(outs[i].flags & EWDIAG_WRITE_COLOR))
            check_text(out, len);
        free(out);
    }
    ewdiag_report_free(r);
    return 0;
}
