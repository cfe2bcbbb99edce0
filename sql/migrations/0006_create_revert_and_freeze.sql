-- 0006: revert (a run's journal played backwards, under guards) and the importer freeze, which
-- is itself a journaled run: `thaw` is the revert of the freeze run.

-- The key columns of a journaled table, from the row_key the journal recorded.
CREATE FUNCTION misswitch.journal_key_match(target_run bigint, table_name text, target_alias text,
                                            source_alias text)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT pg_catalog.string_agg(pg_catalog.format('%I.%I = %I.%I', target_alias, k, source_alias, k),
                                 ' AND ' ORDER BY k)
      FROM (SELECT DISTINCT pg_catalog.jsonb_object_keys(j.row_key) AS k
              FROM misswitch.journal j
             WHERE j.run_id = target_run AND j.table_name = journal_key_match.table_name) keys
$$;

/*
 * Plays run `target_run` backwards: UPDATEs restore the old row, INSERTs are deleted, DELETEs
 * re-inserted, step by step in reverse order, one set-based statement per (step, table,
 * operation). Guards: each row's latest journaled state must be what the table holds now;
 * otherwise nothing is changed and the rows are listed (MSCNF). Marks the run reverted.
 */
CREATE FUNCTION misswitch.revert_run(target_run bigint)
RETURNS TABLE (step text, table_name text, operation text, rows bigint)
LANGUAGE plpgsql
AS $$
DECLARE
    run_row   misswitch.run%ROWTYPE;
    t         record;
    g         record;
    key_match text;
    columns   text;
    conflicts bigint := 0;
    found_n   bigint;
    listing   text := '';
    part      text;
    changed   bigint;
BEGIN
    IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('misswitch')) THEN
        RAISE EXCEPTION 'another misswitch run holds database %', pg_catalog.current_database()
              USING ERRCODE = 'MSREF', HINT = 'wait for it to finish, then run again';
    END IF;
    PERFORM pg_catalog.set_config('TimeZone', 'UTC', true);
    SELECT * INTO run_row FROM misswitch.run r WHERE r.run_id = target_run FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'run % does not exist in this database', target_run USING ERRCODE = 'MSREF';
    ELSIF run_row.status <> 'applied' THEN
        RAISE EXCEPTION 'run % is %, not applied: nothing to revert', target_run, run_row.status
              USING ERRCODE = 'MSREF';
    END IF;

    -- Guards first, for every table: the latest journaled state of each row is what is there now.
    FOR t IN SELECT DISTINCT j.table_name FROM misswitch.journal j WHERE j.run_id = target_run LOOP
        key_match := misswitch.journal_key_match(target_run, t.table_name, 'cur', 'k');
        EXECUTE pg_catalog.format(
            'SELECT count(*), string_agg(pg_catalog.format(%L, j.table_name, j.row_key), E''\n'')
               FROM (SELECT DISTINCT ON (j.row_key) j.* FROM misswitch.journal j
                      WHERE j.run_id = $1 AND j.table_name = $2
                      ORDER BY j.row_key, j.journal_id DESC) j
               CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::%s, j.row_key) k
               LEFT JOIN %s cur ON %s
              WHERE CASE WHEN j.operation = ''DELETE'' THEN cur.ctid IS NOT NULL
                         ELSE cur.ctid IS NULL OR pg_catalog.to_jsonb(cur) <> pg_catalog.to_jsonb(
                              pg_catalog.jsonb_populate_record(NULL::%s, j.new_row)) END',
            '%s %s changed since the run', t.table_name, t.table_name, key_match, t.table_name)
        INTO found_n, part
        USING target_run, t.table_name;
        IF found_n > 0 THEN
            conflicts := conflicts + found_n;
            listing := listing || part || E'\n';
        END IF;
    END LOOP;
    IF conflicts > 0 THEN
        RAISE EXCEPTION '% row(s) changed since run %; nothing was reverted', conflicts, target_run
              USING ERRCODE = 'MSCNF', DETAIL = pg_catalog.left(listing, 4000),
                    HINT = 'compare the rows with the journal (misswitch.journal) and resolve them by hand';
    END IF;

    -- Then the changes, newest step first.
    FOR g IN SELECT j.step, j.table_name, j.operation, count(*) AS n, max(j.journal_id) AS last
               FROM misswitch.journal j WHERE j.run_id = target_run
              GROUP BY j.step, j.table_name, j.operation ORDER BY last DESC LOOP
        key_match := misswitch.journal_key_match(target_run, g.table_name, 'cur', 'k');
        IF g.operation = 'UPDATE' THEN
            SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
              INTO columns
              FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = g.table_name::regclass AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attgenerated = '';
            EXECUTE pg_catalog.format(
                'UPDATE %s cur SET (%s) = (SELECT %s FROM pg_catalog.jsonb_populate_record(NULL::%s, j.old_row))
                   FROM misswitch.journal j
                   CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::%s, j.row_key) k
                  WHERE j.run_id = $1 AND j.step = $2 AND j.table_name = $3 AND j.operation = ''UPDATE''
                    AND %s
                    AND pg_catalog.to_jsonb(cur) = pg_catalog.to_jsonb(pg_catalog.jsonb_populate_record(NULL::%s, j.new_row))',
                g.table_name, columns, columns, g.table_name, g.table_name, key_match, g.table_name)
            USING target_run, g.step, g.table_name;
        ELSIF g.operation = 'INSERT' THEN
            EXECUTE pg_catalog.format(
                'DELETE FROM %s cur USING misswitch.journal j
                  CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::%s, j.row_key) k
                  WHERE j.run_id = $1 AND j.step = $2 AND j.table_name = $3 AND j.operation = ''INSERT''
                    AND %s
                    AND pg_catalog.to_jsonb(cur) = pg_catalog.to_jsonb(pg_catalog.jsonb_populate_record(NULL::%s, j.new_row))',
                g.table_name, g.table_name, key_match, g.table_name)
            USING target_run, g.step, g.table_name;
        ELSE
            EXECUTE pg_catalog.format(
                'INSERT INTO %s OVERRIDING SYSTEM VALUE
                 SELECT (pg_catalog.jsonb_populate_record(NULL::%s, j.old_row)).*
                   FROM misswitch.journal j
                  WHERE j.run_id = $1 AND j.step = $2 AND j.table_name = $3 AND j.operation = ''DELETE''
                  ORDER BY j.journal_id',
                g.table_name, g.table_name)
            USING target_run, g.step, g.table_name;
        END IF;
        GET DIAGNOSTICS changed = ROW_COUNT;
        IF changed <> g.n THEN
            RAISE EXCEPTION 'reverting step % of run % changed % of % row(s) in %; nothing was reverted',
                  g.step, target_run, changed, g.n, g.table_name USING ERRCODE = 'MSCNF';
        END IF;
        step := g.step; table_name := g.table_name; operation := g.operation; rows := changed;
        RETURN NEXT;
    END LOOP;

    UPDATE misswitch.run SET status = 'reverted', reverted_at = pg_catalog.clock_timestamp()
     WHERE run_id = target_run;
