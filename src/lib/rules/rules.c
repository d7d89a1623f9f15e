/* rules.c - rule files (JSON) -> compiled rules, validated against their
 * own examples so that a rule that cannot work never loads. */
#include "rules/rules.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <ewdiag.h>

#include "rules/match.h"

/* Validating examples needs only a small matcher; limits as the defaults. */
#define EW_VALIDATE_MATCH_LIMIT 100000u
#define EW_VALIDATE_DEPTH_LIMIT 1000u
#define EW_RULE_FILE_SUFFIX ".json"

static const char *const ew_field_names[EW_F_COUNT] = {
    [EW_F_TARGET] = "target",     [EW_F_SERVER] = "server", [EW_F_ADDRESS] = "address",
    [EW_F_ACTION] = "action",     [EW_F_ERROR] = "error",   [EW_F_DEPTH] = "depth",
    [EW_F_TXN] = "txn",           [EW_F_URL] = "url",       [EW_F_DST_IP] = "dst_ip",
    [EW_F_DST_PORT] = "dst_port", [EW_F_STATUS] = "status",
};

const char *ew_field_name(ew_field f)
{
    return (unsigned)f < EW_F_COUNT ? ew_field_names[f] : "";
}

static const char *const ew_severity_names[] = {"info", "notice", "warning", "error", "critical"};

/* Context of one file being loaded, for messages that name the place. */
typedef struct ew_loadctx {
    const char *file;
    const char *id;
    ew_err *err;
} ew_loadctx;

static int ew_bad(ew_loadctx *c, const char *what)
{
    return ew_err_set(c->err, EWDIAG_EFORMAT, "%s: rule '%s': %s", c->file, c->id ? c->id : "?",
                      what);
}

static void ew_rule_clear(ew_rule *r)
{
    EW_FREE_ALL(r->file, r->id, r->title, r->category, r->program, r->literal, r->pattern,
                r->description, r->condition, r->workaround);
    ew_strv_free(r->defects, r->ndefects);
    ew_strv_free(r->actions, r->nactions);
    for (size_t i = 0; i < r->nexplain; i++) {
        free(r->explain[i].value);
        free(r->explain[i].text);
    }
    free(r->explain);
    for (size_t i = 0; i < r->nfixes_from; i++) {
        free(r->fixes_from[i].check);
        free(r->fixes_from[i].rule);
    }
    free(r->group_by);
    if (r->group_names)
        ew_strv_free(r->group_names, (size_t)r->ngroups + 1);
    pcre2_code_free(r->code);
    memset(r, 0, sizeof *r);
}

/* A string member; required or optional (then *out stays NULL). */
static int ew_get_str(ew_loadctx *c, json_t *o, const char *key, bool required, char **out)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (!required)
            return 0;
        char msg[128];
        snprintf(msg, sizeof msg, "missing field \"%s\"", key);
        return ew_bad(c, msg);
    }
    if (!json_is_string(v) || (required && json_string_length(v) == 0)) {
        char msg[128];
        snprintf(msg, sizeof msg, "field \"%s\" must be a non-empty string", key);
        return ew_bad(c, msg);
    }
    *out = ew_strndup(json_string_value(v), json_string_length(v));
    if (!*out)
        return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    return 0;
}

static int ew_get_strv(ew_loadctx *c, json_t *o, const char *key, bool required, char ***out,
                       size_t *n)
{
    json_t *v = json_object_get(o, key);
    char msg[128];
    if (!v) {
        if (!required)
            return 0;
        snprintf(msg, sizeof msg, "missing field \"%s\"", key);
        return ew_bad(c, msg);
    }
    if (!json_is_array(v) || (required && json_array_size(v) == 0)) {
        snprintf(msg, sizeof msg, "field \"%s\" must be a non-empty array of strings", key);
        return ew_bad(c, msg);
    }
    size_t count = json_array_size(v);
    char **arr = ew_calloc(count ? count : 1, sizeof *arr);
    if (!arr)
        return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    for (size_t i = 0; i < count; i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s)) {
            ew_strv_free(arr, i);
            snprintf(msg, sizeof msg, "field \"%s\"[%zu] must be a string", key, i);
            return ew_bad(c, msg);
        }
        arr[i] = ew_strndup(json_string_value(s), json_string_length(s));
        if (!arr[i]) {
            ew_strv_free(arr, i);
            return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
        }
    }
    *out = arr;
    *n = count;
    return 0;
}

