/* tls_end.c - a TLS direction that says no more: closed, or stopped on
 * framing that makes no sense (what both halves of the reader end with). */
#include "capture/tls_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void ew_tls_dir_close(ew_tls_dir *d)
{
    d->state = DS_DONE;
    free(d->hs_buf);
    d->hs_buf = NULL;
    d->hs_cap = 0;
}

/* Framing that makes no sense: this direction says no more. The first one
 * is told, with its connection. */
void ew_tls_error(ew_tls_dir *d, ew_cap_env *env, const char *fmt, ...)
{
    env->st.tls_errors++;
    d->cut = true;
    ew_tls_dir_close(d);
    if (*env->st.why_tls)
        return;
    char what[EW_CAP_WHY_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ew_cap_why_conn(env, env->st.why_tls, true, "TLS", "%s: its TLS parsing stopped there", what);
}
