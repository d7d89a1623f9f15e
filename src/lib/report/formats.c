/* formats.c - the report's formats: one table, one writer each. A new
 * format is a value of ewdiag_format, a writer, and a row here. */
#include "report/html.h"
#include "report/report.h"

#include <stdlib.h>

typedef int (*ew_writer)(const ewdiag_report *r, FILE *f, unsigned flags);

static const struct {
    ewdiag_format format;
    ew_writer write;
} ew_formats[] = {
    {EWDIAG_FORMAT_TEXT, ew_report_write_text},
    {EWDIAG_FORMAT_JSON, ew_report_write_json},
    {EWDIAG_FORMAT_JSONL, ew_report_write_jsonl},
    {EWDIAG_FORMAT_HTML, ew_report_write_html},
};

int ewdiag_report_write(const ewdiag_report *r, FILE *f, ewdiag_format format, unsigned flags)
{
    if (!r || !f)
        return EWDIAG_EINVAL;
    for (size_t i = 0; i < EW_ARRAY_LEN(ew_formats); i++) {
        if (ew_formats[i].format != format)
            continue;
        int rc = ew_formats[i].write(r, f, flags);
        if (rc == 0 && ferror(f))
            rc = EWDIAG_EIO;
        return rc;
    }
    return EWDIAG_EINVAL;
}

char *ewdiag_report_serialize(const ewdiag_report *r, ewdiag_format format, unsigned flags,
                              size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    int rc = ewdiag_report_write(r, f, format, flags);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}
