/* test_api.c - the public contract is as complete as the JSON report: for
 * every fixture, each value the JSON carries (findings, the capture's view,
 * chains, certificates, the TLS servers inventory, trust stores, nodes,
 * entries, warnings) is read back through the getters of ewdiag.h and must
 * be the same. Also: analysis from a read callback, the version and error
 * names, timelines, and getters given indexes out of range. */
#include <ewdiag.h>

#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static const char *const fixtures[] = {
    "fixtures/example/diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz",
    "fixtures/captures/selfsigned-rsa/diagnostic_log_vcsc_2026-11-22_08_49_36.tar.gz",
    "fixtures/captures/ecdsa-selfsigned/diagnostic_log_vcsc_2026-11-22_08_49_57.tar.gz",
    "fixtures/captures/untrusted-chain",
    "fixtures/captures/no-intermediate",
    "fixtures/captures/name-mismatch",
    "fixtures/captures/ip-san",
    "fixtures/captures/expired",
    "fixtures/captures/resumed",
    "fixtures/captures/tls13",
    "fixtures/captures/inventory.pcapng",
    "fixtures/cluster",
    "fixtures/continue",
    "fixtures/ats/ats-diags.tar.gz",
    "fixtures/nested/two-nodes.zip",
    "fixtures/bad/truncated.tar.gz",
    "tests/bad/tls-cert-garbage-der.tar.gz",
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

/* "2022-07-11T16:55:26.016Z", as the JSON writes times; "" for 0. */
static void fmt_time(int64_t us, char out[40])
{
    if (!us) {
        out[0] = '\0';
        return;
    }
    int64_t s = us / 1000000, ms = (us % 1000000) / 1000;
    if (us % 1000000 < 0) {
        s--;
        ms = (us % 1000000 + 1000000) / 1000;
    }
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 40 - n, ".%03dZ", (int)ms);
}

/* A JSON string member, "" for null or absent. */
static const char *js(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static long long ji(const json_t *o, const char *key, long long if_null)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer_value(v) : if_null;
}

static void eq_time(const json_t *o, const char *key, int64_t us)
{
    char buf[40];
    fmt_time(us, buf);
    ck_assert_str_eq(js(o, key), buf);
}

static void check_cert(const json_t *j, const ewdiag_cert *c)
{
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(js(j, "subject"), ewdiag_cert_subject(c));
    ck_assert_str_eq(js(j, "issuer"), ewdiag_cert_issuer(c));
    ck_assert_str_eq(js(j, "subject_cn"), ewdiag_cert_subject_cn(c));
    ck_assert_str_eq(js(j, "issuer_cn"), ewdiag_cert_issuer_cn(c));
    const json_t *dns = json_object_get(j, "san_dns"), *ips = json_object_get(j, "san_ip");
    ck_assert_uint_eq(json_array_size(dns), ewdiag_cert_san_dns_count(c));
    for (size_t i = 0; i < json_array_size(dns); i++)
        ck_assert_str_eq(json_string_value(json_array_get(dns, i)), ewdiag_cert_san_dns(c, i));
    ck_assert_uint_eq(json_array_size(ips), ewdiag_cert_san_ip_count(c));
    for (size_t i = 0; i < json_array_size(ips); i++)
        ck_assert_str_eq(json_string_value(json_array_get(ips, i)), ewdiag_cert_san_ip(c, i));
    ck_assert_str_eq(js(j, "serial"), ewdiag_cert_serial(c));
    eq_time(j, "not_before", ewdiag_cert_not_before(c));
    eq_time(j, "not_after", ewdiag_cert_not_after(c));
    ck_assert_int_eq(json_is_true(json_object_get(j, "self_signed")), ewdiag_cert_self_signed(c));
    ck_assert_int_eq(json_is_true(json_object_get(j, "is_ca")), ewdiag_cert_is_ca(c));
    ck_assert_str_eq(js(j, "key_type"), ewdiag_cert_key_type(c));
    ck_assert_int_eq(ji(j, "key_bits", -1), ewdiag_cert_key_bits(c));
    ck_assert_str_eq(js(j, "curve"), ewdiag_cert_curve(c));
    ck_assert_str_eq(js(j, "signature_algorithm"), ewdiag_cert_signature_algorithm(c));
    ck_assert_str_eq(js(j, "sha256"), ewdiag_cert_sha256(c));
    ck_assert_str_eq(js(j, "ski"), ewdiag_cert_ski(c));
    ck_assert_str_eq(js(j, "aki"), ewdiag_cert_aki(c));
}

