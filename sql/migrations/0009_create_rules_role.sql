-- 0009: the boundary between rules and the platform. The SQL that rules generate runs through
-- misswitch_work.run_rules, a SECURITY DEFINER function owned by misswitch_rules: a NOLOGIN role
-- that may read staging and the work schema and write only the work schema. A plain SET ROLE
-- would be no boundary (RESET ROLE undoes it); inside a SECURITY DEFINER function SET ROLE and
-- SET SESSION AUTHORIZATION are refused, so the rules' SQL cannot leave the role.

-- Roles are cluster-wide: another database of this cluster may already have made it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'misswitch_rules') THEN
        CREATE ROLE misswitch_rules NOLOGIN;
    END IF;
    -- Whoever installs the schema must be able to hand objects to the role (a superuser can).
    IF NOT pg_catalog.pg_has_role(CURRENT_USER, 'misswitch_rules', 'MEMBER') THEN
        EXECUTE pg_catalog.format('GRANT misswitch_rules TO %I', CURRENT_USER);
    END IF;
END
$$;
COMMENT ON ROLE misswitch_rules IS 'misswitch: runs rule-generated SQL; reads staging, writes misswitch_work only';

GRANT USAGE ON SCHEMA misswitch_staging, misswitch_work, misswitch_ext TO misswitch_rules;
GRANT SELECT ON ALL TABLES IN SCHEMA misswitch_staging TO misswitch_rules;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA misswitch_work TO misswitch_rules;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA misswitch_work, misswitch_ext TO misswitch_rules;
ALTER DEFAULT PRIVILEGES IN SCHEMA misswitch_work
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO misswitch_rules;
ALTER DEFAULT PRIVILEGES IN SCHEMA misswitch_staging GRANT SELECT ON TABLES TO misswitch_rules;
-- No CREATE on any schema: a rule cannot plant a function or table for someone else to run.
REVOKE CREATE ON SCHEMA misswitch_work FROM misswitch_rules;

-- The work tables are scratch space the rules refill on every match: TRUNCATE is what
-- starts them afresh (DELETE would leave every earlier run's rows dead in the same transaction,
-- for every later scan and ANALYZE to wade through).
GRANT TRUNCATE ON misswitch_work.decision, misswitch_work.duplicate, misswitch_work.match_run,
      misswitch_work.name_form, misswitch_work.account_person, misswitch_work.record_person,
      misswitch_work.comparison, misswitch_work.field_weight, misswitch_work.candidate
   TO misswitch_rules;

-- The rules refresh the planner's statistics of the scratch tables they fill (ANALYZE needs
-- ownership, which the role must not have: an owner could add triggers). The whole match is one
-- transaction, so without this the planner sees the tables as the previous run left them (or
-- empty) and picks nested loops over hundreds of thousands of rows. Only the named tables (all
-- of them when none is named), from a fixed list: nothing else is accepted.
CREATE FUNCTION misswitch_work.analyze_work(VARIADIC tables text[] DEFAULT '{}') RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
AS $$
DECLARE
    known CONSTANT text[] := ARRAY['name_form', 'account_person', 'record_person', 'comparison',
                                   'candidate', 'decision', 'duplicate'];
    t text;
BEGIN
    FOREACH t IN ARRAY CASE WHEN cardinality(tables) = 0 THEN known ELSE tables END LOOP
        IF NOT t = ANY (known) THEN
            RAISE EXCEPTION 'analyze_work: % is not a work table it refreshes', t
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE format('ANALYZE misswitch_work.%I', t);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION misswitch_work.analyze_work(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION misswitch_work.analyze_work(text[]) TO misswitch_rules;

-- Runs one statement (or several, separated by semicolons) of rule-generated SQL as
-- misswitch_rules. The caller's transaction is kept: an error aborts the whole match.
-- Planner settings for rule SQL, which joins whole work tables filled moments earlier in the
-- same transaction:
-- * enable_nestloop off: composite keys such as (load_id, mis_id) make the planner estimate one
--   row where there are 400 000, and a nested loop over them was the 20 s and 400 s passes at
--   100 k pupils. Every pass is a bulk join: hash and merge joins are linear whatever the
--   estimate. (LATERAL function calls such as jsonb_each still run per row, as they must.)
-- * jit off: the statements are large and their estimates high; compiling them took longer
--   than running them (1.6 s of JIT for a 0.5 s insert).
-- * work_mem: the hashes and sorts of a trust's persons stay in memory instead of spilling.
CREATE FUNCTION misswitch_work.run_rules(statement text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog SET enable_nestloop = off SET jit = off SET work_mem = '128MB'
AS $$
BEGIN
    EXECUTE statement;
END
$$;
ALTER FUNCTION misswitch_work.run_rules(text) OWNER TO misswitch_rules;
REVOKE ALL ON FUNCTION misswitch_work.run_rules(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION misswitch_work.run_rules(text) TO CURRENT_USER;