static int ew_parse_severity(ew_loadctx *c, const char *s, const char *key, int *out)
{
    for (size_t i = 0; i < EW_ARRAY_LEN(ew_severity_names); i++) {
        if (strcmp(s, ew_severity_names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    char msg[160];
    snprintf(msg, sizeof msg,
             "\"%s\" is \"%.40s\"; expected info, notice, warning, error or critical", key, s);
    return ew_bad(c, msg);
}

/* The severity that key names, into *out; *out is left as it is when key
 * is absent and not required. */
static int ew_get_severity(ew_loadctx *c, json_t *o, const char *key, bool required, int *out)
{
    char *s = NULL;
    int rc = ew_get_str(c, o, key, required, &s);
    if (rc == 0 && s)
        rc = ew_parse_severity(c, s, key, out);
    free(s);
    return rc;
}

static int ew_compile(ew_loadctx *c, ew_rule *r)
{
    int ec;
    PCRE2_SIZE off;
    r->code = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
    if (!r->code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(ec, buf, sizeof buf);
        char msg[400];
        snprintf(msg, sizeof msg, "pattern does not compile at offset %zu: %s", (size_t)off,
                 (const char *)buf);
        return ew_bad(c, msg);
    }
    /* No JIT on this platform is not an error: the interpreter still works. */
    r->jit = pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE) == 0;

    uint32_t ngroups = 0, namecount = 0, entry_size = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &ngroups);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMECOUNT, &namecount);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMETABLE, &table);
    r->ngroups = ngroups;
    r->group_names = ew_calloc((size_t)ngroups + 1, sizeof *r->group_names);
    if (!r->group_names)
        return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    for (uint32_t i = 0; i < namecount; i++) {
        PCRE2_SPTR e = table + (size_t)i * entry_size;
        uint32_t num = ((uint32_t)e[0] << 8) | e[1];
        if (num > ngroups)
            continue;
        r->group_names[num] = ew_strdup((const char *)e + 2);
        if (!r->group_names[num])
            return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    }
    for (int f = 0; f < EW_F_COUNT; f++)
        r->field[f] = ew_rule_group(r, ew_field_names[f]);
    return 0;
}

uint32_t ew_rule_group(const ew_rule *r, const char *name)
{
    for (uint32_t i = 1; i <= r->ngroups; i++)
        if (r->group_names[i] && strcmp(r->group_names[i], name) == 0)
            return i;
    return 0;
}

static int ew_parse_group_by(ew_loadctx *c, json_t *o, ew_rule *r)
{
    json_t *v = json_object_get(o, "group_by");
    if (!v || !json_is_array(v) || json_array_size(v) == 0)
        return ew_bad(c, "a finding rule needs \"group_by\": a non-empty array of field names");
    r->ngroup_by = json_array_size(v);
    r->group_by = ew_calloc(r->ngroup_by, sizeof *r->group_by);
    if (!r->group_by)
        return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    for (size_t i = 0; i < r->ngroup_by; i++) {
        const char *name = json_string_value(json_array_get(v, i));
        char msg[160];
        if (!name) {
            snprintf(msg, sizeof msg, "\"group_by\"[%zu] must be a string", i);
            return ew_bad(c, msg);
        }
        if (strcmp(name, "node") == 0) {
            r->group_by[i] = EW_KEY_NODE;
        } else if (strcmp(name, "enforced") == 0) {
            r->group_by[i] = EW_KEY_ENFORCED;
        } else if ((r->group_by[i] = ew_rule_group(r, name)) == 0) {
            snprintf(msg, sizeof msg,
                     "\"group_by\" names \"%.40s\", which the pattern does not capture", name);
            return ew_bad(c, msg);
        }
    }
    return 0;
}

static bool ew_parse_op(const char *s, ew_op *op)
{
    static const struct {
        const char *name;
        ew_op op;
    } ops[] = {{"eq", EW_OP_EQ},
               {"ne", EW_OP_NE},
               {"gt", EW_OP_GT},
               {"lt", EW_OP_LT},
               {"contains", EW_OP_CONTAINS},
               {"icontains", EW_OP_ICONTAINS}};
    for (size_t i = 0; i < EW_ARRAY_LEN(ops); i++) {
        if (strcmp(s, ops[i].name) == 0) {
            *op = ops[i].op;
            return true;
        }
    }
    return false;
}

