/* texts.c - the explanation catalog: parsed, checked, rendered. */
#include "rules/texts.h"

#include <stdlib.h>

/* The built-in catalog (rules/explanations.json, embedded at build). */
extern const char ew_explanations_json[];

typedef struct ew_text {
    char *text;                        /* with {param} placeholders */
    char *empty[EW_FACT_MAX_PARAMS];   /* words for a parameter without a value */
} ew_text;

struct ew_texts {
    ew_text v[EW_FACT_COUNT];
};

bool ew_texts_is_catalog(const json_t *o)
{
    return json_is_object(o) && json_object_get(o, "explanations") != NULL;
}

void ew_texts_free(ew_texts *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < EW_FACT_COUNT; i++) {
        free(t->v[i].text);
        for (size_t k = 0; k < EW_FACT_MAX_PARAMS; k++)
            free(t->v[i].empty[k]);
    }
    free(t);
}

/* Renders text for code with values[] (NULL or "" take the empty words). */
static int ew_render(const ew_text *x, ew_fact_code code, char *const *values, ew_buf *out)
{
    const char *p = x->text;
    for (;;) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close)
            return ew_buf_puts(out, p);
        if (ew_buf_append(out, p, (size_t)(open - p)) != 0)
            return EWDIAG_ENOMEM;
        int k = ew_fact_param(code, open + 1, (size_t)(close - open - 1));
        /* Checked at load: every placeholder names a parameter. */
        const char *v = k >= 0 ? values[k] : NULL;
        if (k >= 0 && (!v || !*v))
            v = x->empty[k];
        if (v && ew_buf_puts(out, v) != 0)
            return EWDIAG_ENOMEM;
        p = close + 1;
    }
}

int ew_texts_render(const ew_texts *t, const ew_fact *f, ew_buf *out)
{
    return ew_render(&t->v[f->code], f->code, f->param, out);
}

/* Every {name} of text is a parameter of code; a lone brace is not allowed. */
static bool ew_placeholders_ok(const char *text, ew_fact_code code, const char **bad)
{
    for (const char *p = text; (p = strpbrk(p, "{}"));) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        const char *next = close ? strchr(p + 1, '{') : NULL;
        if (!close || (next && next < close) ||
            ew_fact_param(code, p + 1, (size_t)(close - p - 1)) < 0) {
            *bad = p;
            return false;
        }
        p = close + 1;
    }
    return true;
}

/* Renders one example and compares. */
static int ew_check_example(const ew_text *x, ew_fact_code code, const json_t *ex, size_t i,
                            const char *file, ew_err *err)
{
    const json_t *params = json_object_get(ex, "params");
    const char *want = json_string_value(json_object_get(ex, "text"));
    const char *name = ew_fact_defs[code].name;
    char *values[EW_FACT_MAX_PARAMS] = {NULL};
    const char *key;
    const json_t *v;
    if (!json_is_object(params) || !want)
        return ew_err_set(err, EWDIAG_EFORMAT, "%s: explanation '%s': example %zu wants "
                          "\"params\" (an object) and \"text\"", file, name, i);
    json_object_foreach((json_t *)params, key, v) {
        int k = ew_fact_param(code, key, strlen(key));
        if (k < 0 || !json_is_string(v))
            return ew_err_set(err, EWDIAG_EFORMAT, "%s: explanation '%s': example %zu: '%s' is "
                              "not a parameter of this code (or not a string)", file, name, i, key);
        values[k] = (char *)json_string_value(v);
    }
    ew_buf got = {0};
    int rc = ew_render(x, code, values, &got);
    if (rc == 0 && strcmp(got.p ? got.p : "", want) != 0)
        rc = ew_err_set(err, EWDIAG_EFORMAT, "%s: explanation '%s': example %zu renders as "
                        "\"%s\", not as its \"text\"", file, name, i, got.p ? got.p : "");
    ew_buf_free(&got);
    return rc;
}

