/* str.h - owned strings and names. */
#ifndef EW_STR_H
#define EW_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Copies (NUL-terminated); NULL when out of memory. */
char *ew_strndup(const char *s, size_t n);
char *ew_strdup(const char *s);
/* A copy of s, or NULL for NULL; *oom is set when the copy failed. */
char *ew_strdup_opt(const char *s, bool *oom);
/* A copy of the n strings of v (n may be 0: an empty array); NULL when
 * out of memory. Freed with ew_strv_free. */
char **ew_strv_dup(char *const *v, size_t n);
void ew_strv_free(char **v, size_t n);

/* names[v], the name of an enum's value v from a table of n names given
 * by designated initializers; names[dflt] for a value the table lacks. */
const char *ew_enum_name(const char *const *names, size_t n, unsigned v, unsigned dflt);
#define EW_ENUM_NAME(names, v, dflt)                                                               \
    ew_enum_name((names), EW_ARRAY_LEN(names), (unsigned)(v), (dflt))

/* Basename of a path inside an archive or file system ('/' separated). */
const char *ew_basename(const char *path);

/* Length of the valid UTF-8 sequence at p (at most n >= 1 bytes), 0 if
 * invalid: what the serializers keep and what they replace. */
size_t ew_utf8_len(const unsigned char *p, size_t n);

#endif /* EW_STR_H */
