/* correlate.h - findings x TLS handshakes x trust stores. */
#ifndef EW_CORRELATE_H
#define EW_CORRELATE_H

#include "analysis/findings.h"
#include "analysis/inventory.h"

/* Fills the tls view (and explanations) of every finding of fs from the
 * input's capture inventory; window in microseconds around the warnings.
 * 0, or EWDIAG_ENOMEM. */
int ew_correlate(ew_findings *fs, const ew_inventory *inv, int64_t window);

#endif /* EW_CORRELATE_H */
