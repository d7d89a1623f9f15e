/* get_forecast.c - the public getters of forecasts and origin servers. */
#include "report/report.h"

size_t ewdiag_input_origin_count(const ewdiag_input *in)
{
    return in->norigins;
}

const ewdiag_origin *ewdiag_input_origin(const ewdiag_input *in, size_t i)
{
    return i < in->norigins ? in->origins[i] : NULL;
}

const char *ewdiag_finding_forecast_section(const ewdiag_finding *f)
{
    return f->fc.is ? ew_forecast_section(f->fc.enforcement) : "";
}

const char *ewdiag_finding_forecast_enforcement(const ewdiag_finding *f)
{
    return f->fc.is ? ew_enforcement_name(f->fc.enforcement) : "";
}

int ewdiag_finding_forecast_fails_trust(const ewdiag_finding *f)
{
    return f->fc.untrusted;
}

int ewdiag_finding_forecast_fails_name(const ewdiag_finding *f)
{
    return f->fc.misnamed;
}

const char *ewdiag_finding_expiry(const ewdiag_finding *f)
{
    return f->fc.expiry != EW_EXPIRY_NONE ? ew_expiry_name(f->fc.expiry) : "";
}

int64_t ewdiag_finding_not_after(const ewdiag_finding *f)
{
    return f->fc.expiry != EW_EXPIRY_NONE ? f->fc.not_after : 0;
}

long long ewdiag_finding_days_left(const ewdiag_finding *f)
{
    return f->fc.expiry != EW_EXPIRY_NONE ? f->fc.days_left : 0;
}

const char *ewdiag_origin_node(const ewdiag_origin *o)
{
    return o->node;
}

const char *ewdiag_origin_name(const ewdiag_origin *o)
{
    return o->name;
}

const char *ewdiag_origin_address(const ewdiag_origin *o)
{
    return o->address;
}

unsigned ewdiag_origin_port(const ewdiag_origin *o)
{
    return o->port;
}

const char *ewdiag_origin_type(const ewdiag_origin *o)
{
    return ew_str(o->type);
}

int ewdiag_origin_from_request(const ewdiag_origin *o)
{
    return (o->from & EW_FROM_REQUEST) != 0;
}

int ewdiag_origin_from_xconf(const ewdiag_origin *o)
{
    return (o->from & EW_FROM_XCONF) != 0;
}

uint64_t ewdiag_origin_requests(const ewdiag_origin *o)
{
    return o->requests;
}

int64_t ewdiag_origin_first_seen(const ewdiag_origin *o)
{
    return o->first_seen;
}

int64_t ewdiag_origin_last_seen(const ewdiag_origin *o)
{
    return o->last_seen;
}

const char *ewdiag_origin_enforcement(const ewdiag_origin *o)
{
    return ew_enforcement_name(o->enforcement);
}

const char *ewdiag_origin_state(const ewdiag_origin *o)
{
    return ew_origin_state_name(o->state);
}

static bool ew_checked(const ewdiag_origin *o)
{
    return o->state == EW_ORIGIN_CHECKED;
}

int64_t ewdiag_origin_checked_at(const ewdiag_origin *o)
{
    return ew_checked(o) ? o->join.tls.ts : 0;
}

const char *ewdiag_origin_trust(const ewdiag_origin *o)
{
    if (!ew_checked(o) || !o->trust_known)
        return "";
    return o->untrusted ? "untrusted" : "trusted";
}

const char *ewdiag_origin_trust_error(const ewdiag_origin *o)
{
    return ew_checked(o) && o->untrusted ? o->join.tls.verdict.error_text : "";
}

const char *ewdiag_origin_name_check(const ewdiag_origin *o)
{
    if (!ew_checked(o) || o->join.tls.name_match < 0)
        return "";
    return ew_name_match_name((ew_name_match)o->join.tls.name_match);
}

const char *ewdiag_origin_expiry(const ewdiag_origin *o)
{
    return ew_checked(o) ? ew_expiry_name(o->expiry) : "";
}

int64_t ewdiag_origin_not_after(const ewdiag_origin *o)
{
    return ew_checked(o) ? o->not_after : 0;
}
