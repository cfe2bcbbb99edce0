-- 0003: the server side of `load extract`. The loader streams every record of a file into one
-- wide temp table (kind, school ordinal, line, c1..c18 as text) with COPY, then
-- misswitch.extract_rows_finish checks the rows and splits them into misswitch_staging.extract_*,
-- all in the loader's one transaction: a bad file loads nothing and the previous load stays.
-- The split writes fresh tables without indexes and attaches them as the file's partition of each
-- extract_* table (0002), so their indexes are built once, sorted, by ATTACH PARTITION.
--
-- c1..cN of each kind are the staging table's columns in table order without load_id and
-- source_line (loader/extract_format.c lists the same order). Problems with the data raise
-- SQLSTATE MSINP, which the loader reports as an input error.

-- Creates the wide temp table for this transaction.
CREATE FUNCTION misswitch.extract_rows_begin() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
BEGIN
    -- (Not DROP ... IF EXISTS: its NOTICE would reach the user's terminal.)
    IF pg_catalog.to_regclass('pg_temp.misswitch_extract_row') IS NOT NULL THEN
        DROP TABLE pg_temp.misswitch_extract_row;
    END IF;
    CREATE TEMP TABLE pg_temp.misswitch_extract_row (
        kind        text    NOT NULL,
        school      integer NOT NULL,   -- ordinal of the school section in the file, from 1
        source_line integer,
        c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text,
        c10 text, c11 text, c12 text, c13 text, c14 text, c15 text, c16 text, c17 text, c18 text
    ) ON COMMIT DROP;
END
$fn$;

COMMENT ON FUNCTION misswitch.extract_rows_begin() IS
    'load extract: creates pg_temp.misswitch_extract_row, which the loader fills with COPY';

-- Raises the loader's input error for a data problem.
CREATE FUNCTION misswitch.extract_input_error(p_message text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'MSINP', MESSAGE = p_message;
END
$fn$;

-- Says which duplicate broke a unique key of staging: called only once an insert has failed, so a
-- good file never pays for these scans.
CREATE FUNCTION misswitch.extract_rows_duplicates(p_source_file text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_problem record;
BEGIN
    -- The same school twice in one file.
    SELECT r.c1 || '/' || r.c2 AS key, pg_catalog.min(r.source_line) AS first,
           pg_catalog.max(r.source_line) AS again
      INTO v_problem
      FROM pg_temp.misswitch_extract_row r
     WHERE r.kind = 'school'
     GROUP BY r.c1, r.c2 HAVING pg_catalog.count(*) > 1
     ORDER BY 3 LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: school %s appears twice (first at line %s)',
            p_source_file, v_problem.again, v_problem.key, v_problem.first));
    END IF;

    -- Duplicate MIS IDs within a school: the ID is what the platform links to.
    SELECT r.kind, r.c1 AS id, pg_catalog.min(r.source_line) AS first,
           pg_catalog.max(r.source_line) AS again
      INTO v_problem
      FROM pg_temp.misswitch_extract_row r
     WHERE r.kind IN ('pupil', 'staff', 'contact', 'group')
     GROUP BY r.kind, r.school, r.c1 HAVING pg_catalog.count(*) > 1
     ORDER BY 4 LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: duplicate %s MIS ID %s (first at line %s)',
            p_source_file, v_problem.again, v_problem.kind, v_problem.id, v_problem.first));
    END IF;

    -- The same link twice (a contact related twice to one pupil, a member twice in a group).
    SELECT r.kind, r.c1 AS owner, r.c2 AS other, pg_catalog.min(r.source_line) AS first,
           pg_catalog.max(r.source_line) AS again
      INTO v_problem
      FROM pg_temp.misswitch_extract_row r
     WHERE r.kind IN ('relationship', 'membership')
     GROUP BY r.kind, r.school, r.c1, r.c2 HAVING pg_catalog.count(*) > 1
     ORDER BY 5 LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: duplicate %s of %s to %s (first at line %s)',
            p_source_file, v_problem.again, v_problem.kind, v_problem.owner, v_problem.other,
            v_problem.first));
    END IF;
END
$fn$;

