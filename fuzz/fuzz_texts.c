/* fuzz_texts.c - the explanations catalog (texts.c): the wording of each
 * fact, loaded from JSON ({"explanations": [...]}), its placeholders
 * checked against the fact's parameters and its examples rendered when it
 * loads.
 *
 * The input is parsed with jansson as a rule file's object would be; when
 * it is a catalog that loads, every fact is rendered with parameters of
 * every length 0 to PARAM_LONG (names, numbers, text with braces and
 * control bytes taken from the input); rendering may fail only for want
 * of memory, and its text holds no NUL (the reports print it as a C string). */
#include "fuzz.h"

#include <jansson.h>

#include "core/buf.h"
#include "rules/facts.h"
#include "rules/texts.h"

#define PARAM_LONG 64u /* longest parameter made from the input */

static char param_text[EW_FACT_MAX_PARAMS][PARAM_LONG + 1];

/* Parameter i: a slice of the input (a fact's wording must take any text). */
static void make_params(ew_fact *f, const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < EW_FACT_MAX_PARAMS; i++) {
        size_t at = size ? (i * 7) % size : 0;
        size_t n = EW_MIN(size - at, (size_t)(PARAM_LONG >> (i % 3)));
        for (size_t j = 0; j < n; j++)
            param_text[i][j] = data[at + j] ? (char)data[at + j] : '{';
        param_text[i][n] = '\0';
        f->param[i] = param_text[i];
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return 0;
    ew_texts *t = NULL;
    ew_err err = {0, ""};
    bool catalog = ew_texts_is_catalog(o);
    int rc = catalog ? ew_texts_parse(&t, o, "fuzz.json", &err) : EWDIAG_EFORMAT;
    if (rc != 0 && catalog && err.msg[0] == '\0')
        abort(); /* a catalog refused must say why */
    if (rc == 0) {
        for (int c = 0; c < EW_FACT_COUNT; c++) {
            ew_fact f = {.code = (ew_fact_code)c};
            make_params(&f, data, size);
            ew_buf out = {0};
            if (ew_texts_render(t, &f, &out) != 0)
                abort(); /* only out of memory may fail */
            if (out.len > 0 && memchr(out.p, '\0', out.len))
                abort();
            ew_buf_free(&out);
        }
        ew_texts_free(t);
    }
    json_decref(o);
    return 0;
}
