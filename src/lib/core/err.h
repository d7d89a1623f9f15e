/* err.h - an error's code and message, carried by whoever asked. */
#ifndef EW_ERR_H
#define EW_ERR_H

#include "core/ew.h"

#define EW_ERR_MAX 1024

typedef struct ew_err {
    int code;             /* EWDIAG_OK or an EWDIAG_E* code */
    char msg[EW_ERR_MAX]; /* "" when nothing was said */
} ew_err;

/* Sets the error and returns code, so callers can `return ew_err_set(...)`.
 * A NULL e is allowed: only the code is returned. */
int ew_err_set(ew_err *e, int code, const char *fmt, ...) EW_PRINTF(3, 4);
void ew_err_clear(ew_err *e);

#endif /* EW_ERR_H */
