/* forecast_int.h - what forecast.c and forecast_state.c share. */
#ifndef EW_FORECAST_INT_H
#define EW_FORECAST_INT_H

#include "analysis/forecast.h"

/* X14.2.0: where the traffic server starts checking origins. */
#define EW_ENFORCED_MAJOR 14u
#define EW_ENFORCED_MINOR 2u
#define EW_US_PER_DAY (INT64_C(86400) * INT64_C(1000000))

/* Whether node enforces the check, from its dumps and its groups; *version
 * is its software version (NULL: unknown). */
ew_enforcement ew_node_enforcement(const ew_nodes *nodes, const ew_groups *gs, const char *node,
                                   const char **version);

/* The forecasts of one checked origin, appended to out. 0, or
 * EWDIAG_ENOMEM. */
int ew_forecast_state(const ew_origin_srv *o, const char *version, const ew_forecast_in *in,
                      ew_forecasts *out);

#endif /* EW_FORECAST_INT_H */