-- CTF: a <Contact> is read raw (kind ctf_contact: pupil UPN, order, names, ...). CTF has no
-- MIS IDs: the contact is keyed "UPN#order", related to its pupil with the order as priority,
-- and given the pupil's address when marked <AddressAsPupil>.
CREATE FUNCTION misswitch.extract_rows_prepare_ctf() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
BEGIN
    INSERT INTO pg_temp.misswitch_extract_row
           (kind, school, source_line, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11)
    SELECT 'contact', c.school, c.source_line, c.c1 || '#' || c.c2, c.c3, c.c4, c.c5, c.c9, c.c10,
           CASE WHEN c.c8 IN ('true', '1') THEN p.c13 ELSE c.c11 END,
           CASE WHEN c.c8 IN ('true', '1') THEN p.c14 ELSE c.c12 END,
           CASE WHEN c.c8 IN ('true', '1') THEN p.c15 ELSE c.c13 END,
           CASE WHEN c.c8 IN ('true', '1') THEN p.c16 ELSE c.c14 END,
           CASE WHEN c.c8 IN ('true', '1') THEN p.c17 ELSE c.c15 END
      FROM pg_temp.misswitch_extract_row c
      LEFT JOIN (SELECT DISTINCT ON (r.school, r.c1) r.school, r.c1, r.c13, r.c14, r.c15, r.c16, r.c17
                   FROM pg_temp.misswitch_extract_row r
                  WHERE r.kind = 'pupil'
                  ORDER BY r.school, r.c1, r.source_line) p
        ON p.school = c.school AND p.c1 = c.c1
     WHERE c.kind = 'ctf_contact';

    INSERT INTO pg_temp.misswitch_extract_row (kind, school, source_line, c1, c2, c3, c4, c5)
    SELECT 'relationship', c.school, c.source_line, c.c1 || '#' || c.c2, c.c1, c.c6, c.c7, c.c2
      FROM pg_temp.misswitch_extract_row c
     WHERE c.kind = 'ctf_contact';

    DELETE FROM pg_temp.misswitch_extract_row r WHERE r.kind = 'ctf_contact';
END
$fn$;

