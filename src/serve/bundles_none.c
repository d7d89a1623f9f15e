/* bundles_none.c - a build without libpq: no asynchronous uploads, and
 * their routes say so. */
#include "bundles.h"

#include <string.h>

const bool bundles_built = false;

static enum MHD_Result not_built(request *rq)
{
    return respond_error(rq, MHD_HTTP_NOT_FOUND,
                         "this ewdiag was built without PostgreSQL (libpq and libcurl): no "
                         "asynchronous uploads; POST /v1/analyze answers with the report");
}

int bundles_start(server *srv)
{
    (void)srv;
    return 0;
}

void bundles_stop(server *srv)
{
    (void)srv;
}

enum MHD_Result bundles_post(request *rq)
{
    rq->route = ROUTE_BUNDLES;
    return not_built(rq);
}

enum MHD_Result bundles_route(request *rq, const char *url, const char *method)
{
    (void)method;
    rq->route = strcmp(url, "/v1/bundles") == 0 ? ROUTE_BUNDLES : ROUTE_BUNDLE;
    return not_built(rq);
}

enum MHD_Result bundles_step(request *rq)
{
    (void)rq;
    return MHD_NO; /* never: no lookup is started */
}

void bundles_end(request *rq)
{
    (void)rq;
}

bool bundles_pending(server *srv)
{
    (void)srv;
    return false;
}

void bundles_abort_all(server *srv)
{
    (void)srv;
}

void bundles_gauges(server *srv, metrics_gauges *g)
{
    (void)srv;
    (void)g;
}