static int ew_parse_explain(ew_loadctx *c, json_t *o, ew_rule *r)
{
    json_t *v = json_object_get(o, "explain");
    if (!v)
        return 0;
    if (!json_is_array(v))
        return ew_bad(c, "\"explain\" must be an array of objects");
    size_t n = json_array_size(v);
    r->explain = ew_calloc(n ? n : 1, sizeof *r->explain);
    if (!r->explain)
        return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        ew_explain *x = &r->explain[i];
        r->nexplain = i + 1;
        char msg[200];
        const char *text = json_string_value(json_object_get(e, "text"));
        if (!json_is_object(e) || !text) {
            snprintf(msg, sizeof msg, "\"explain\"[%zu] needs a \"text\" string", i);
            return ew_bad(c, msg);
        }
        if (!(x->text = ew_strdup(text)))
            return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
        const char *field = json_string_value(json_object_get(e, "field"));
        if (!field) {
            x->op = EW_OP_ALWAYS;
            continue;
        }
        const char *op = json_string_value(json_object_get(e, "op"));
        const char *value = json_string_value(json_object_get(e, "value"));
        if (!(x->group = ew_rule_group(r, field))) {
            snprintf(msg, sizeof msg,
                     "\"explain\"[%zu] tests \"%.40s\", which the pattern does not capture", i,
                     field);
            return ew_bad(c, msg);
        }
        if (!op || !ew_parse_op(op, &x->op) || !value) {
            snprintf(msg, sizeof msg,
                     "\"explain\"[%zu] needs \"op\" (eq, ne, gt, lt, contains, icontains) and a "
                     "\"value\" string",
                     i);
            return ew_bad(c, msg);
        }
        if (!(x->value = ew_strdup(value)))
            return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
        if (x->op == EW_OP_GT || x->op == EW_OP_LT) {
            char *end;
            errno = 0;
            x->ivalue = strtoll(value, &end, 10);
            if (errno || *end || end == value) {
                snprintf(msg, sizeof msg, "\"explain\"[%zu]: \"%.40s\" is not an integer", i,
                         value);
                return ew_bad(c, msg);
            }
        }
    }
    return 0;
}

/* One example (want: it must match) or counter-example of a rule. */
static int ew_check_line(ew_loadctx *c, ew_rule *r, ew_matcher *m, json_t *arr, const char *key,
                         size_t i, bool want)
{
    const char *s = json_string_value(json_array_get(arr, i));
    size_t n = s ? json_string_length(json_array_get(arr, i)) : 0;
    char msg[200];
    ew_match_result mr = EW_MATCH_NONE;
    if (!s)
        snprintf(msg, sizeof msg, "\"%s\"[%zu] must be a string", key, i);
    else if (want && !memmem(s, n, r->literal, r->literal_len))
        snprintf(msg, sizeof msg, "\"%s\"[%zu] does not contain the literal", key, i);
    else if ((mr = ew_match(m, r, s, n, 0)) == EW_MATCH_STOPPED)
        snprintf(msg, sizeof msg,
                 "\"%s\"[%zu] makes the pattern hit PCRE2's match limit (%u steps): it "
                 "backtracks too much",
                 key, i, EW_VALIDATE_MATCH_LIMIT);
    else if ((mr == EW_MATCH_FOUND) != want)
        snprintf(msg, sizeof msg, "\"%s\"[%zu] %s the pattern", key, i,
                 want ? "does not match" : "matches");
    else
        return 0;
    return ew_bad(c, msg);
}

/* Every example must contain the literal and match; no counter-example may
 * match. This is what keeps the literal prefilter honest. */
static int ew_check_examples(ew_loadctx *c, json_t *o, ew_rule *r)
{
    json_t *ex = json_object_get(o, "examples");
    json_t *cx = json_object_get(o, "counter_examples");
    if (!json_is_array(ex) || json_array_size(ex) == 0)
        return ew_bad(c, "\"examples\" must be a non-empty array of log lines the pattern matches");
    if (cx && !json_is_array(cx))
        return ew_bad(c, "\"counter_examples\" must be an array of strings");
    ew_matcher m;
    if (ew_matcher_init(&m, r->ngroups, EW_VALIDATE_MATCH_LIMIT, EW_VALIDATE_DEPTH_LIMIT) != 0)
        return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(ex); i++)
        rc = ew_check_line(c, r, &m, ex, "examples", i, true);
    for (size_t i = 0; rc == 0 && cx && i < json_array_size(cx); i++)
        rc = ew_check_line(c, r, &m, cx, "counter_examples", i, false);
    ew_matcher_free(&m);
    return rc;
}

