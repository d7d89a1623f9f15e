/* schema.c - the schema `ewdiag`, versioned: each migration runs once, in
 * order, in the transaction that records it, under an advisory lock that
 * makes concurrent `queue init`s wait for each other instead of racing. */
#include <stdlib.h>

#include "db_int.h"

/* The pg_advisory_xact_lock key of schema changes: a number of our own. */
#define SCHEMA_LOCK_KEY "111542487417153"

/* Version 1. Every job state change is one statement of lease.c. */
static const char migration_1[] =
    "CREATE SEQUENCE ewdiag.lease_seq;\n"
    "CREATE TABLE ewdiag.jobs (\n"
    "  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  case_id      text,\n"
    "  location     text NOT NULL,\n"
    "  size         bigint,\n"
    "  etag         text,\n"
    "  blob         oid,\n"
    "  again        boolean NOT NULL DEFAULT false,\n"
    "  state        text NOT NULL DEFAULT 'queued'\n"
    "               CHECK (state IN ('queued', 'running', 'done', 'dead')),\n"
    "  attempts     integer NOT NULL DEFAULT 0,\n"
    "  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),\n"
    "  lease        bigint,\n"
    "  worker       text,\n"
    "  lease_until  timestamptz,\n"
    "  heartbeat_at timestamptz,\n"
    "  not_before   timestamptz NOT NULL DEFAULT now(),\n"
    "  error        text,\n"
    "  submitted_at timestamptz NOT NULL DEFAULT now(),\n"
    "  started_at   timestamptz,\n"
    "  finished_at  timestamptz\n"
    ");\n"
    "CREATE UNIQUE INDEX jobs_once ON ewdiag.jobs\n"
    "  (coalesce(case_id, ''), location, coalesce(size, -1), coalesce(etag, ''))\n"
    "  WHERE NOT again;\n"
    "CREATE INDEX jobs_queued ON ewdiag.jobs (id) WHERE state = 'queued';\n"
    "CREATE INDEX jobs_running ON ewdiag.jobs (lease_until) WHERE state = 'running';\n"
    "CREATE INDEX jobs_case ON ewdiag.jobs (case_id);\n"
    "CREATE TABLE ewdiag.results (\n"
    "  job_id      bigint PRIMARY KEY REFERENCES ewdiag.jobs (id) ON DELETE CASCADE,\n"
    "  input       text NOT NULL,\n"
    "  report      jsonb NOT NULL,\n"
    "  finished_at timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "CREATE INDEX results_report ON ewdiag.results USING gin (report jsonb_path_ops);\n"
    "CREATE TABLE ewdiag.renderings (\n"
    "  job_id bigint NOT NULL REFERENCES ewdiag.results (job_id) ON DELETE CASCADE,\n"
    "  format text NOT NULL,\n"
    "  body   text NOT NULL,\n"
    "  PRIMARY KEY (job_id, format)\n"
    ");\n"
    "CREATE TABLE ewdiag.workers (\n"
    "  name       text PRIMARY KEY,\n"
    "  host       text NOT NULL,\n"
    "  pid        integer NOT NULL,\n"
    "  slots      integer NOT NULL,\n"
    "  running    integer NOT NULL DEFAULT 0,\n"
    "  done       bigint NOT NULL DEFAULT 0,\n"
    "  failed     bigint NOT NULL DEFAULT 0,\n"
    "  stopping   boolean NOT NULL DEFAULT false,\n"
    "  started_at timestamptz NOT NULL DEFAULT now(),\n"
    "  seen_at    timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "CREATE VIEW ewdiag.findings AS\n"
    "SELECT r.job_id, j.case_id, r.input,\n"
    "       f.value ->> 'node' AS node,\n"
    "       f.value ->> 'rule' AS rule,\n"
    "       f.value ->> 'severity' AS severity,\n"
    "       f.value ->> 'server' AS server,\n"
    "       f.value ->> 'address' AS address,\n"
    "       (f.value ->> 'count')::bigint AS count,\n"
    "       (f.value ->> 'requests')::bigint AS requests,\n"
    "       (f.value ->> 'enforced')::boolean AS enforced,\n"
    "       (f.value ->> 'first_seen')::timestamptz AS first_seen,\n"
    "       (f.value ->> 'last_seen')::timestamptz AS last_seen,\n"
    "       ARRAY(SELECT jsonb_array_elements_text(f.value -> 'defects')) AS defects,\n"
    "       (SELECT n ->> 'version'\n"
    "          FROM jsonb_array_elements(r.report -> 'inputs') AS i,\n"
    "               jsonb_array_elements(i -> 'nodes') AS n\n"
    "         WHERE n ->> 'name' = f.value ->> 'node' LIMIT 1) AS software,\n"
    "       r.finished_at,\n"
    "       f.value AS finding\n"
    "  FROM ewdiag.results r\n"
    "  JOIN ewdiag.jobs j ON j.id = r.job_id\n"
    " CROSS JOIN LATERAL jsonb_array_elements(r.report -> 'findings') AS f(value);\n"
    "CREATE FUNCTION ewdiag.drop_blob() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF EXISTS (SELECT 1 FROM pg_largeobject_metadata WHERE oid = OLD.blob) THEN\n"
    "    PERFORM lo_unlink(OLD.blob);\n"
    "  END IF;\n"
    "  RETURN OLD;\n"
    "END $$;\n"
    "CREATE TRIGGER jobs_drop_blob AFTER DELETE ON ewdiag.jobs FOR EACH ROW\n"
    "  WHEN (OLD.blob IS NOT NULL) EXECUTE FUNCTION ewdiag.drop_blob();\n"
    /* Storing a report compresses it four times (report, json, text, html):
     * lz4 does it in a third of pglz's time, where the server has it. */
    "DO $$ BEGIN\n"
    "  EXECUTE 'ALTER TABLE ewdiag.results ALTER report SET COMPRESSION lz4';\n"
    "  EXECUTE 'ALTER TABLE ewdiag.renderings ALTER body SET COMPRESSION lz4';\n"
    "EXCEPTION WHEN OTHERS THEN NULL;\n"
    "END $$;\n";

