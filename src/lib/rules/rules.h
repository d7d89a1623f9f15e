/* rules.h - rule files (JSON) -> compiled rules (PCRE2 JIT + literal). */
#ifndef EW_RULES_H
#define EW_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/ew.h"
#include "rules/texts.h"

typedef enum ew_rule_kind {
    EW_RULE_FINDING,
    EW_RULE_EVIDENCE,
    EW_RULE_TRANSACTION,
    EW_RULE_FORECAST /* no pattern: stated by the analysis (analysis/forecast.c) */
} ew_rule_kind;

/* A forecast rule's fixes, taken from the failure rule of that check
 * ("untrusted", "name"). */
#define EW_MAX_FIXES_FROM 4
typedef struct ew_fix_ref {
    char *check;
    char *rule;
} ew_fix_ref;

/* Named groups the engine gives a meaning to (docs/rules.md). */
typedef enum ew_field {
    EW_F_TARGET,
    EW_F_SERVER,
    EW_F_ADDRESS,
    EW_F_ACTION,
    EW_F_ERROR,
    EW_F_DEPTH,
    EW_F_TXN,
    EW_F_URL,
    EW_F_DST_IP,
    EW_F_DST_PORT,
    EW_F_STATUS,
    EW_F_COUNT
} ew_field;

const char *ew_field_name(ew_field f);

typedef enum ew_op {
    EW_OP_ALWAYS,
    EW_OP_EQ,
    EW_OP_NE,
    EW_OP_GT,
    EW_OP_LT,
    EW_OP_CONTAINS,
    EW_OP_ICONTAINS
} ew_op;

typedef struct ew_explain {
    uint32_t group; /* capture number tested; 0 with EW_OP_ALWAYS */
    ew_op op;
    char *value;
    long long ivalue; /* value as an integer, for gt/lt */
    char *text;       /* may hold {name} placeholders */
} ew_explain;

/* group_by keys that are not capture groups. */
#define EW_KEY_NODE 0u      /* the node (host) the line came from */
#define EW_KEY_ENFORCED (~0u) /* whether the action was enforced */

typedef struct ew_rule {
    char *file; /* where it was loaded from, for messages */
    char *id;
    char *title;
    char *category;
    char *program;
    char *literal;
    size_t literal_len;
    char *pattern;
    char *description;
    char *condition;
    char *workaround;
    ew_rule_kind kind;
    int severity;            /* ewdiag_severity */
    int unenforced_severity; /* when action is Continue */
    int expired_severity;    /* forecast: when the certificate has expired */
    ew_fix_ref fixes_from[EW_MAX_FIXES_FROM];
    size_t nfixes_from;
    char **defects;
    size_t ndefects;
    char **actions;
    size_t nactions;
    ew_explain *explain;
    size_t nexplain;
    uint32_t *group_by; /* capture numbers, or EW_KEY_* */
    size_t ngroup_by;
    uint32_t attach_group; /* evidence: capture number compared to findings */
    uint32_t field[EW_F_COUNT]; /* capture number of each well-known field; 0 = none */
    char **group_names; /* group_names[n]: name of capture n (NULL if unnamed) */
    uint32_t ngroups;   /* capture groups, not counting group 0 */
    pcre2_code *code;
    bool lead_literal; /* every match starts with the literal (lead.c) */
    bool jit;          /* compiled to machine code: pcre2_jit_match() may run it */
} ew_rule;

typedef struct ew_ruleset {
    ew_rule *rules;
    size_t n;
    size_t cap;
    uint32_t max_groups; /* most capture groups of any rule */
    ew_texts *texts;     /* the explanation catalog a rule file gave; NULL: none */
} ew_ruleset;

/*
 * Loads a rule file, or every *.json file of a directory in name order,
 * and appends the rules to rs; a file holding an explanation catalog
 * ({"explanations": [...]}) replaces rs's catalog. All or nothing: on error rs is as before and
 * err names the file, the rule and the place.
 */
int ew_rules_load(ew_ruleset *rs, const char *path, ew_err *err);
void ew_rules_free(ew_ruleset *rs);

/* The rule of that id in rs; NULL if none. */
const ew_rule *ew_rules_find(const ew_ruleset *rs, const char *id);

/* Capture number of a named group of r, 0 if it has none of that name. */
/* Whether every match of pattern starts with lit[0..n): the pattern opens
 * with lit's text, unquantified, and has no alternative at its top level.
 * Such a pattern can be run from where the literal first occurs (lead.c). */
bool ew_pattern_leads_with(const char *pattern, const char *lit, size_t n);

uint32_t ew_rule_group(const ew_rule *r, const char *name);

#endif /* EW_RULES_H */