static bool ew_valid_id(const char *id)
{
    if (!*id)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return true;
}

static int ew_parse_kind(ew_loadctx *c, json_t *o, ew_rule *r)
{
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (!kind || strcmp(kind, "finding") == 0)
        r->kind = EW_RULE_FINDING;
    else if (strcmp(kind, "evidence") == 0)
        r->kind = EW_RULE_EVIDENCE;
    else if (strcmp(kind, "transaction") == 0)
        r->kind = EW_RULE_TRANSACTION;
    else if (strcmp(kind, "forecast") == 0)
        r->kind = EW_RULE_FORECAST;
    else
        return ew_bad(c, "\"kind\" must be finding, evidence, transaction or forecast");
    return 0;
}

/* A text field of a rule, read into the ew_rule member at `at`. */
typedef struct ew_text_field {
    const char *name;
    bool required;
    size_t at;
} ew_text_field;

#define EW_TEXT(name, req)                                                                         \
    {                                                                                              \
#name, req, offsetof(ew_rule, name)                                                        \
    }

static const ew_text_field ew_rule_texts[] = {
    EW_TEXT(title, true),
    EW_TEXT(condition, false),
    EW_TEXT(workaround, false),
};
/* Only rules that match lines have these; a forecast rule matches none. */
static const ew_text_field ew_match_texts[] = {
    EW_TEXT(program, true),
    EW_TEXT(literal, true),
    EW_TEXT(pattern, true),
};
static const ew_text_field ew_finding_texts[] = {
    EW_TEXT(category, true),
    EW_TEXT(description, true),
};

static int ew_get_texts(ew_loadctx *c, json_t *o, ew_rule *r, const ew_text_field *t, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = ew_get_str(c, o, t[i].name, t[i].required, (char **)((char *)r + t[i].at));
    return rc;
}

static int ew_parse_finding_fields(ew_loadctx *c, json_t *o, ew_rule *r)
{
    int rc = ew_get_severity(c, o, "severity", true, &r->severity);
    r->unenforced_severity = r->severity;
    if (rc == 0)
        rc = ew_get_severity(c, o, "unenforced_severity", false, &r->unenforced_severity);
    if (rc == 0)
        rc = ew_get_texts(c, o, r, ew_finding_texts, EW_ARRAY_LEN(ew_finding_texts));
    if (rc == 0)
        rc = ew_get_strv(c, o, "actions", true, &r->actions, &r->nactions);
    if (rc == 0)
        rc = ew_parse_group_by(c, o, r);
    return rc;
}

/* "fixes_from": {"untrusted": "rule-id", ...}. */
static int ew_parse_fixes_from(ew_loadctx *c, json_t *o, ew_rule *r)
{
    json_t *v = json_object_get(o, "fixes_from");
    if (!v)
        return 0;
    if (!json_is_object(v) || json_object_size(v) > EW_MAX_FIXES_FROM)
        return ew_bad(c, "\"fixes_from\" must be an object of at most 4 check: rule id pairs");
    const char *check;
    json_t *id;
    json_object_foreach(v, check, id)
    {
        if (!json_is_string(id) || !ew_valid_id(json_string_value(id)))
            return ew_bad(c, "\"fixes_from\" values must be rule ids");
        ew_fix_ref *f = &r->fixes_from[r->nfixes_from++];
        if (!(f->check = ew_strdup(check)) || !(f->rule = ew_strdup(json_string_value(id))))
            return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    }
    return 0;
}