static const char *const migrations[EWQ_SCHEMA_VERSION] = {migration_1};

/* A script of several statements, no parameters (PQexec). */
static int exec_script(ewq_db *db, const char *sql)
{
    PGresult *r = PQexec(db->conn, sql);
    int rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? EWQ_OK : EWQ_EDB;
    if (rc != EWQ_OK)
        ewq_fail_result(db, r);
    PQclear(r);
    return rc;
}

/* The version recorded, 0 when there is no schema; -1 on error. */
static int schema_version(ewq_db *db)
{
    PGresult *r = ewq_query(db,
                            "SELECT CASE WHEN to_regclass('ewdiag.schema_version') IS NULL"
                            " THEN 0 ELSE -1 END",
                            0, NULL, PGRES_TUPLES_OK);
    if (!r)
        return -1;
    int none = ewq_col_i64(r, 0, 0) == 0;
    PQclear(r);
    if (none)
        return 0;
    r = ewq_query(db, "SELECT coalesce(max(version), 0) FROM ewdiag.schema_version", 0, NULL,
                  PGRES_TUPLES_OK);
    if (!r)
        return -1;
    int v = (int)ewq_col_i64(r, 0, 0);
    PQclear(r);
    return v;
}

static int migrate(ewq_db *db, int from)
{
    for (int v = from + 1; v <= EWQ_SCHEMA_VERSION; v++) {
        char num[EWQ_NUM_MAX];
        const char *p[] = {ewq_i64(num, v)};
        if (exec_script(db, migrations[v - 1]) != EWQ_OK ||
            ewq_exec(db, "INSERT INTO ewdiag.schema_version (version) VALUES ($1)", 1, p) !=
                EWQ_OK)
            return EWQ_EDB;
    }
    return EWQ_OK;
}

static int init_locked(ewq_db *db, int *from)
{
    const char *key[] = {SCHEMA_LOCK_KEY};
    PGresult *r = ewq_query(db, "SELECT pg_advisory_xact_lock($1::bigint)", 1, key,
                            PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    PQclear(r);
    if (exec_script(db, "CREATE SCHEMA IF NOT EXISTS ewdiag;\n"
                        "CREATE TABLE IF NOT EXISTS ewdiag.schema_version (\n"
                        "  version    integer PRIMARY KEY,\n"
                        "  applied_at timestamptz NOT NULL DEFAULT now(),\n"
                        "  applied_by text NOT NULL DEFAULT current_user)") != EWQ_OK)
        return EWQ_EDB;
    int v = schema_version(db);
    if (v < 0)
        return EWQ_EDB;
    *from = v;
    if (v > EWQ_SCHEMA_VERSION)
        return ewq_fail(db, EWQ_ESCHEMA,
                        "the database's ewdiag schema is version %d, newer than this ewdiag "
                        "knows (%d): upgrade ewdiag",
                        v, EWQ_SCHEMA_VERSION);
    return migrate(db, v);
}

int ewq_schema_init(ewq_db *db, int *from)
{
    int dummy;
    if (!from)
        from = &dummy;
    *from = 0;
    if (ewq_exec(db, "BEGIN", 0, NULL) != EWQ_OK)
        return EWQ_EDB;
    int rc = init_locked(db, from);
    if (rc == EWQ_OK)
        return ewq_exec(db, "COMMIT", 0, NULL);
    char keep[EWQ_ERR_MAX];
    snprintf(keep, sizeof keep, "%s", db->err);
    ewq_exec(db, "ROLLBACK", 0, NULL); /* the first error is the one to tell */
    ewq_fail(db, rc, "%s", keep);
    return rc;
}

int ewq_schema_check(ewq_db *db)
{
    int v = schema_version(db);
    if (v < 0)
        return EWQ_EDB;
    if (v == EWQ_SCHEMA_VERSION)
        return EWQ_OK;
    if (v == 0)
        return ewq_fail(db, EWQ_ESCHEMA,
                        "the database has no ewdiag schema: run 'ewdiag queue init' first");
    if (v < EWQ_SCHEMA_VERSION)
        return ewq_fail(db, EWQ_ESCHEMA,
                        "the database's ewdiag schema is version %d, this ewdiag needs %d: run "
                        "'ewdiag queue init' to upgrade it",
                        v, EWQ_SCHEMA_VERSION);
    return ewq_fail(db, EWQ_ESCHEMA,
                    "the database's ewdiag schema is version %d, newer than this ewdiag "
                    "knows (%d): upgrade ewdiag",
                    v, EWQ_SCHEMA_VERSION);
}
