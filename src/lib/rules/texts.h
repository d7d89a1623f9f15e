/* texts.h - the wording of the facts (facts.h): a catalog loaded from JSON
 * ({"explanations": [...]}, rules/explanations.json), every code present,
 * every placeholder a parameter of its code, every example rendered and
 * compared when it loads. A copy of rules/explanations.json is built into
 * the library, for rule sets that bring none. */
#ifndef EW_TEXTS_H
#define EW_TEXTS_H

#include <jansson.h>

#include "rules/facts.h"

typedef struct ew_texts ew_texts;

/* Whether a rule file's object is a catalog rather than a rule. */
bool ew_texts_is_catalog(const json_t *o);
/* Parses and checks a catalog (file names it in messages). 0; or
 * EWDIAG_EFORMAT, EWDIAG_ENOMEM with err set. */
int ew_texts_parse(ew_texts **out, const json_t *o, const char *file, ew_err *err);
/* The catalog built into the library. Same returns. */
int ew_texts_builtin(ew_texts **out, ew_err *err);
/* Appends the wording of f to out. 0, or EWDIAG_ENOMEM. */
int ew_texts_render(const ew_texts *t, const ew_fact *f, ew_buf *out);
void ew_texts_free(ew_texts *t);

#endif /* EW_TEXTS_H */
