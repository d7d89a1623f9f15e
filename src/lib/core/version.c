/* version.c - what the library is: its version, where its rules are
 * installed, and the names of its return codes. */
#include "core/ew.h"

#include <stdio.h>

#ifndef EWDIAG_RULES_DIR
#define EWDIAG_RULES_DIR "/usr/local/share/ewdiag/rules"
#endif
#ifndef EWDIAG_VERSION
#define EWDIAG_VERSION "0.0.0"
#endif

const char *ewdiag_version(void)
{
    return EWDIAG_VERSION;
}

unsigned ewdiag_version_number(void)
{
    unsigned major = 0, minor = 0, patch = 0;
    /* The build's version string is the one truth. */
    if (sscanf(EWDIAG_VERSION, "%u.%u.%u", &major, &minor, &patch) != 3)
        return 0;
    return major * 10000 + minor * 100 + patch;
}

const char *ewdiag_strerror(int code)
{
    switch (code) {
    case EWDIAG_OK: return "ok";
    case EWDIAG_EINVAL: return "invalid argument";
    case EWDIAG_ENOMEM: return "out of memory";
    case EWDIAG_EIO: return "input/output error";
    case EWDIAG_EFORMAT: return "malformed input";
    case EWDIAG_ELIMIT: return "limit reached";
    default: return "unknown error";
    }
}

const char *ewdiag_default_rules_dir(void)
{
    return EWDIAG_RULES_DIR;
}
