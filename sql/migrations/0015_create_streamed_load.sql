-- 0015: the streamed load of native extracts (docs/loader.md, "design b"). `load extract` of a
-- native file opens one connection per staging table; each streams its rows with COPY, while the
-- file is parsed, into a fresh "pending" table created in the COPY's own transaction. Nothing is
-- visible to readers until the loader's control connection publishes the file in one short
-- transaction: checks, the earlier load replaced, the pending tables attached as the file's
-- partitions. The rows are written once (0003's path writes them to a wide temp table, then again
-- to the partitions); the checks and index builds of 0003 stay, on the pending tables.
--
-- Atomicity: a pending table appears (commits) only after the whole file was read without error,
-- and is dropped by the loader when a later step fails. A loader killed between those commits and
-- the publish leaves pending tables behind: extract_pending registers each with its load's token,
-- the loader holds an advisory lock on the token for as long as it runs, and every load sweeps
-- the tables whose token nobody holds any more.
--
-- CTF and IMS files still take 0003's path: their rows are reshaped server-side from the whole
-- file (an IMS person's kind comes from memberships read later, a CTF contact's address from its
-- pupil), so they cannot be split into the final tables while they stream.

CREATE SEQUENCE misswitch_staging.extract_pending_token AS integer CYCLE;

CREATE TABLE misswitch_staging.extract_pending (
    relname    name        PRIMARY KEY,   -- a table in misswitch_staging
    token      integer     NOT NULL,      -- the load that owns it (its advisory lock)
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE misswitch_staging.extract_pending IS
    'misswitch: tables a running `load extract` streams into before it publishes them';

-- The advisory lock class of pending loads (two-key form: class, token).
CREATE FUNCTION misswitch.extract_pending_class() RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $fn$
    SELECT 1297305675  -- 'MSPK'
$fn$;

-- The tables a streamed load fills, and the meta table (school sections and findings).
CREATE FUNCTION misswitch.extract_pending_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $fn$
    SELECT ARRAY['extract_pupil', 'extract_staff', 'extract_contact', 'extract_relationship',
                 'extract_group', 'extract_membership', 'extract_meta']
$fn$;

-- Control connection, last (also after a failure): drops whatever of the token's tables is left
-- and lets the token go. Returns how many tables it dropped.
CREATE FUNCTION misswitch.extract_pending_close(p_token integer) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_table name;
    v_dropped integer := 0;
BEGIN
    FOR v_table IN DELETE FROM misswitch_staging.extract_pending p WHERE p.token = p_token
                   RETURNING p.relname LOOP
        IF pg_catalog.to_regclass(pg_catalog.format('misswitch_staging.%I', v_table)) IS NOT NULL THEN
            EXECUTE pg_catalog.format('DROP TABLE misswitch_staging.%I', v_table);
            v_dropped := v_dropped + 1;
        END IF;
    END LOOP;
    PERFORM pg_catalog.pg_advisory_unlock(misswitch.extract_pending_class(), p_token);
    RETURN v_dropped;
END
$fn$;

-- Closes, on their behalf, every load whose loader is gone (nobody holds its token), except
-- p_own. Returns how many tables it dropped.
CREATE FUNCTION misswitch.extract_pending_sweep(p_own integer) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_token integer;
    v_dropped integer := 0;
BEGIN
    FOR v_token IN SELECT DISTINCT p.token FROM misswitch_staging.extract_pending p
                    WHERE p.token IS DISTINCT FROM p_own LOOP
        -- (the lock taken here is the one extract_pending_close lets go)
        CONTINUE WHEN NOT pg_catalog.pg_try_advisory_lock(misswitch.extract_pending_class(), v_token);
        v_dropped := v_dropped + misswitch.extract_pending_close(v_token);
    END LOOP;
    RETURN v_dropped;
END
$fn$;

-- Control connection, first: a token for this load, locked for the session (so no sweep takes
-- its tables while it runs), after sweeping what killed loads left.
CREATE FUNCTION misswitch.extract_pending_open() RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_token integer;
BEGIN
    LOOP
        v_token := pg_catalog.nextval('misswitch_staging.extract_pending_token');
        -- (a cycled sequence could hand out a token still held by a long-running load)
        EXIT WHEN pg_catalog.pg_try_advisory_lock(misswitch.extract_pending_class(), v_token);
    END LOOP;
    PERFORM misswitch.extract_pending_sweep(v_token);
    RETURN v_token;
END
$fn$;

CREATE FUNCTION misswitch.extract_pending_name(p_token integer, p_table text) RETURNS name
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $fn$
BEGIN
    IF NOT p_table = ANY (misswitch.extract_pending_tables()) THEN
        RAISE EXCEPTION 'misswitch: % is not a table a load streams into', p_table;
    END IF;
    RETURN pg_catalog.format('%s_pending_%s', p_table, p_token);
END
$fn$;

-- Data connection, in the transaction of its COPY: the table it streams into, shaped like the
-- staging table without its indexes (or, for extract_meta, a narrow version of 0003's wide row:
-- kind 'school' with c1..c5 the school's columns, or 'finding' with c1 the kind, c2 the detail).
CREATE FUNCTION misswitch.extract_pending_create(p_token integer, p_table text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_name name := misswitch.extract_pending_name(p_token, p_table);
BEGIN
    IF p_table = 'extract_meta' THEN
        EXECUTE pg_catalog.format(
            'CREATE TABLE misswitch_staging.%I (kind text NOT NULL, load_id bigint NOT NULL, '
            'source_line integer, c1 text, c2 text, c3 text, c4 text, c5 text)', v_name);
    ELSE
        EXECUTE pg_catalog.format(
            'CREATE TABLE misswitch_staging.%I (LIKE misswitch_staging.%I INCLUDING DEFAULTS)',
            v_name, p_table);
    END IF;
    INSERT INTO misswitch_staging.extract_pending (relname, token) VALUES (v_name, p_token);
END
$fn$;

-- Data connection, once its COPY has committed (the file was read to its end): the CHECK on the
-- file's load_ids that lets ATTACH PARTITION skip its scan, the staging table's indexes and
-- constraints (ATTACH adopts a matching index instead of building one), and statistics. The
-- seven connections run this at the same time, so the index builds share the server's cores.
-- A duplicate key fails here as a unique violation; extract_pending_duplicates names it.
CREATE FUNCTION misswitch.extract_pending_finish(p_token integer, p_table text, p_load_ids bigint[])
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog SET maintenance_work_mem = '128MB' AS $fn$
DECLARE
    v_name name := misswitch.extract_pending_name(p_token, p_table);
    v_parent regclass;
    v_index record;
    v_columns text;
BEGIN
    IF p_table <> 'extract_meta' THEN
        v_parent := pg_catalog.format('misswitch_staging.%I', p_table)::regclass;
        EXECUTE pg_catalog.format(
            'ALTER TABLE misswitch_staging.%I ADD CONSTRAINT loading_load_ids '
            'CHECK (load_id = ANY (%L::bigint[]))', v_name, p_load_ids);
        FOR v_index IN
            SELECT i.indexrelid, i.indisunique, c.oid AS constraint_oid
              FROM pg_catalog.pg_index i
              LEFT JOIN pg_catalog.pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
             WHERE i.indrelid = v_parent
             ORDER BY i.indexrelid
        LOOP
            IF v_index.constraint_oid IS NOT NULL THEN
                -- (a primary key or unique constraint: ATTACH adopts only a constraint's index)
                EXECUTE pg_catalog.format('ALTER TABLE misswitch_staging.%I ADD %s', v_name,
                                          pg_catalog.pg_get_constraintdef(v_index.constraint_oid));
            ELSE
                EXECUTE pg_catalog.format('CREATE %sINDEX ON misswitch_staging.%I %s',
                    CASE WHEN v_index.indisunique THEN 'UNIQUE ' ELSE '' END, v_name,
                    pg_catalog.substring(pg_catalog.pg_get_indexdef(v_index.indexrelid),
                                         ' USING .*$'));
            END IF;
        END LOOP;
        -- Statistics for the key columns only, which the publish's checks join on: a full
        -- ANALYZE sorts a sample of every text column under the database's collation, and cost
        -- more than the index builds at 100 k pupils. Autovacuum analyses the rest later.
        SELECT pg_catalog.string_agg(DISTINCT pg_catalog.quote_ident(a.attname), ', ')
          INTO v_columns
          FROM pg_catalog.pg_index i
          JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = v_parent;
        EXECUTE pg_catalog.format('ANALYZE misswitch_staging.%I (%s)', v_name, v_columns);
    ELSE
        EXECUTE pg_catalog.format('ANALYZE misswitch_staging.%I', v_name);
    END IF;
END
$fn$;

-- Control connection, after extract_pending_finish failed with a unique violation: names the
-- first duplicate of p_table with its lines, as 0003's extract_rows_duplicates does.
CREATE FUNCTION misswitch.extract_pending_duplicates(p_token integer, p_table text,
                                                     p_source_file text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_name name := misswitch.extract_pending_name(p_token, p_table);
    v_kind text := pg_catalog.substr(p_table, 9);   -- 'extract_pupil' -> 'pupil'
    v_problem record;
BEGIN
    IF p_table IN ('extract_relationship', 'extract_membership') THEN
        EXECUTE pg_catalog.format(
            'SELECT %s AS owner, %s AS other, pg_catalog.min(source_line) AS first, '
            'pg_catalog.max(source_line) AS again FROM misswitch_staging.%I '
            'GROUP BY load_id, 1, 2 HAVING pg_catalog.count(*) > 1 ORDER BY 4 LIMIT 1',
            CASE p_table WHEN 'extract_relationship' THEN 'contact_mis_id' ELSE 'group_mis_id' END,
            CASE p_table WHEN 'extract_relationship' THEN 'pupil_mis_id' ELSE 'member_mis_id' END,
            v_name) INTO v_problem;
        IF v_problem.again IS NOT NULL THEN
            PERFORM misswitch.extract_input_error(pg_catalog.format(
                '%s:%s: duplicate %s of %s to %s (first at line %s)', p_source_file,
                v_problem.again, v_kind, v_problem.owner, v_problem.other, v_problem.first));
        END IF;
    ELSIF p_table <> 'extract_meta' THEN
        EXECUTE pg_catalog.format(
            'SELECT mis_id AS id, pg_catalog.min(source_line) AS first, '
            'pg_catalog.max(source_line) AS again FROM misswitch_staging.%I '
            'GROUP BY load_id, mis_id HAVING pg_catalog.count(*) > 1 ORDER BY 3 LIMIT 1',
            v_name) INTO v_problem;
        IF v_problem.again IS NOT NULL THEN
            PERFORM misswitch.extract_input_error(pg_catalog.format(
                '%s:%s: duplicate %s MIS ID %s (first at line %s)', p_source_file,
                v_problem.again, v_kind, v_problem.id, v_problem.first));
        END IF;
    END IF;
END
$fn$;

-- 0003's attach, now also naming the partitions' indexes after them (extract_pupil_7_pkey, not
-- the name of the table they were built on, extract_pupil_loading_pkey1 or
-- extract_pupil_pending_12_pkey).
CREATE OR REPLACE FUNCTION misswitch.extract_partition_attach(p_load_ids bigint[], p_batch bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_table text;
    v_values text;
    v_index name;
BEGIN
    SELECT pg_catalog.string_agg(i::text, ', ') INTO v_values FROM pg_catalog.unnest(p_load_ids) i;
    FOREACH v_table IN ARRAY ARRAY['extract_pupil', 'extract_staff', 'extract_contact',
                                   'extract_relationship', 'extract_group', 'extract_membership'] LOOP
        EXECUTE pg_catalog.format(
            'ALTER TABLE misswitch_staging.%I ATTACH PARTITION misswitch_staging.%I FOR VALUES IN (%s)',
            v_table, v_table || '_loading', v_values);
        EXECUTE pg_catalog.format('ALTER TABLE misswitch_staging.%I DROP CONSTRAINT loading_load_ids',
                                  v_table || '_loading');
        EXECUTE pg_catalog.format('ALTER TABLE misswitch_staging.%I RENAME TO %I',
                                  v_table || '_loading', v_table || '_' || p_batch);
        FOR v_index IN
            SELECT c.relname FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = pg_catalog.format('misswitch_staging.%I', v_table || '_' || p_batch)::regclass
        LOOP
            EXECUTE pg_catalog.format('ALTER INDEX misswitch_staging.%I RENAME TO %I', v_index,
                pg_catalog.regexp_replace(v_index, '^' || v_table || '_(loading|pending_[0-9]+)',
                                          v_table || '_' || p_batch));
        END LOOP;
    END LOOP;
    INSERT INTO misswitch_staging.extract_partition (load_id, batch)
    SELECT i, p_batch FROM pg_catalog.unnest(p_load_ids) i;
END
$fn$;

-- Both paths, once the file's rows are in misswitch_staging.<table>_loading (each with the CHECK
-- loading_load_ids, analysed): the dangling-link checks, what each school section staged (into
-- pg_temp.misswitch_extract_count), and the ATTACH as the file's partitions.
-- (The checks are anti-joins of whole tables: hashed, in memory. A merge join sorts the text keys
-- under the database's collation, strcoll for every comparison: 0.5 s of 0.6 s at 100 k pupils.)
CREATE FUNCTION misswitch.extract_loading_publish(p_source_file text, p_load_ids bigint[])
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog SET enable_nestloop = off
SET enable_mergejoin = off SET work_mem = '64MB' AS $fn$
DECLARE
    v_problem record;
BEGIN
    -- A relationship must name a pupil of the same school section, a membership a pupil or
    -- staff member of it.
    SELECT r.contact_mis_id AS contact, r.pupil_mis_id AS pupil, r.source_line AS line
      INTO v_problem
      FROM misswitch_staging.extract_relationship_loading r
     WHERE NOT EXISTS (SELECT FROM misswitch_staging.extract_pupil_loading p
                        WHERE p.load_id = r.load_id AND p.mis_id = r.pupil_mis_id)
     ORDER BY r.source_line LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: contact %s is related to unknown pupil %s',
            p_source_file, v_problem.line, v_problem.contact, v_problem.pupil));
    END IF;
    SELECT m.group_mis_id AS grp, m.member_mis_id AS member, m.source_line AS line
      INTO v_problem
      FROM misswitch_staging.extract_membership_loading m
     WHERE NOT EXISTS (SELECT FROM (SELECT p.load_id, p.mis_id
                                      FROM misswitch_staging.extract_pupil_loading p
                                    UNION ALL
                                    SELECT s.load_id, s.mis_id
                                      FROM misswitch_staging.extract_staff_loading s) x
                        WHERE x.load_id = m.load_id AND x.mis_id = m.member_mis_id)
     ORDER BY m.source_line LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: group %s has unknown member %s',
            p_source_file, v_problem.line, v_problem.grp, v_problem.member));
    END IF;

    IF pg_catalog.to_regclass('pg_temp.misswitch_extract_count') IS NOT NULL THEN
        DROP TABLE pg_temp.misswitch_extract_count;
    END IF;
    CREATE TEMP TABLE pg_temp.misswitch_extract_count ON COMMIT DROP AS
    SELECT 'pupil' AS kind, x.load_id, pg_catalog.count(*) AS n
      FROM misswitch_staging.extract_pupil_loading x GROUP BY x.load_id
    UNION ALL SELECT 'staff', x.load_id, pg_catalog.count(*)
      FROM misswitch_staging.extract_staff_loading x GROUP BY x.load_id
    UNION ALL SELECT 'contact', x.load_id, pg_catalog.count(*)
      FROM misswitch_staging.extract_contact_loading x GROUP BY x.load_id
    UNION ALL SELECT 'relationship', x.load_id, pg_catalog.count(*)
      FROM misswitch_staging.extract_relationship_loading x GROUP BY x.load_id
    UNION ALL SELECT 'group', x.load_id, pg_catalog.count(*)
      FROM misswitch_staging.extract_group_loading x GROUP BY x.load_id
    UNION ALL SELECT 'membership', x.load_id, pg_catalog.count(*)
      FROM misswitch_staging.extract_membership_loading x GROUP BY x.load_id;

    PERFORM misswitch.extract_partition_attach(p_load_ids, p_load_ids[1]);
END
$fn$;

-- Control connection, once every pending table is finished: publishes the file in its (the
-- caller's) transaction. Returns what extract_rows_finish (0003) returns.
CREATE FUNCTION misswitch.extract_pending_publish(p_token integer, p_role text, p_format text,
                                                  p_source_file text)
RETURNS TABLE (school integer, school_key text, school_name text, load_id bigint,
               pupils bigint, staff bigint, contacts bigint, relationships bigint,
               groups bigint, memberships bigint, findings bigint)
LANGUAGE plpgsql SET search_path = pg_catalog SET enable_nestloop = off AS $fn$
#variable_conflict use_column
DECLARE
    v_table text;
    v_problem record;
    v_load_ids bigint[];
BEGIN
    -- One misswitch run at a time per database (the key 0003, migrate and apply take too).
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('misswitch'));
    -- Under fixed names for the rest of the transaction (the lock above keeps them free), so the
    -- checks and the attach are the same statements as 0003's path.
    FOREACH v_table IN ARRAY misswitch.extract_pending_tables() LOOP
        EXECUTE pg_catalog.format('ALTER TABLE misswitch_staging.%I RENAME TO %I',
                                  misswitch.extract_pending_name(p_token, v_table), v_table || '_loading');
    END LOOP;
    DELETE FROM misswitch_staging.extract_pending p WHERE p.token = p_token;

    SELECT m.c1 || '/' || m.c2 AS key, pg_catalog.min(m.source_line) AS first,
           pg_catalog.max(m.source_line) AS again
      INTO v_problem
      FROM misswitch_staging.extract_meta_loading m
     WHERE m.kind = 'school'
     GROUP BY m.c1, m.c2 HAVING pg_catalog.count(*) > 1
     ORDER BY 3 LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: school %s appears twice (first at line %s)',
            p_source_file, v_problem.again, v_problem.key, v_problem.first));
    END IF;
    SELECT pg_catalog.array_agg(m.load_id ORDER BY m.load_id) INTO v_load_ids
      FROM misswitch_staging.extract_meta_loading m WHERE m.kind = 'school';
    IF v_load_ids IS NULL THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s: the extract has no school section', p_source_file));
    END IF;

    -- Replace the earlier loads of these schools for this role and format (0002's trigger drops
    -- their partitions), then register the file's loads under the load_ids its rows carry.
    DELETE FROM misswitch_staging.extract_load l
     USING misswitch_staging.extract_meta_loading m
     WHERE m.kind = 'school' AND l.school_key = m.c1 || '/' || m.c2
       AND l.role = p_role AND l.format = p_format;
    INSERT INTO misswitch_staging.extract_load
           (load_id, role, format, school_key, lea_code, dfe_number, urn, school_name, mis_source,
            source_file)
    SELECT m.load_id, p_role, p_format, m.c1 || '/' || m.c2, m.c1, m.c2, m.c3, m.c4,
           COALESCE(m.c5, pg_catalog.upper(p_format)), p_source_file
      FROM misswitch_staging.extract_meta_loading m
     WHERE m.kind = 'school';

    PERFORM misswitch.extract_loading_publish(p_source_file, v_load_ids);

    WITH inserted AS (
        INSERT INTO misswitch_staging.load_finding (load_id, source_file, line, kind, detail)
        SELECT m.load_id, p_source_file, m.source_line, m.c1, m.c2
          FROM misswitch_staging.extract_meta_loading m
         WHERE m.kind = 'finding' AND m.load_id = ANY (v_load_ids)
        RETURNING misswitch_staging.load_finding.load_id
    )
    INSERT INTO pg_temp.misswitch_extract_count (kind, load_id, n)
    SELECT 'finding', i.load_id, pg_catalog.count(*) FROM inserted i GROUP BY i.load_id;
    DROP TABLE misswitch_staging.extract_meta_loading;

    RETURN QUERY
    -- (load_ids were handed out in the order the school sections appear in the file)
    SELECT (pg_catalog.row_number() OVER (ORDER BY l.load_id))::integer, l.school_key,
           l.school_name, l.load_id,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'pupil'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'staff'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'contact'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'relationship'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'group'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'membership'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'finding'), 0)::bigint
      FROM misswitch_staging.extract_load l
      LEFT JOIN pg_temp.misswitch_extract_count c ON c.load_id = l.load_id
     WHERE l.load_id = ANY (v_load_ids)
     GROUP BY l.school_key, l.school_name, l.load_id
     ORDER BY l.load_id;