static void check_certs(const json_t *arr, const ewdiag_chain *c)
{
    ck_assert_uint_eq(json_array_size(arr), ewdiag_chain_length(c));
    for (size_t i = 0; i < json_array_size(arr); i++)
        check_cert(json_array_get(arr, i), ewdiag_chain_cert(c, i));
    ck_assert_ptr_null(ewdiag_chain_cert(c, json_array_size(arr)));
}

static uint64_t timeline_total(const ewdiag_timeline *t)
{
    uint64_t n = 0;
    int64_t last = INT64_MIN;
    for (size_t i = 0; i < ewdiag_timeline_count(t); i++) {
        ck_assert_int_gt(ewdiag_timeline_time(t, i), last); /* in order, distinct */
        ck_assert_int_eq(ewdiag_timeline_time(t, i) % ewdiag_timeline_resolution(t), 0);
        last = ewdiag_timeline_time(t, i);
        n += ewdiag_timeline_weight(t, i);
    }
    return n;
}

static void check_server(const json_t *j, const ewdiag_tls_server *s)
{
    ck_assert_str_eq(js(j, "address"), ewdiag_tls_server_address(s));
    ck_assert_int_eq(ji(j, "port", -1), ewdiag_tls_server_port(s));
    ck_assert_int_eq(ji(j, "handshakes", -1), (long long)ewdiag_tls_server_handshakes(s));
    ck_assert_int_eq(ji(j, "certificate_messages", -1),
                     (long long)ewdiag_tls_server_handshakes_by(s, EWDIAG_CERT_PRESENT));
    const json_t *h = json_object_get(j, "hidden");
    ck_assert_int_eq(ji(h, "tls13", -1), (long long)ewdiag_tls_server_handshakes_by(s, EWDIAG_CERT_ENCRYPTED));
    ck_assert_int_eq(ji(h, "resumed", -1), (long long)ewdiag_tls_server_handshakes_by(s, EWDIAG_CERT_RESUMED));
    ck_assert_int_eq(ji(h, "cut", -1), (long long)ewdiag_tls_server_handshakes_by(s, EWDIAG_CERT_CUT));
    ck_assert_int_eq(ji(h, "unseen", -1), (long long)ewdiag_tls_server_handshakes_by(s, EWDIAG_CERT_UNSEEN));
    ck_assert_int_eq(ji(j, "alerts", -1), (long long)ewdiag_tls_server_alerts(s));
    const json_t *snis = json_object_get(j, "snis");
    ck_assert_uint_eq(json_array_size(snis), ewdiag_tls_server_sni_count(s));
    for (size_t i = 0; i < json_array_size(snis); i++)
        ck_assert_str_eq(json_string_value(json_array_get(snis, i)), ewdiag_tls_server_sni(s, i));
    const json_t *chains = json_object_get(j, "chains");
    ck_assert_uint_eq(json_array_size(chains), ewdiag_tls_server_chain_count(s));
    for (size_t i = 0; i < json_array_size(chains); i++) {
        const json_t *jc = json_array_get(chains, i);
        const ewdiag_chain *c = ewdiag_tls_server_chain(s, i);
        ck_assert_int_eq(ji(jc, "seen", -1), (long long)ewdiag_chain_seen(c));
        eq_time(jc, "first_seen", ewdiag_chain_first_seen(c));
        eq_time(jc, "last_seen", ewdiag_chain_last_seen(c));
        ck_assert_int_eq(json_is_true(json_object_get(jc, "cut")), ewdiag_chain_cut(c));
        ck_assert_str_eq(js(jc, "error"), ewdiag_chain_error(c));
        check_certs(json_object_get(jc, "certificates"), c);
    }
    ck_assert_uint_eq(timeline_total(ewdiag_tls_server_times(s)), ewdiag_tls_server_handshakes(s));
}

