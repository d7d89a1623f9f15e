/* err.c - error codes and messages. */
#include "core/err.h"

#include <stdio.h>

int ew_err_set(ew_err *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

void ew_err_clear(ew_err *e)
{
    e->code = EWDIAG_OK;
    e->msg[0] = '\0';
}
