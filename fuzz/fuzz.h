/* fuzz.h - what the fuzz targets share: libFuzzer's entry point (replay.c
 * calls it too, without libFuzzer), where the source tree is, and reading
 * one of its files. */
#ifndef EW_FUZZ_H
#define EW_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set by fuzz/meson.build; the fixtures and rules are read from there. */
#ifndef EWFUZZ_SOURCE_ROOT
#define EWFUZZ_SOURCE_ROOT "."
#endif

/* Files of the source tree read once, at most this big. */
#define EWFUZZ_FILE_MAX (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness cannot work (a fixture is missing): say so and stop. */
static inline void ewfuzz_die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz: %s: %s\n", what, path);
    abort();
}

/* The whole file EWFUZZ_SOURCE_ROOT/rel, NUL-terminated; length in *len. */
static inline char *ewfuzz_read_source(const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", EWFUZZ_SOURCE_ROOT, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        ewfuzz_die("cannot open", path);
    char *buf = malloc(EWFUZZ_FILE_MAX + 1);
    if (!buf)
        ewfuzz_die("out of memory reading", path);
    size_t n = fread(buf, 1, EWFUZZ_FILE_MAX, f);
    if (ferror(f) || !feof(f))
        ewfuzz_die("cannot read whole", path);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

#endif /* EW_FUZZ_H */