static void check_capture_view(const json_t *j, const ewdiag_finding *f)
{
    const json_t *tls = json_object_get(j, "tls");
    ck_assert_str_eq(js(tls, "capture"), ewdiag_finding_capture(f));
    eq_time(tls, "time", ewdiag_finding_tls_time(f));
    ck_assert_int_eq(ji(tls, "port", 0), ewdiag_finding_tls_port(f));
    ck_assert_str_eq(js(tls, "version"), ewdiag_finding_tls_version(f));
    ck_assert_str_eq(js(tls, "cipher"), ewdiag_finding_tls_cipher(f));
    ck_assert_str_eq(js(tls, "sni"), ewdiag_finding_tls_sni(f));
    ck_assert_str_eq(js(tls, "certificate"), ewdiag_finding_tls_certificate(f));
    const json_t *alert = json_object_get(tls, "alert");
    ck_assert_int_eq(ji(alert, "code", -1), ewdiag_finding_tls_alert(f));
    ck_assert_str_eq(js(alert, "name"), ewdiag_finding_tls_alert_name(f));
    ck_assert_int_eq(strcmp(js(alert, "by"), "client") == 0, ewdiag_finding_tls_alert_by_client(f));
    const json_t *cert = json_object_get(j, "certificate");
    ck_assert_int_eq(json_is_object(cert), ewdiag_finding_chain(f) != NULL);
    if (json_is_object(cert)) {
        ck_assert_int_eq(json_is_true(json_object_get(cert, "from_earlier_handshake")),
                         ewdiag_finding_chain_earlier(f));
        ck_assert_str_eq(js(cert, "name_checked"), ewdiag_finding_name_checked(f));
        ck_assert_str_eq(js(cert, "name_match"), ewdiag_finding_name_match(f));
        ck_assert_str_eq(js(cert, "error"), ewdiag_chain_error(ewdiag_finding_chain(f)));
        const json_t *chain = json_object_get(cert, "chain");
        check_certs(chain, ewdiag_finding_chain(f));
        ck_assert_uint_eq(json_array_size(chain), ewdiag_finding_chain_length(f));
        for (size_t i = 0; i < json_array_size(chain); i++) {
            ck_assert_str_eq(js(json_array_get(chain, i), "sha256"), ewdiag_finding_chain_sha256(f, i));
            ck_assert_str_eq(js(json_array_get(chain, i), "subject"), ewdiag_finding_chain_subject(f, i));
            ck_assert_str_eq(js(json_array_get(chain, i), "issuer"), ewdiag_finding_chain_issuer(f, i));
        }
    }
    const json_t *trust = json_object_get(j, "trust");
    int trusted = json_is_object(trust) ? json_is_true(json_object_get(trust, "trusted")) : -1;
    ck_assert_int_eq(trusted, ewdiag_finding_trusted(f));
    ck_assert_str_eq(js(trust, "store"), ewdiag_finding_trust_store(f));
    ck_assert_str_eq(js(trust, "error"), ewdiag_finding_trust_error(f));
    ck_assert_int_eq(ji(trust, "error_depth", -1), ewdiag_finding_trust_error_depth(f));
    ck_assert_str_eq(js(trust, "missing_issuer"), ewdiag_finding_missing_issuer(f));
}

static void check_strv(const json_t *arr, const ewdiag_finding *f,
                       size_t (*count)(const ewdiag_finding *),
                       const char *(*get)(const ewdiag_finding *, size_t))
{
    ck_assert_uint_eq(json_array_size(arr), count(f));
    for (size_t i = 0; i < json_array_size(arr); i++)
        ck_assert_str_eq(json_string_value(json_array_get(arr, i)), get(f, i));
    ck_assert_str_eq(get(f, json_array_size(arr)), "");
}