-- IMS Enterprise: persons, groups and members are read raw (kinds ims_*). Here they become
-- schools, pupils, staff, contacts, groups and memberships (docs/extract-format.md has the rules).
CREATE FUNCTION misswitch.extract_rows_prepare_ims(p_source_file text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_problem record;
    v_source text;
    v_schools integer;
BEGIN
    -- recstatus 3 is a delete, and an inactive role (status 0) is no membership: neither is staged.
    DELETE FROM pg_temp.misswitch_extract_row r
     WHERE (r.kind = 'ims_person' AND r.c5 = '3') OR (r.kind = 'ims_group' AND r.c2 = '3')
        OR (r.kind = 'ims_member' AND (r.c5 = '3' OR r.c6 = '0'));
    DELETE FROM pg_temp.misswitch_extract_row r
     WHERE r.kind = 'relationship'
       AND NOT EXISTS (SELECT FROM pg_temp.misswitch_extract_row p
                        WHERE p.kind = 'ims_person' AND p.c1 = r.c1);

    SELECT r.c1 INTO v_source FROM pg_temp.misswitch_extract_row r
     WHERE r.kind = 'ims_properties' ORDER BY r.source_line LIMIT 1;

    -- School sections: one per LEA/DfE named by a person or a group, in order of appearance.
    IF pg_catalog.to_regclass('pg_temp.misswitch_ims_school') IS NOT NULL THEN
        DROP TABLE pg_temp.misswitch_ims_school;
    END IF;
    CREATE TEMP TABLE pg_temp.misswitch_ims_school ON COMMIT DROP AS
    SELECT (pg_catalog.row_number() OVER (ORDER BY k.first_line))::integer AS school,
           k.lea, k.dfe, k.urn, k.name
      FROM (SELECT s.lea, s.dfe, pg_catalog.min(s.line) AS first_line, pg_catalog.max(s.urn) AS urn,
                   pg_catalog.max(s.name) AS name
              FROM (SELECT r.c13 AS lea, r.c14 AS dfe, r.c15 AS urn, r.c16 AS name, r.source_line AS line
                      FROM pg_temp.misswitch_extract_row r
                     WHERE r.kind = 'ims_person' AND r.c13 IS NOT NULL AND r.c14 IS NOT NULL
                    UNION ALL
                    SELECT pg_catalog.split_part(r.c6, '/', 1), pg_catalog.split_part(r.c6, '/', 2),
                           NULL, r.c7, r.source_line
                      FROM pg_temp.misswitch_extract_row r
                     WHERE r.kind = 'ims_group' AND r.c6 ~ '^[^/]+/[^/]+$') s
             GROUP BY s.lea, s.dfe) k;
    SELECT pg_catalog.count(*) INTO v_schools FROM pg_temp.misswitch_ims_school;
    IF v_schools = 0 THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s: the IMS file names no school: misswitch takes a school''s LEA/DfE from '
            '<extension><school lea="..." dfe="..."/></extension> on a person or '
            '<org><id>LEA/DfE</id></org> on a group', p_source_file));
    END IF;
    INSERT INTO pg_temp.misswitch_extract_row (kind, school, source_line, c1, c2, c3, c4, c5)
    SELECT 'school', s.school, NULL, s.lea, s.dfe, s.urn, s.name, COALESCE(v_source, 'IMS')
      FROM pg_temp.misswitch_ims_school s;

    UPDATE pg_temp.misswitch_extract_row r SET school = s.school
      FROM pg_temp.misswitch_ims_school s
     WHERE (r.kind = 'ims_person' AND r.c13 = s.lea AND r.c14 = s.dfe)
        OR (r.kind = 'ims_group' AND r.c6 = s.lea || '/' || s.dfe);
    IF v_schools = 1 THEN
        UPDATE pg_temp.misswitch_extract_row r SET school = 1
         WHERE r.school = 0 AND r.kind IN ('ims_person', 'ims_group', 'finding');
    END IF;
    SELECT r.kind, r.c1 AS id, r.source_line AS line INTO v_problem
      FROM pg_temp.misswitch_extract_row r
     WHERE r.school = 0 AND r.kind IN ('ims_person', 'ims_group')
     ORDER BY r.source_line LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: %s %s names no school, and the file holds %s',
            p_source_file, v_problem.line, pg_catalog.substr(v_problem.kind, 5), v_problem.id,
            v_schools || ' schools'));
    END IF;

    -- A member takes its group's school; a member of a group the file does not hold dangles.
    UPDATE pg_temp.misswitch_extract_row m SET school = g.school
      FROM pg_temp.misswitch_extract_row g
     WHERE m.kind = 'ims_member' AND g.kind = 'ims_group' AND g.c1 = m.c1;
    SELECT m.c1 AS grp, m.source_line AS line INTO v_problem
      FROM pg_temp.misswitch_extract_row m
     WHERE m.kind = 'ims_member' AND m.school = 0 ORDER BY m.source_line LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: membership of unknown group %s', p_source_file, v_problem.line, v_problem.grp));
    END IF;
    -- A relationship takes its contact's school; findings of persons take their person's.
    UPDATE pg_temp.misswitch_extract_row r SET school = p.school
      FROM pg_temp.misswitch_extract_row p
     WHERE r.kind = 'relationship' AND p.kind = 'ims_person' AND p.c1 = r.c1;
    -- (a finding belongs to the person or group at or before its line: carried forward)
    UPDATE pg_temp.misswitch_extract_row f SET school = c.school
      FROM (SELECT t.rid, pg_catalog.first_value(t.school)
                     OVER (PARTITION BY t.grp ORDER BY t.source_line, t.is_finding) AS school
              FROM (SELECT r.ctid AS rid, r.school, r.source_line, r.kind = 'finding' AS is_finding,
                           pg_catalog.count(*) FILTER (WHERE r.kind <> 'finding')
                               OVER (ORDER BY r.source_line, r.kind = 'finding') AS grp
                      FROM pg_temp.misswitch_extract_row r
                     WHERE r.kind IN ('ims_person', 'ims_group', 'finding')) t) c
     WHERE f.ctid = c.rid AND f.kind = 'finding' AND f.school = 0 AND c.school <> 0;
    UPDATE pg_temp.misswitch_extract_row f SET school = 1 WHERE f.kind = 'finding' AND f.school = 0;

    -- What each person is: its institution role, else its membership roles, else a contact.
    IF pg_catalog.to_regclass('pg_temp.misswitch_ims_role') IS NOT NULL THEN
        DROP TABLE pg_temp.misswitch_ims_role;
    END IF;
    CREATE TEMP TABLE pg_temp.misswitch_ims_role ON COMMIT DROP AS
    SELECT m.c2 AS id, pg_catalog.bool_or(m.c4 = '01') AS learner,
           pg_catalog.bool_or(m.c4 IN ('02', '05', '07', '08')) AS teacher
      FROM pg_temp.misswitch_extract_row m WHERE m.kind = 'ims_member' GROUP BY m.c2;
    UPDATE pg_temp.misswitch_extract_row p
       SET kind = CASE
           WHEN p.c4 IN ('Student', 'Learner', 'ProspectiveStudent') THEN 'ims_pupil'
           WHEN p.c4 IN ('Faculty', 'Instructor', 'Staff', 'Administrator') THEN 'ims_staff'
           WHEN ro.learner THEN 'ims_pupil'
           WHEN ro.teacher THEN 'ims_staff'
           ELSE 'ims_contact' END
      FROM pg_temp.misswitch_extract_row p2
      LEFT JOIN pg_temp.misswitch_ims_role ro ON ro.id = p2.c1
     WHERE p.kind = 'ims_person' AND p2.ctid = p.ctid;

    -- Names: <n><given>/<family> are the legal names; <fn> "Preferred Family" gives a preferred
    -- forename when it differs. IMS gender 1 is female, 2 male, 0 unknown.
    INSERT INTO pg_temp.misswitch_extract_row
           (kind, school, source_line, c1, c2, c4, c5, c6, c8, c9, c12)
    SELECT 'pupil', p.school, p.source_line, p.c1,
           CASE WHEN p.c3 ~ '^[A-Z][0-9]{11}[0-9A-Z]$' THEN p.c3 END, p.c8, p.c7,
           misswitch.extract_ims_preferred(p.c6, p.c7, p.c8), p.c11,
           CASE p.c12 WHEN '1' THEN 'F' WHEN '2' THEN 'M' WHEN '0' THEN 'U' ELSE p.c12 END, p.c9
      FROM pg_temp.misswitch_extract_row p WHERE p.kind = 'ims_pupil';
    INSERT INTO pg_temp.misswitch_extract_row
           (kind, school, source_line, c1, c2, c6, c7, c8, c10, c11, c12, c18)
    SELECT 'staff', p.school, p.source_line, p.c1, p.c3, p.c8, p.c7,
           misswitch.extract_ims_preferred(p.c6, p.c7, p.c8), p.c11,
           CASE p.c12 WHEN '1' THEN 'F' WHEN '2' THEN 'M' WHEN '0' THEN 'U' ELSE p.c12 END, p.c9,
           CASE WHEN p.c4 IS NOT NULL THEN ARRAY[p.c4]::text END
      FROM pg_temp.misswitch_extract_row p WHERE p.kind = 'ims_staff';
    INSERT INTO pg_temp.misswitch_extract_row (kind, school, source_line, c1, c3, c4, c5, c6)
    SELECT 'contact', p.school, p.source_line, p.c1, p.c8, p.c7,
           CASE WHEN p.c9 IS NOT NULL THEN ARRAY[p.c9]::text END, p.c10
      FROM pg_temp.misswitch_extract_row p WHERE p.kind = 'ims_contact';

    INSERT INTO pg_temp.misswitch_extract_row (kind, school, source_line, c1, c2, c3, c4, c5)
    SELECT 'group', g.school, g.source_line, g.c1, g.c4, COALESCE(g.c5, g.c4), pg_catalog.lower(g.c3),
           pg_catalog.substr(g.c8, 1, 4) || '/' || pg_catalog.substr(g.c9, 1, 4)
      FROM pg_temp.misswitch_extract_row g WHERE g.kind = 'ims_group';
    INSERT INTO pg_temp.misswitch_extract_row (kind, school, source_line, c1, c2, c3)
    SELECT 'membership', m.school, m.source_line, m.c1, m.c2,
           CASE WHEN p.kind IN ('ims_pupil', 'ims_staff') THEN pg_catalog.substr(p.kind, 5)
                ELSE m.c4 END
      FROM pg_temp.misswitch_extract_row m
      LEFT JOIN (SELECT DISTINCT ON (r.c1) r.c1, r.kind FROM pg_temp.misswitch_extract_row r
                  WHERE r.kind IN ('ims_pupil', 'ims_staff', 'ims_contact')
                  ORDER BY r.c1, r.source_line) p ON p.c1 = m.c2
     WHERE m.kind = 'ims_member';

    DELETE FROM pg_temp.misswitch_extract_row r WHERE r.kind LIKE 'ims\_%';