END
$fn$;

-- 0003's path, its checks, counts and attach now shared with the streamed path above.
CREATE OR REPLACE FUNCTION misswitch.extract_rows_finish(p_role text, p_format text, p_source_file text)
RETURNS TABLE (school integer, school_key text, school_name text, load_id bigint,
               pupils bigint, staff bigint, contacts bigint, relationships bigint,
               groups bigint, memberships bigint, findings bigint)
LANGUAGE plpgsql SET search_path = pg_catalog
-- (index builds at ATTACH: a 1 M-pupil file's largest sorts fit in memory; every statement here
-- reads whole tables, where a nested loop is never right, and LIMIT 1 tempts the planner to one)
SET maintenance_work_mem = '256MB' SET enable_nestloop = off AS $fn$
#variable_conflict use_column
DECLARE
    v_load_ids bigint[];
BEGIN
    -- One misswitch run at a time per database (the key migrate and apply take too).
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('misswitch'));
    -- Temp tables are never analysed automatically; without statistics the checks below may
    -- pick nested loops over a large file.
    ANALYZE pg_temp.misswitch_extract_row;
    IF p_format = 'ctf' THEN
        PERFORM misswitch.extract_rows_prepare_ctf();
        ANALYZE pg_temp.misswitch_extract_row;
    ELSIF p_format = 'ims' THEN
        PERFORM misswitch.extract_rows_prepare_ims(p_source_file);
        ANALYZE pg_temp.misswitch_extract_row;
    END IF;

    -- Duplicates (of a school, an MIS ID, a link) break staging's unique keys; the block rolls
    -- back to here and extract_rows_duplicates names the first one.
    BEGIN
        -- Replace the earlier loads of these schools for this role and format (0002's trigger
        -- deletes their rows, dropping whole partitions where it can).
        DELETE FROM misswitch_staging.extract_load l
         USING pg_temp.misswitch_extract_row r
         WHERE r.kind = 'school' AND l.school_key = r.c1 || '/' || r.c2
           AND l.role = p_role AND l.format = p_format;

        IF pg_catalog.to_regclass('pg_temp.misswitch_extract_school') IS NOT NULL THEN
            DROP TABLE pg_temp.misswitch_extract_school;
        END IF;
        CREATE TEMP TABLE pg_temp.misswitch_extract_school (school integer PRIMARY KEY, load_id bigint NOT NULL)
            ON COMMIT DROP;
        WITH inserted AS (
            INSERT INTO misswitch_staging.extract_load
                   (role, format, school_key, lea_code, dfe_number, urn, school_name, mis_source,
                    source_file)
            SELECT p_role, p_format, r.c1 || '/' || r.c2, r.c1, r.c2, r.c3, r.c4,
                   COALESCE(r.c5, pg_catalog.upper(p_format)), p_source_file
              FROM pg_temp.misswitch_extract_row r
             WHERE r.kind = 'school'
            RETURNING misswitch_staging.extract_load.load_id, misswitch_staging.extract_load.school_key
        )
        INSERT INTO pg_temp.misswitch_extract_school (school, load_id)
        SELECT r.school, i.load_id
          FROM inserted i
          JOIN pg_temp.misswitch_extract_row r ON r.kind = 'school' AND r.c1 || '/' || r.c2 = i.school_key;

        IF NOT EXISTS (SELECT FROM pg_temp.misswitch_extract_school) THEN
            PERFORM misswitch.extract_input_error(pg_catalog.format(
                '%s: the extract has no school section', p_source_file));
        END IF;
        SELECT pg_catalog.array_agg(s.load_id ORDER BY s.load_id) INTO v_load_ids
          FROM pg_temp.misswitch_extract_school s;
        PERFORM misswitch.extract_partition_begin(v_load_ids);

        INSERT INTO misswitch_staging.extract_pupil_loading
               (load_id, source_line, mis_id, upn, former_upns, legal_forename, legal_surname,
                preferred_forename, preferred_surname, dob, sex, year_group, reg_group, email,
                address_house, address_street, address_locality, address_town, address_postcode)
        SELECT s.load_id, r.source_line, r.c1, r.c2, COALESCE(r.c3::text[], '{}'), r.c4, r.c5,
               r.c6, r.c7, r.c8::date, r.c9, r.c10, r.c11, r.c12, r.c13, r.c14, r.c15, r.c16, r.c17
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'pupil';

        INSERT INTO misswitch_staging.extract_staff_loading
               (load_id, source_line, mis_id, staff_code, teacher_number, ni_number, title,
                legal_forename, legal_surname, preferred_forename, preferred_surname, dob, sex, email,
                address_house, address_street, address_locality, address_town, address_postcode, roles)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3, r.c4, r.c5, r.c6, r.c7, r.c8, r.c9,
               r.c10::date, r.c11, r.c12, r.c13, r.c14, r.c15, r.c16, r.c17,
               COALESCE(r.c18::text[], '{}')
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'staff';

        INSERT INTO misswitch_staging.extract_contact_loading
               (load_id, source_line, mis_id, title, forename, surname, emails, phones,
                address_house, address_street, address_locality, address_town, address_postcode)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3, r.c4, COALESCE(r.c5::text[], '{}'),
               COALESCE(r.c6::text[], '{}'), r.c7, r.c8, r.c9, r.c10, r.c11
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'contact';

        INSERT INTO misswitch_staging.extract_relationship_loading
               (load_id, source_line, contact_mis_id, pupil_mis_id, relationship,
                parental_responsibility, priority)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3, r.c4::boolean, r.c5::integer
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'relationship';

        INSERT INTO misswitch_staging.extract_group_loading
               (load_id, source_line, mis_id, code, name, kind, academic_year)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3, r.c4, r.c5
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'group';

        INSERT INTO misswitch_staging.extract_membership_loading
               (load_id, source_line, group_mis_id, member_mis_id, member_role)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'membership';

        -- (analysed first, or the planner may take them for empty and loop over them)
        ANALYZE misswitch_staging.extract_pupil_loading, misswitch_staging.extract_staff_loading,
                misswitch_staging.extract_relationship_loading,
                misswitch_staging.extract_membership_loading;
        PERFORM misswitch.extract_loading_publish(p_source_file, v_load_ids);

        WITH inserted AS (
            INSERT INTO misswitch_staging.load_finding (load_id, source_file, line, kind, detail)
            SELECT s.load_id, p_source_file, r.source_line, r.c1, r.c2
              FROM pg_temp.misswitch_extract_row r
              JOIN pg_temp.misswitch_extract_school s USING (school)
             WHERE r.kind = 'finding'
            RETURNING misswitch_staging.load_finding.load_id
        )
        INSERT INTO pg_temp.misswitch_extract_count (kind, load_id, n)
        SELECT 'finding', i.load_id, pg_catalog.count(*) FROM inserted i GROUP BY i.load_id;
    EXCEPTION WHEN unique_violation THEN
        PERFORM misswitch.extract_rows_duplicates(p_source_file);
        RAISE;
    END;

    RETURN QUERY
    SELECT s.school, l.school_key, l.school_name, l.load_id,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'pupil'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'staff'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'contact'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'relationship'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'group'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'membership'), 0)::bigint,
           COALESCE(pg_catalog.sum(c.n) FILTER (WHERE c.kind = 'finding'), 0)::bigint
      FROM pg_temp.misswitch_extract_school s
      JOIN misswitch_staging.extract_load l ON l.load_id = s.load_id
      LEFT JOIN pg_temp.misswitch_extract_count c ON c.load_id = s.load_id
     GROUP BY s.school, l.school_key, l.school_name, l.load_id
     ORDER BY s.school;
END
$fn$;

COMMENT ON FUNCTION misswitch.extract_rows_finish(text, text, text) IS
    'load extract: checks pg_temp.misswitch_extract_row and splits it into misswitch_staging.extract_*';