static void check_finding(const json_t *j, const ewdiag_finding *f)
{
    ck_assert_str_eq(js(j, "rule"), ewdiag_finding_rule(f));
    ck_assert_str_eq(js(j, "title"), ewdiag_finding_title(f));
    ck_assert_str_eq(js(j, "severity"), ewdiag_severity_name(ewdiag_finding_severity(f)));
    ck_assert_str_eq(js(j, "category"), ewdiag_finding_category(f));
    ck_assert_str_eq(js(j, "input"), ewdiag_finding_input(f));
    ck_assert_str_eq(js(j, "node"), ewdiag_finding_node(f));
    ck_assert_str_eq(js(j, "server"), ewdiag_finding_server(f));
    ck_assert_str_eq(js(j, "address"), ewdiag_finding_address(f));
    ck_assert_str_eq(js(j, "target"), ewdiag_finding_target(f));
    const json_t *enf = json_object_get(j, "enforced");
    ck_assert_int_eq(json_is_null(enf) ? -1 : json_is_true(enf), ewdiag_finding_enforced(f));
    ck_assert_int_eq(ji(j, "count", -1), (long long)ewdiag_finding_count(f));
    ck_assert_int_eq(ji(j, "requests", -1), (long long)ewdiag_finding_requests(f));
    eq_time(j, "first_seen", ewdiag_finding_first_seen(f));
    eq_time(j, "last_seen", ewdiag_finding_last_seen(f));
    ck_assert_str_eq(js(j, "error"), ewdiag_finding_error(f));
    ck_assert_int_eq(ji(j, "depth", -1), ewdiag_finding_depth(f));
    const json_t *variants = json_object_get(j, "variants");
    ck_assert_uint_eq(json_array_size(variants), ewdiag_finding_variant_count(f));
    for (size_t i = 0; i < json_array_size(variants); i++) {
        const json_t *v = json_array_get(variants, i);
        ck_assert_str_eq(js(v, "error"), ewdiag_finding_variant_error(f, i));
        ck_assert_int_eq(ji(v, "depth", -1), ewdiag_finding_variant_depth(f, i));
        ck_assert_int_eq(ji(v, "count", -1), (long long)ewdiag_finding_variant_events(f, i));
    }
    const json_t *ports = json_object_get(j, "ports");
    ck_assert_uint_eq(json_array_size(ports), ewdiag_finding_port_count(f));
    for (size_t i = 0; i < json_array_size(ports); i++)
        ck_assert_int_eq(json_integer_value(json_array_get(ports, i)), ewdiag_finding_port(f, i));
    const json_t *urls = json_object_get(j, "urls");
    ck_assert_uint_eq(json_array_size(urls), ewdiag_finding_url_count(f));
    for (size_t i = 0; i < json_array_size(urls); i++) {
        const json_t *u = json_array_get(urls, i), *m = json_object_get(u, "mra");
        ck_assert_str_eq(js(u, "url"), ewdiag_finding_url(f, i));
        char mra[1024] = "";
        if (json_is_object(m))
            snprintf(mra, sizeof mra, "%s/%s/%s/%s", js(m, "domain"), js(m, "protocol"),
                     js(m, "host"), js(m, "port"));
        ck_assert_str_eq(mra, ewdiag_finding_url_target(f, i));
    }
    ck_assert_str_eq(js(j, "description"), ewdiag_finding_description(f));
    ck_assert_str_eq(js(j, "condition"), ewdiag_finding_condition(f));
    ck_assert_str_eq(js(j, "workaround"), ewdiag_finding_workaround(f));
    check_strv(json_object_get(j, "explanations"), f, ewdiag_finding_explanation_count,
               ewdiag_finding_explanation);
    check_strv(json_object_get(j, "evidence"), f, ewdiag_finding_evidence_count, ewdiag_finding_evidence);
    check_strv(json_object_get(j, "related"), f, ewdiag_finding_related_count, ewdiag_finding_related);
    check_strv(json_object_get(j, "actions"), f, ewdiag_finding_action_count, ewdiag_finding_action);
    check_strv(json_object_get(j, "defects"), f, ewdiag_finding_defect_count, ewdiag_finding_defect);
    check_capture_view(j, f);
    /* Events with a time are on the timeline; failed requests on theirs. */
    ck_assert_uint_le(timeline_total(ewdiag_finding_event_times(f)), ewdiag_finding_count(f));
    /* A forecast is stated from the capture: no event of its own. */
    if (*ewdiag_finding_forecast_section(f))
        ck_assert_uint_eq(ewdiag_finding_count(f), 0);
    else
        ck_assert_uint_gt(timeline_total(ewdiag_finding_event_times(f)), 0);
    ck_assert_uint_le(timeline_total(ewdiag_finding_request_times(f)), ewdiag_finding_requests(f));
}

