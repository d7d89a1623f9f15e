/* helpers.c - finding and running ewdiag-serve and ewdiag-queue, as git
 * runs its git-* programs. */
#include "helpers.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#ifndef EWDIAG_LIBEXEC_DIR
#define EWDIAG_LIBEXEC_DIR "/usr/local/libexec/ewdiag"
#endif

#define MAX_DIRS 2

/* The directory of the running executable (a build tree keeps the helpers
 * beside ewdiag), into buf; NULL when /proc cannot say. */
static const char *exe_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0 || (size_t)n >= size - 1)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return slash == buf ? "/" : buf;
}

int ew_exec_helper(const char *prog, const char *needs, char **argv)
{
    char self[PATH_MAX];
    const char *dirs[MAX_DIRS];
    int ndirs = 0;
    const char *env = getenv("EWDIAG_EXEC_PATH");
    if (env && *env) {
        dirs[ndirs++] = env;
    } else {
        const char *d = exe_dir(self, sizeof self);
        if (d)
            dirs[ndirs++] = d;
        dirs[ndirs++] = EWDIAG_LIBEXEC_DIR;
    }
    for (int i = 0; i < ndirs; i++) {
        char path[PATH_MAX];
        int n = snprintf(path, sizeof path, "%s/%s", dirs[i], prog);
        if (n < 0 || (size_t)n >= sizeof path || access(path, X_OK) != 0)
            continue;
        argv[0] = path;
        execv(path, argv);
        fprintf(stderr, "ewdiag: %s: %s\n", path, strerror(errno));
        return EXIT_TROUBLE;
    }
    fprintf(stderr,
            "ewdiag: '%s' was not built or not installed: no %s in %s%s%s"
            " (it needs %s; EWDIAG_EXEC_PATH names its directory)\n",
            argv[1], prog, dirs[0], ndirs > 1 ? " nor " : "", ndirs > 1 ? dirs[1] : "", needs);
    return EXIT_TROUBLE;
}