END
$fn$;

-- A preferred forename from IMS <fn>: "Bill Smith" for given William, family Smith gives Bill.
CREATE FUNCTION misswitch.extract_ims_preferred(p_full text, p_family text, p_given text)
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $fn$
    SELECT CASE WHEN p_full IS NOT NULL AND p_family IS NOT NULL
                 AND pg_catalog.length(p_full) > pg_catalog.length(p_family) + 1
                 AND pg_catalog.right(p_full, pg_catalog.length(p_family) + 1) = ' ' || p_family
                 AND pg_catalog.left(p_full, pg_catalog.length(p_full) - pg_catalog.length(p_family) - 1)
                     IS DISTINCT FROM p_given
           THEN pg_catalog.left(p_full, pg_catalog.length(p_full) - pg_catalog.length(p_family) - 1) END
$fn$;

-- The tables the split fills: misswitch_staging.<table>_loading, shaped like <table>, without
-- indexes, each row checked against the file's load_ids (so ATTACH PARTITION need not scan
-- them again).
CREATE FUNCTION misswitch.extract_partition_begin(p_load_ids bigint[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_table text;
BEGIN
    FOREACH v_table IN ARRAY ARRAY['extract_pupil', 'extract_staff', 'extract_contact',
                                   'extract_relationship', 'extract_group', 'extract_membership'] LOOP
        EXECUTE pg_catalog.format(
            'CREATE TABLE misswitch_staging.%I (LIKE misswitch_staging.%I INCLUDING DEFAULTS, '
            'CONSTRAINT loading_load_ids CHECK (load_id = ANY (%L::bigint[])))',
            v_table || '_loading', v_table, p_load_ids);
    END LOOP;
END
$fn$;

-- Attaches the filled tables as partition <table>_<batch> for the file's load_ids. ATTACH builds
-- each index of the parent on the new rows (a unique violation here is a duplicate in the file).
CREATE FUNCTION misswitch.extract_partition_attach(p_load_ids bigint[], p_batch bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_table text;
    v_values text;
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
    END LOOP;
    INSERT INTO misswitch_staging.extract_partition (load_id, batch)
    SELECT i, p_batch FROM pg_catalog.unnest(p_load_ids) i;
END
$fn$;

-- Checks the staged rows and replaces the earlier loads of the same schools, role and format.
-- Returns one row per school section with what was staged.
CREATE FUNCTION misswitch.extract_rows_finish(p_role text, p_format text, p_source_file text)
RETURNS TABLE (school integer, school_key text, school_name text, load_id bigint,
               pupils bigint, staff bigint, contacts bigint, relationships bigint,
               groups bigint, memberships bigint, findings bigint)
LANGUAGE plpgsql SET search_path = pg_catalog
-- (index builds at ATTACH: a 1 M-pupil file's largest sorts fit in memory; every statement here
-- reads whole tables, where a nested loop is never right, and LIMIT 1 tempts the planner to one)
SET maintenance_work_mem = '256MB' SET enable_nestloop = off AS $fn$
#variable_conflict use_column
DECLARE
    v_problem record;
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

        -- A relationship must name a pupil of the same school section, a membership a pupil or
        -- staff member of it. (Checked on the new tables, narrow and typed, not on the wide one;
        -- analysed first, or the planner may take them for empty and loop over them.)
        ANALYZE misswitch_staging.extract_pupil_loading, misswitch_staging.extract_staff_loading,
                misswitch_staging.extract_relationship_loading,
                misswitch_staging.extract_membership_loading;
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

        -- What each school section staged, counted on the new tables before they are attached.
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

        PERFORM misswitch.extract_partition_attach(v_load_ids, v_load_ids[1]);

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