static void check_input(const json_t *j, const ewdiag_input *in)
{
    ck_assert_str_eq(js(j, "name"), ewdiag_input_name(in));
    ck_assert_str_eq(js(j, "status"), ewdiag_input_status_name(ewdiag_input_status_get(in)));
    ck_assert_str_eq(js(j, "error"), ewdiag_input_error(in));
    ck_assert_int_eq(ji(j, "bytes", -1), (long long)ewdiag_input_bytes(in));
    ck_assert_int_eq(ji(j, "captures", -1), (long long)ewdiag_input_capture_count(in));
    const json_t *nodes = json_object_get(j, "nodes");
    ck_assert_uint_eq(json_array_size(nodes), ewdiag_input_node_count(in));
    for (size_t i = 0; i < json_array_size(nodes); i++) {
        const json_t *n = json_array_get(nodes, i);
        ck_assert_str_eq(js(n, "name"), ewdiag_input_node(in, i));
        ck_assert_str_eq(js(n, "version"), ewdiag_input_node_version(in, i));
        ck_assert_str_eq(js(n, "verify_origin_server"), ewdiag_input_node_verify_origin(in, i));
    }
    const json_t *stores = json_object_get(j, "trust_stores");
    ck_assert_uint_eq(json_array_size(stores), ewdiag_input_trust_store_count(in));
    for (size_t i = 0; i < json_array_size(stores); i++) {
        const json_t *s = json_array_get(stores, i);
        ck_assert_str_eq(js(s, "node"), ewdiag_input_trust_store_node(in, i));
        ck_assert_str_eq(js(s, "path"), ewdiag_input_trust_store_path(in, i));
        ck_assert_int_eq(ji(s, "certificates", -1), (long long)ewdiag_input_trust_store_certificates(in, i));
    }
    const json_t *entries = json_object_get(j, "entries");
    ck_assert_uint_eq(json_array_size(entries), ewdiag_input_entry_count(in));
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const json_t *e = json_array_get(entries, i);
        const ewdiag_entry *x = ewdiag_input_entry(in, i);
        ck_assert_str_eq(js(e, "path"), ewdiag_entry_path(x));
        ck_assert_str_eq(js(e, "role"), ewdiag_entry_role(x));
        ck_assert_str_eq(js(e, "status"), ewdiag_entry_status(x));
        ck_assert_str_eq(js(e, "reason"), ewdiag_entry_reason(x));
        ck_assert_int_eq(ji(e, "size", -1), (long long)ewdiag_entry_size(x));
        ck_assert_int_eq(ji(e, "lines", -1), (long long)ewdiag_entry_lines(x));
    }
    ck_assert_ptr_null(ewdiag_input_entry(in, json_array_size(entries)));
    ck_assert_str_eq(ewdiag_input_node(in, json_array_size(nodes)), "");
}

