/* kinds.c - the registry: every kind of entry the scan stage reads, in the
 * order their names are matched (a capture's suffix wins over ca_'s
 * prefix). A new kind is a file of its own and one line here. */
#include "scan/scan_int.h"

const ew_kind *const ew_scan_kind_table[] = {
    &ew_kind_log,     &ew_kind_ats_log,    &ew_kind_xconf,       &ew_kind_xstat,
    &ew_kind_capture, &ew_kind_trusted_ca, &ew_kind_server_cert, &ew_kind_archive,
};

const size_t ew_scan_kind_count = EW_ARRAY_LEN(ew_scan_kind_table);

ew_kinds ew_scan_kinds(ew_scan *s)
{
    return (ew_kinds){ew_scan_kind_table, ew_scan_kind_count, s};
}