/* A forecast rule: texts and severities only; the analysis states it. */
static int ew_parse_forecast(ew_loadctx *c, json_t *o, ew_rule *r)
{
    int rc = ew_get_severity(c, o, "severity", true, &r->severity);
    r->unenforced_severity = r->expired_severity = r->severity;
    if (rc == 0)
        rc = ew_get_severity(c, o, "expired_severity", false, &r->expired_severity);
    if (rc == 0)
        rc = ew_get_texts(c, o, r, ew_finding_texts, EW_ARRAY_LEN(ew_finding_texts));
    if (rc == 0)
        rc = ew_parse_fixes_from(c, o, r);
    if (rc == 0)
        rc = ew_get_strv(c, o, "actions", true, &r->actions, &r->nactions);
    if (rc == 0 && (json_object_get(o, "pattern") || json_object_get(o, "examples")))
        rc = ew_bad(c, "a forecast rule matches no line: no \"pattern\" nor \"examples\"");
    return rc;
}

static int ew_parse_rule(ew_loadctx *c, json_t *o, ew_rule *r)
{
    if (!json_is_object(o))
        return ew_bad(c, "the file must hold one JSON object");
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!id)
        return ew_bad(c, "missing field \"id\"");
    c->id = id;
    if (!ew_valid_id(id))
        return ew_bad(c, "\"id\" must be lower-case letters, digits and '-'");
    if (!(r->file = ew_strdup(c->file)) || !(r->id = ew_strdup(id)))
        return ew_err_set(c->err, EWDIAG_ENOMEM, "%s: out of memory", c->file);
    int rc = ew_parse_kind(c, o, r);
    if (rc == 0)
        rc = ew_get_texts(c, o, r, ew_rule_texts, EW_ARRAY_LEN(ew_rule_texts));
    if (rc == 0)
        rc = ew_get_strv(c, o, "defects", false, &r->defects, &r->ndefects);
    if (rc != 0 || r->kind == EW_RULE_FORECAST)
        return rc == 0 ? ew_parse_forecast(c, o, r) : rc;
    rc = ew_get_texts(c, o, r, ew_match_texts, EW_ARRAY_LEN(ew_match_texts));
    if (rc == 0)
        r->literal_len = strlen(r->literal);
    if (rc == 0)
        rc = ew_compile(c, r);
    if (rc == 0)
        r->lead_literal = ew_pattern_leads_with(r->pattern, r->literal, r->literal_len);
    if (rc == 0 && r->kind == EW_RULE_FINDING)
        rc = ew_parse_finding_fields(c, o, r);
    if (rc == 0 && r->kind == EW_RULE_EVIDENCE) {
        const char *by = json_string_value(json_object_get(o, "attach_by"));
        if (!by || !(r->attach_group = ew_rule_group(r, by)))
            rc = ew_bad(c, "an evidence rule needs \"attach_by\" naming a group of its pattern");
    }
    if (rc == 0 && r->kind == EW_RULE_TRANSACTION && !r->field[EW_F_TXN])
        rc = ew_bad(c, "a transaction rule's pattern needs a (?<txn>...) group");
    if (rc == 0)
        rc = ew_parse_explain(c, o, r);
    if (rc == 0)
        rc = ew_check_examples(c, o, r);
    return rc;
}

static int ew_push_rule(ew_ruleset *rs, ew_rule *r)
{
    int rc = ew_grow(&rs->rules, &rs->cap, rs->n + 1, sizeof *rs->rules);
    if (rc != 0)
        return rc;
    rs->rules[rs->n++] = *r;
    rs->max_groups = EW_MAX(rs->max_groups, r->ngroups);
    memset(r, 0, sizeof *r);
    return 0;
}

const ew_rule *ew_rules_find(const ew_ruleset *rs, const char *id)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->rules[i].id, id) == 0)
            return &rs->rules[i];
    return NULL;
}

static bool ew_has_id(const ew_ruleset *rs, const char *id)
{
    return ew_rules_find(rs, id) != NULL;
}

/* Every rule a forecast takes its fixes from, when loaded, is a finding
 * rule. */
static int ew_check_fixes_from(const ew_ruleset *staged, const ew_ruleset *existing, ew_err *err)
{
    for (size_t i = 0; i < staged->n; i++) {
        const ew_rule *r = &staged->rules[i];
        for (size_t k = 0; k < r->nfixes_from; k++) {
            const ew_rule *f = ew_rules_find(staged, r->fixes_from[k].rule);
            f = f ? f : ew_rules_find(existing, r->fixes_from[k].rule);
            /* Absent: the forecast says the rule's own actions. */
            if (f && f->kind != EW_RULE_FINDING)
                return ew_err_set(err, EWDIAG_EFORMAT,
                                  "%s: rule '%s': \"fixes_from\" names '%s', which is no "
                                  "finding rule loaded",
                                  r->file, r->id, r->fixes_from[k].rule);
        }
    }
    return 0;
}