END
$$;

-- The freeze run in force, if any.
CREATE FUNCTION misswitch.active_freeze() RETURNS bigint
LANGUAGE sql STABLE
AS $$
    SELECT max(r.run_id) FROM misswitch.run r WHERE r.kind = 'freeze' AND r.status = 'applied'
$$;

-- Starts a freeze run (one at a time), like run_begin for a plan.
CREATE FUNCTION misswitch.freeze_begin() RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    previous bigint := misswitch.active_freeze();
    created  bigint;
BEGIN
    IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('misswitch')) THEN
        RAISE EXCEPTION 'another misswitch run holds database %', pg_catalog.current_database()
              USING ERRCODE = 'MSREF', HINT = 'wait for it to finish, then run again';
    END IF;
    IF previous IS NOT NULL THEN
        RAISE EXCEPTION 'the importer is already frozen (run %)', previous
              USING ERRCODE = 'MSREF', HINT = 'misswitch thaw restores it';
    END IF;
    INSERT INTO misswitch.run (kind, plan_hash, status) VALUES ('freeze', 'freeze', 'applying')
    RETURNING run_id INTO created;
    PERFORM pg_catalog.set_config('misswitch.run_id', created::text, true);
    PERFORM pg_catalog.set_config('TimeZone', 'UTC', true);
    RETURN created;
END
$$;

CREATE FUNCTION misswitch.freeze_finish() RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    this_run bigint := misswitch.current_run();
BEGIN
    UPDATE misswitch.run
       SET status = 'applied', finished_at = pg_catalog.clock_timestamp(),
           summary = pg_catalog.jsonb_build_object('freeze',
                     (SELECT count(*) FROM misswitch.journal j WHERE j.run_id = this_run))
     WHERE run_id = this_run;
    RETURN this_run;
END
$$;

-- plan.sql stops unless the platform's importer is frozen: `unfrozen` counts the importer rows
-- the profile's predicate says are still live.
CREATE FUNCTION misswitch.require_frozen(unfrozen bigint) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF unfrozen > 0 THEN
        RAISE EXCEPTION 'the platform''s importer is not frozen (% schedule(s) still active)', unfrozen
              USING ERRCODE = 'MSREF',
                    HINT = 'run misswitch freeze on live before the snapshot the plan is made from';
    END IF;
END
$$;
