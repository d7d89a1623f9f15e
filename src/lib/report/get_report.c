/* get_report.c - the public getters of reports, inputs, entries and
 * warnings. Out-of-range indexes give "", NULL or 0, never a crash. */
#include "report/report.h"

size_t ewdiag_report_input_count(const ewdiag_report *r)
{
    return r ? r->ninputs : 0;
}

const ewdiag_input *ewdiag_report_input(const ewdiag_report *r, size_t i)
{
    return r && i < r->ninputs ? r->inputs[i] : NULL;
}

size_t ewdiag_report_finding_count(const ewdiag_report *r)
{
    return r ? r->nfindings : 0;
}

const ewdiag_finding *ewdiag_report_finding(const ewdiag_report *r, size_t i)
{
    return r && i < r->nfindings ? r->findings[i] : NULL;
}

size_t ewdiag_report_warning_count(const ewdiag_report *r)
{
    return r ? r->nwarnings : 0;
}

const ewdiag_warning *ewdiag_report_warning(const ewdiag_report *r, size_t i)
{
    return r && i < r->nwarnings ? r->warnings[i] : NULL;
}

const char *ewdiag_input_name(const ewdiag_input *in) { return in->name; }
ewdiag_input_status ewdiag_input_status_get(const ewdiag_input *in) { return in->status; }
const char *ewdiag_input_error(const ewdiag_input *in) { return ew_str(in->error); }
uint64_t ewdiag_input_bytes(const ewdiag_input *in) { return in->bytes; }
size_t ewdiag_input_capture_count(const ewdiag_input *in) { return in->captures; }

const char *ewdiag_input_status_name(ewdiag_input_status s)
{
    switch (s) {
    case EWDIAG_INPUT_ANALYZED: return "analyzed";
    case EWDIAG_INPUT_PARTIAL: return "partial";
    case EWDIAG_INPUT_FAILED: return "failed";
    }
    return "unknown";
}

size_t ewdiag_input_node_count(const ewdiag_input *in) { return in->nnodes; }

const char *ewdiag_input_node(const ewdiag_input *in, size_t i)
{
    return i < in->nnodes ? in->nodes[i].name : "";
}

const char *ewdiag_input_node_version(const ewdiag_input *in, size_t i)
{
    return i < in->nnodes ? ew_str(in->nodes[i].version) : "";
}

const char *ewdiag_input_node_verify_origin(const ewdiag_input *in, size_t i)
{
    return i < in->nnodes ? ew_str(in->nodes[i].verify_origin) : "";
}

size_t ewdiag_input_trust_store_count(const ewdiag_input *in) { return in->ntrust_files; }

const char *ewdiag_input_trust_store_node(const ewdiag_input *in, size_t i)
{
    return i < in->ntrust_files ? in->trust_files[i].node : "";
}

const char *ewdiag_input_trust_store_path(const ewdiag_input *in, size_t i)
{
    return i < in->ntrust_files ? in->trust_files[i].path : "";
}

size_t ewdiag_input_trust_store_certificates(const ewdiag_input *in, size_t i)
{
    return i < in->ntrust_files ? in->trust_files[i].ncerts : 0;
}

size_t ewdiag_input_entry_count(const ewdiag_input *in) { return in->nentries; }

const ewdiag_entry *ewdiag_input_entry(const ewdiag_input *in, size_t i)
{
    return i < in->nentries ? in->entries[i] : NULL;
}

size_t ewdiag_input_tls_server_count(const ewdiag_input *in) { return in->ntls_servers; }

const ewdiag_tls_server *ewdiag_input_tls_server(const ewdiag_input *in, size_t i)
{
    return i < in->ntls_servers ? in->tls_servers[i] : NULL;
}

const char *ewdiag_entry_path(const ewdiag_entry *e) { return e->path; }
const char *ewdiag_entry_role(const ewdiag_entry *e) { return ew_role_name(e->role); }
uint64_t ewdiag_entry_size(const ewdiag_entry *e) { return e->size; }
const char *ewdiag_entry_status(const ewdiag_entry *e) { return ew_entry_status_name(e->status); }
const char *ewdiag_entry_reason(const ewdiag_entry *e) { return ew_str(e->reason); }
uint64_t ewdiag_entry_lines(const ewdiag_entry *e) { return e->lines; }

const char *ewdiag_warning_input(const ewdiag_warning *w) { return w->input; }
const char *ewdiag_warning_entry(const ewdiag_warning *w) { return ew_str(w->entry); }
const char *ewdiag_warning_code(const ewdiag_warning *w) { return ew_warn_code_name(w->code); }
const char *ewdiag_warning_message(const ewdiag_warning *w) { return w->message; }
uint64_t ewdiag_warning_count(const ewdiag_warning *w) { return w->count; }