/* The inventory is one array for all inputs in the JSON, in input order. */
static void check_servers(const json_t *servers, const ewdiag_report *r)
{
    size_t k = 0;
    for (size_t i = 0; i < ewdiag_report_input_count(r); i++) {
        const ewdiag_input *in = ewdiag_report_input(r, i);
        for (size_t s = 0; s < ewdiag_input_tls_server_count(in); s++, k++) {
            ck_assert_uint_lt(k, json_array_size(servers));
            ck_assert_str_eq(js(json_array_get(servers, k), "input"), ewdiag_input_name(in));
            check_server(json_array_get(servers, k), ewdiag_input_tls_server(in, s));
        }
        ck_assert_ptr_null(ewdiag_input_tls_server(in, ewdiag_input_tls_server_count(in)));
    }
    ck_assert_uint_eq(k, json_array_size(servers));
}

static void check_report(const ewdiag_report *r)
{
    char *text = ewdiag_report_serialize(r, EWDIAG_FORMAT_JSON, EWDIAG_WRITE_COMPACT, NULL);
    ck_assert_ptr_nonnull(text);
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    ck_assert_msg(j != NULL, "JSON: %s", err.text);
    const json_t *inputs = json_object_get(j, "inputs"), *findings = json_object_get(j, "findings");
    const json_t *warnings = json_object_get(j, "warnings");
    ck_assert_uint_eq(json_array_size(inputs), ewdiag_report_input_count(r));
    for (size_t i = 0; i < json_array_size(inputs); i++)
        check_input(json_array_get(inputs, i), ewdiag_report_input(r, i));
    ck_assert_uint_eq(json_array_size(findings), ewdiag_report_finding_count(r));
    for (size_t i = 0; i < json_array_size(findings); i++)
        check_finding(json_array_get(findings, i), ewdiag_report_finding(r, i));
    ck_assert_uint_eq(json_array_size(warnings), ewdiag_report_warning_count(r));
    for (size_t i = 0; i < json_array_size(warnings); i++) {
        const json_t *w = json_array_get(warnings, i);
        const ewdiag_warning *x = ewdiag_report_warning(r, i);
        ck_assert_str_eq(js(w, "input"), ewdiag_warning_input(x));
        ck_assert_str_eq(js(w, "entry"), ewdiag_warning_entry(x));
        ck_assert_str_eq(js(w, "code"), ewdiag_warning_code(x));
        ck_assert_str_eq(js(w, "message"), ewdiag_warning_message(x));
        ck_assert_int_eq(ji(w, "count", -1), (long long)ewdiag_warning_count(x));
    }
    check_servers(json_object_get(j, "tls_servers"), r);
    ck_assert_ptr_null(ewdiag_report_input(r, ewdiag_report_input_count(r)));
    ck_assert_ptr_null(ewdiag_report_finding(r, ewdiag_report_finding_count(r)));
    ck_assert_ptr_null(ewdiag_report_warning(r, ewdiag_report_warning_count(r)));
    json_decref(j);
    free(text);
}

static ewdiag_analyzer *new_analyzer(void)
{
    ewdiag_analyzer *a = ewdiag_analyzer_new();
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(ewdiag_analyzer_load_rules(a, ew_test_rules_dir()), EWDIAG_OK);
    return a;
}

START_TEST(test_getters_equal_json)
{
    ewdiag_analyzer *a = new_analyzer();
    ewdiag_report *r = ewdiag_report_new();
    ck_assert_ptr_nonnull(r);
    (void)ewdiag_analyze_path(a, r, fixtures[_i]);
    ck_assert_uint_eq(ewdiag_report_input_count(r), 1);
    check_report(r);
    ewdiag_report_free(r);
    ewdiag_analyzer_free(a);
}
END_TEST

/* A reader that gives at most `chunk` bytes a call, or fails at `fail_at`. */
typedef struct reader {
    int fd;
    size_t chunk;
    long long fail_at; /* -1: never */
    long long given;
} reader;

