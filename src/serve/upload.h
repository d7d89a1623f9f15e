/* upload.h - POST /v1/analyze: the request body (one file) or its
 * multipart/form-data files streamed into an analysis on a worker as
 * they arrive, and the report as the response. */
#ifndef EWDIAG_SERVE_UPLOAD_H
#define EWDIAG_SERVE_UPLOAD_H

#include "http.h"

/* The request's headers are in: checks them (token, format, size, type),
 * takes an analysis slot, or answers with the error. */
enum MHD_Result upload_begin(request *rq);
/* Body bytes (*size of them at data; *size left is what was not taken:
 * the connection is paused until it can be), or the end (*size 0). */
enum MHD_Result upload_step(request *rq, const char *data, size_t *size);
/* The request is over (completed: its response was sent). */
void upload_end(request *rq, bool completed);
/* Stops every analysis now (a second SIGTERM). */
void uploads_abort_all(server *srv);

#endif
