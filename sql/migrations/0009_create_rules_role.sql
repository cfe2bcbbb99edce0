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

-- The rules refresh the planner's statistics of the scratch tables they fill (ANALYZE needs
-- ownership, which the role must not have: an owner could add triggers). Fixed list, no input.
CREATE FUNCTION misswitch_work.analyze_work() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
AS $$
BEGIN
    ANALYZE misswitch_work.account_person, misswitch_work.record_person, misswitch_work.comparison,
            misswitch_work.candidate, misswitch_work.decision, misswitch_work.duplicate;
END
$$;
REVOKE ALL ON FUNCTION misswitch_work.analyze_work() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION misswitch_work.analyze_work() TO misswitch_rules;

-- Runs one statement (or several, separated by semicolons) of rule-generated SQL as
-- misswitch_rules. The caller's transaction is kept: an error aborts the whole match.
CREATE FUNCTION misswitch_work.run_rules(statement text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
AS $$
BEGIN
    EXECUTE statement;
END
$$;
ALTER FUNCTION misswitch_work.run_rules(text) OWNER TO misswitch_rules;
REVOKE ALL ON FUNCTION misswitch_work.run_rules(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION misswitch_work.run_rules(text) TO CURRENT_USER;