static long read_some(void *ctx, void *buf, size_t cap)
{
    reader *rd = ctx;
    size_t want = cap < rd->chunk ? cap : rd->chunk;
    if (rd->fail_at >= 0 && rd->given + (long long)want > rd->fail_at)
        want = (size_t)(rd->fail_at - rd->given);
    if (want == 0 && rd->fail_at >= 0)
        return -1;
    ssize_t n = read(rd->fd, buf, want);
    if (n > 0)
        rd->given += n;
    return (long)n;
}

static char *json_of_read(const char *path, size_t chunk, long long fail_at, int *rc, int threads)
{
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_int_eq(ewdiag_analyzer_set_option(a, "threads", threads == 1 ? "1" : "2"), EWDIAG_OK);
    ewdiag_report *r = ewdiag_report_new();
    reader rd = {open(path, O_RDONLY), chunk, fail_at, 0};
    ck_assert_int_ge(rd.fd, 0);
    *rc = ewdiag_analyze_read(a, r, read_some, &rd, path);
    close(rd.fd);
    char *out = ewdiag_report_serialize(r, EWDIAG_FORMAT_JSON, 0, NULL);
    ck_assert_ptr_nonnull(out);
    ewdiag_report_free(r);
    ewdiag_analyzer_free(a);
    return out;
}

/* Pulled through a callback a few bytes at a time, the report is the one
 * the path gives; a reader that fails gives a partial report that says so. */
START_TEST(test_analyze_read)
{
    const char *path = fixtures[2];
    ewdiag_analyzer *a = new_analyzer();
    ewdiag_report *r = ewdiag_report_new();
    ck_assert_int_eq(ewdiag_analyze_path(a, r, path), EWDIAG_OK);
    char *want = ewdiag_report_serialize(r, EWDIAG_FORMAT_JSON, 0, NULL);
    ewdiag_report_free(r);
    ewdiag_analyzer_free(a);
    int rc;
    char *got = json_of_read(path, 7, -1, &rc, _i);
    ck_assert_int_eq(rc, EWDIAG_OK);
    /* Only the input's size differs: a stream has none to report progress. */
    ck_assert_str_eq(got, want);
    free(got);
    got = json_of_read(path, 4096, 9000, &rc, _i);
    ck_assert_int_eq(rc, EWDIAG_OK);
    ck_assert_ptr_nonnull(strstr(got, "the input's reader failed after 9000 bytes"));
    ck_assert_ptr_nonnull(strstr(got, "\"status\": \"partial\""));
    free(got);
    free(want);
    ck_assert_int_eq(ewdiag_analyze_read(NULL, NULL, read_some, NULL, "x"), EWDIAG_EINVAL);
}
END_TEST

START_TEST(test_names)
{
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", EWDIAG_VERSION_MAJOR, EWDIAG_VERSION_MINOR,
             EWDIAG_VERSION_PATCH);
    ck_assert_str_eq(ewdiag_version(), v);
    ck_assert_uint_eq(ewdiag_version_number(), EWDIAG_VERSION_NUMBER);
    const int codes[] = {EWDIAG_OK, EWDIAG_EINVAL, EWDIAG_ENOMEM, EWDIAG_EIO, EWDIAG_EFORMAT,
                         EWDIAG_ELIMIT};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        ck_assert_str_ne(ewdiag_strerror(codes[i]), "unknown error");
        for (size_t k = 0; k < i; k++)
            ck_assert_str_ne(ewdiag_strerror(codes[i]), ewdiag_strerror(codes[k]));
    }
    ck_assert_str_eq(ewdiag_strerror(-99), "unknown error");
    ck_assert_str_eq(ewdiag_input_status_name((ewdiag_input_status)7), "unknown");
    ck_assert_str_eq(ewdiag_severity_name((ewdiag_severity)9), "unknown");
    ck_assert_uint_eq(ewdiag_chain_length(NULL), 0);
    ck_assert_str_eq(ewdiag_cert_subject(NULL), "");
    ck_assert_uint_eq(ewdiag_timeline_count(NULL), 0);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("contract");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_getters_equal_json, 0, (int)NFIX);
    tcase_add_loop_test(tc, test_analyze_read, 1, 3);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}