static int ew_load_file(ew_ruleset *staged, const ew_ruleset *existing, const char *file,
                        ew_err *err)
{
    json_error_t je;
    json_t *o = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    /* jansson says nothing (no text) when its own allocation failed. */
    if (!o && (json_error_code(&je) == json_error_out_of_memory || !je.text[0]))
        return ew_err_set(err, EWDIAG_ENOMEM, "%s: out of memory", file);
    if (!o)
        return ew_err_set(err, EWDIAG_EFORMAT, "%s:%d:%d: invalid JSON: %s", file, je.line,
                          je.column, je.text);
    if (ew_texts_is_catalog(o)) {
        int rc = staged->texts
                     ? ew_err_set(err, EWDIAG_EFORMAT,
                                  "%s: a second explanation catalog in one rule set", file)
                     : ew_texts_parse(&staged->texts, o, file, err);
        json_decref(o);
        return rc;
    }
    ew_loadctx c = {file, NULL, err};
    ew_rule r;
    memset(&r, 0, sizeof r);
    int rc = ew_parse_rule(&c, o, &r);
    if (rc == 0 && (ew_has_id(existing, r.id) || ew_has_id(staged, r.id)))
        rc = ew_bad(&c, "a rule with this id is already loaded");
    if (rc == 0 && ew_push_rule(staged, &r) != 0)
        rc = ew_err_set(err, EWDIAG_ENOMEM, "%s: out of memory", file);
    ew_rule_clear(&r);
    json_decref(o);
    return rc;
}

static int ew_is_rule_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name), s = strlen(EW_RULE_FILE_SUFFIX);
    return d->d_name[0] != '.' && n > s && strcmp(d->d_name + n - s, EW_RULE_FILE_SUFFIX) == 0;
}

static int ew_load_dir(ew_ruleset *staged, const ew_ruleset *existing, const char *dir, ew_err *err)
{
    struct dirent **names;
    int n = scandir(dir, &names, ew_is_rule_file, alphasort);
    if (n < 0)
        return ew_err_set(err, EWDIAG_EIO, "%s: cannot read rule directory: %s", dir,
                          strerror(errno));
    int rc = 0;
    if (n == 0)
        rc = ew_err_set(err, EWDIAG_EFORMAT, "%s: no *.json rule file in this directory", dir);
    ew_buf path = {0};
    for (int i = 0; i < n; i++) {
        if (rc == 0) {
            ew_buf_clear(&path);
            if (ew_buf_printf(&path, "%s/%s", dir, names[i]->d_name) != 0)
                rc = ew_err_set(err, EWDIAG_ENOMEM, "%s: out of memory", dir);
            else
                rc = ew_load_file(staged, existing, path.p, err);
        }
        free(names[i]);
    }
    free(names);
    ew_buf_free(&path);
    return rc;
}

int ew_rules_load(ew_ruleset *rs, const char *path, ew_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ew_err_set(err, EWDIAG_EIO, "%s: cannot open rules: %s", path, strerror(errno));
    ew_ruleset staged = {0};
    int rc = S_ISDIR(st.st_mode) ? ew_load_dir(&staged, rs, path, err)
                                 : ew_load_file(&staged, rs, path, err);
    if (rc == 0)
        rc = ew_check_fixes_from(&staged, rs, err);
    /* Room first, so that the moves below cannot fail half-way. */
    if (rc == 0 && ew_grow(&rs->rules, &rs->cap, rs->n + staged.n, sizeof *rs->rules) != 0)
        rc = ew_err_set(err, EWDIAG_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; rc == 0 && i < staged.n; i++)
        (void)ew_push_rule(rs, &staged.rules[i]);
    if (rc == 0 && staged.texts) {
        /* The catalog loaded last is the one used. */
        ew_texts_free(rs->texts);
        rs->texts = staged.texts;
        staged.texts = NULL;
    }
    ew_rules_free(&staged);
    return rc;
}

void ew_rules_free(ew_ruleset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        ew_rule_clear(&rs->rules[i]);
    free(rs->rules);
    ew_texts_free(rs->texts);
    memset(rs, 0, sizeof *rs);
}
