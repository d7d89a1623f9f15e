/* replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over files, as a
 * plain program (no libFuzzer): how the test suite replays the regression
 * inputs and the seed corpus of each target, with whatever compiler and
 * sanitizers the build has.
 *
 *     replay_TARGET PATH...
 *
 * A PATH is a file or a directory, whose files are run in name order
 * (names starting with '.' are left out; a missing directory is empty).
 * A failing input aborts, as under libFuzzer; otherwise it prints how
 * many inputs ran and exits 0. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

/* Inputs bigger than any -max_len of fuzz/run are not fuzz inputs. */
#define REPLAY_MAX (4u << 20)
#define REPLAY_PATH_MAX 4096

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = malloc(REPLAY_MAX + 1);
    size_t n = buf ? fread(buf, 1, REPLAY_MAX + 1, f) : 0;
    bool bad = !buf || ferror(f) || n > REPLAY_MAX;
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: cannot read, or larger than %u bytes\n", path, REPLAY_MAX);
        free(buf);
        return -1;
    }
    /* A copy of exactly its size, so that ASan sees reads past the end. */
    uint8_t *data = malloc(n ? n : 1);
    if (!data) {
        free(buf);
        return -1;
    }
    memcpy(data, buf, n);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    (void)LLVMFuzzerTestOneInput(data, n);
    free(data);
    return 0;
}

static int visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Runs path (a file, or every file of a directory); the count in *ran. */
static int run_path(const char *path, unsigned *ran)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (run_file(path) != 0)
            return -1;
        (*ran)++;
        return 0;
    }
    struct dirent **names;
    int n = scandir(path, &names, visible, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char full[REPLAY_PATH_MAX];
        snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
        if (rc == 0 && stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            rc = run_file(full);
            *ran += rc == 0;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned ran = 0;
    for (int i = 1; i < argc; i++)
        if (run_path(argv[i], &ran) != 0)
            return 1;
    printf("%u inputs replayed\n", ran);
    return 0;
}
