/* limits.h - every limit and default of the analysis, with its option name. */
#ifndef EW_LIMITS_H
#define EW_LIMITS_H

#include <stdint.h>

/* option "evidence": raw lines kept per finding (and as many related lines) */
#define EW_DEF_EVIDENCE 5
#define EW_MAX_EVIDENCE 1000
/* option "max-line": longest line kept; longer lines are cut and counted */
#define EW_DEF_MAX_LINE (1024u * 1024u)
/* option "max-depth": archives opened inside archives */
#define EW_DEF_MAX_DEPTH 4
/* option "max-entries": entries read per input */
#define EW_DEF_MAX_ENTRIES 100000
/* option "max-bytes": decompressed bytes read per input */
#define EW_DEF_MAX_BYTES (UINT64_C(64) << 30)
/* option "max-ratio": decompressed/compressed bytes before an input is a
 * bomb; 0 (the default): no such check, a bomb only costs time and
 * max-bytes bounds it */
#define EW_DEF_MAX_RATIO 0
/* option "max-findings": findings (groups) kept per input; the failure
 * lines of others are counted */
#define EW_DEF_MAX_FINDINGS 10000
/* option "max-evidence-bytes": evidence and related lines kept per input,
 * all findings together */
#define EW_DEF_MAX_EVIDENCE_BYTES (32u * 1024u * 1024u)
/* option "max-nodes": nodes listed per input */
#define EW_DEF_MAX_NODES 1024
/* option "max-tls-servers": TLS servers (address, port) of the captures
 * kept per input */
#define EW_DEF_MAX_TLS_SERVERS 16384
/* option "max-chain-bytes": certificates (DER) of the distinct chains kept
 * per input */
#define EW_DEF_MAX_CHAIN_BYTES (32u * 1024u * 1024u)
/* option "attach-window": seconds between a failure and what is attached to it */
#define EW_DEF_ATTACH_WINDOW_S 5
/* options "match-limit" and "depth-limit": PCRE2 limits per line */
#define EW_DEF_MATCH_LIMIT 100000
#define EW_DEF_DEPTH_LIMIT 1000

/* option "threads": threads one analysis uses; the second inflates gzip
 * while the first scans */
#define EW_DEF_THREADS 2
#define EW_MAX_THREADS 2
/* option "max-handshakes": TLS handshakes remembered per input to join
 * them to findings (the inventory counts them all) */
#define EW_DEF_MAX_HANDSHAKES 200000
/* option "max-flows": TCP connections tracked at once */
#define EW_DEF_MAX_FLOWS 4096
/* option "max-flow-bytes": bytes kept per direction of a connection */
#define EW_DEF_MAX_FLOW_BYTES (256u * 1024u)
/* option "max-handshake": largest TLS handshake message read */
#define EW_DEF_MAX_HANDSHAKE (128u * 1024u)
/* option "max-chain": certificates kept per chain */
#define EW_DEF_MAX_CHAIN 10
/* option "max-der": largest certificate read */
#define EW_DEF_MAX_DER (64u * 1024u)
/* the trust store file read at most */
#define EW_MAX_TRUST_FILE (4u << 20)
/* option "capture-window": seconds around a failure in which a handshake
 * to the same server is taken as the one that failed */
#define EW_DEF_CAPTURE_WINDOW_S 2

/* Fixed bounds of the model (not options). */
#define EW_MAX_SNIS 16          /* distinct SNI values remembered per server */
#define EW_MAX_EXPLANATIONS 16  /* distinct explanation texts per finding */
#define EW_MAX_VARIANTS 8       /* distinct (error, depth) pairs per finding */
#define EW_MAX_PORTS 16         /* distinct destination ports per finding */
#define EW_MAX_URLS 8           /* distinct request URLs per finding */
#define EW_TXN_SLOTS 4096       /* transactions remembered per log (direct-mapped) */

#endif /* EW_LIMITS_H */