static int ew_parse_empty(ew_text *x, ew_fact_code code, const json_t *empty, const char *file,
                          ew_err *err)
{
    const char *key;
    const json_t *v;
    if (empty && !json_is_object(empty))
        return ew_err_set(err, EWDIAG_EFORMAT, "%s: explanation '%s': \"empty\" must be an "
                          "object", file, ew_fact_defs[code].name);
    json_object_foreach((json_t *)empty, key, v) {
        int k = ew_fact_param(code, key, strlen(key));
        if (k < 0 || !json_is_string(v))
            return ew_err_set(err, EWDIAG_EFORMAT, "%s: explanation '%s': \"empty\": '%s' is not "
                              "a parameter of this code (or not a string)", file,
                              ew_fact_defs[code].name, key);
        if (!(x->empty[k] = ew_strdup(json_string_value(v))))
            return ew_err_set(err, EWDIAG_ENOMEM, "%s: out of memory", file);
    }
    return 0;
}

static int ew_parse_one(ew_texts *t, const json_t *e, size_t i, const char *file, ew_err *err)
{
    const char *code_name = json_string_value(json_object_get(e, "code"));
    const char *text = json_string_value(json_object_get(e, "text"));
    const json_t *examples = json_object_get(e, "examples");
    if (!code_name || !text || !json_is_array(examples) || json_array_size(examples) == 0)
        return ew_err_set(err, EWDIAG_EFORMAT, "%s: explanations[%zu] wants \"code\", \"text\" "
                          "and \"examples\" (at least one)", file, i);
    ew_fact_code code = ew_fact_code_of(code_name);
    if (code == EW_FACT_COUNT)
        return ew_err_set(err, EWDIAG_EFORMAT, "%s: explanations[%zu]: '%s' is not a code ewdiag "
                          "states", file, i, code_name);
    ew_text *x = &t->v[code];
    if (x->text)
        return ew_err_set(err, EWDIAG_EFORMAT, "%s: explanation '%s' given twice", file, code_name);
    const char *bad = NULL;
    if (!ew_placeholders_ok(text, code, &bad))
        return ew_err_set(err, EWDIAG_EFORMAT, "%s: explanation '%s': the placeholder at \"%.20s\" "
                          "is not a parameter of this code", file, code_name, bad);
    if (!(x->text = ew_strdup(text)))
        return ew_err_set(err, EWDIAG_ENOMEM, "%s: out of memory", file);
    int rc = ew_parse_empty(x, code, json_object_get(e, "empty"), file, err);
    for (size_t k = 0; rc == 0 && k < json_array_size(examples); k++)
        rc = ew_check_example(x, code, json_array_get(examples, k), k, file, err);
    return rc;
}

int ew_texts_parse(ew_texts **out, const json_t *o, const char *file, ew_err *err)
{
    const json_t *list = json_object_get(o, "explanations");
    if (!json_is_array(list))
        return ew_err_set(err, EWDIAG_EFORMAT, "%s: \"explanations\" must be an array", file);
    ew_texts *t = ew_calloc(1, sizeof *t);
    if (!t)
        return ew_err_set(err, EWDIAG_ENOMEM, "%s: out of memory", file);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++)
        rc = ew_parse_one(t, json_array_get(list, i), i, file, err);
    for (size_t c = 0; rc == 0 && c < EW_FACT_COUNT; c++)
        if (!t->v[c].text)
            rc = ew_err_set(err, EWDIAG_EFORMAT, "%s: no text for explanation '%s'", file,
                            ew_fact_defs[c].name);
    if (rc != 0) {
        ew_texts_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int ew_texts_builtin(ew_texts **out, ew_err *err)
{
    json_error_t je;
    json_t *o = json_loads(ew_explanations_json, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return ew_err_set(err, EWDIAG_ENOMEM, "built-in explanations: %s", je.text);
    int rc = ew_texts_parse(out, o, "built-in explanations", err);
    json_decref(o);
    return rc;
}
