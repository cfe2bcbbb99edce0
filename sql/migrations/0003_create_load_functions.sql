-- 0003: the server side of `load extract`. The loader streams every record of a file into one
-- wide temp table (kind, school ordinal, line, c1..c18 as text) with COPY, then
-- misswitch.extract_rows_finish checks the rows and splits them into misswitch_staging.extract_*,
-- all in the loader's one transaction: a bad file loads nothing and the previous load stays.
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

-- Checks the staged rows and replaces the earlier loads of the same schools, role and format.
-- Returns one row per school section with what was staged.
CREATE FUNCTION misswitch.extract_rows_finish(p_role text, p_format text, p_source_file text)
RETURNS TABLE (school integer, school_key text, school_name text, load_id bigint,
               pupils bigint, staff bigint, contacts bigint, relationships bigint,
               groups bigint, memberships bigint)
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
#variable_conflict use_column
DECLARE
    v_problem record;
BEGIN
    -- One misswitch run at a time per database (the key migrate and apply take too).
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('misswitch'));
    -- Temp tables are never analysed automatically; without statistics the checks below may
    -- pick nested loops over a large file.
    ANALYZE pg_temp.misswitch_extract_row;

    IF NOT EXISTS (SELECT FROM pg_temp.misswitch_extract_row r WHERE r.kind = 'school') THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s: the extract has no school section', p_source_file));
    END IF;

    -- A relationship must name a pupil of the same school section.
    SELECT r.c1 AS contact, r.c2 AS pupil, r.source_line AS line
      INTO v_problem
      FROM pg_temp.misswitch_extract_row r
     WHERE r.kind = 'relationship'
       AND NOT EXISTS (SELECT FROM pg_temp.misswitch_extract_row p
                        WHERE p.kind = 'pupil' AND p.school = r.school AND p.c1 = r.c2)
     ORDER BY r.source_line LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: contact %s is related to unknown pupil %s',
            p_source_file, v_problem.line, v_problem.contact, v_problem.pupil));
    END IF;

    -- A membership must name a pupil or staff member of the same school section.
    SELECT r.c1 AS grp, r.c2 AS member, r.source_line AS line
      INTO v_problem
      FROM pg_temp.misswitch_extract_row r
     WHERE r.kind = 'membership'
       AND NOT EXISTS (SELECT FROM pg_temp.misswitch_extract_row p
                        WHERE p.kind IN ('pupil', 'staff') AND p.school = r.school
                          AND p.c1 = r.c2)
     ORDER BY r.source_line LIMIT 1;
    IF FOUND THEN
        PERFORM misswitch.extract_input_error(pg_catalog.format(
            '%s:%s: group %s has unknown member %s',
            p_source_file, v_problem.line, v_problem.grp, v_problem.member));
    END IF;

    -- Duplicates (of a school, an MIS ID, a link) break staging's unique keys; the block rolls
    -- back to here and extract_rows_duplicates names the first one.
    BEGIN
        -- Replace the earlier loads of these schools for this role and format (cascades).
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
            SELECT p_role, p_format, r.c1 || '/' || r.c2, r.c1, r.c2, r.c3, r.c4, r.c5, p_source_file
              FROM pg_temp.misswitch_extract_row r
             WHERE r.kind = 'school'
            RETURNING misswitch_staging.extract_load.load_id, misswitch_staging.extract_load.school_key
        )
        INSERT INTO pg_temp.misswitch_extract_school (school, load_id)
        SELECT r.school, i.load_id
          FROM inserted i
          JOIN pg_temp.misswitch_extract_row r ON r.kind = 'school' AND r.c1 || '/' || r.c2 = i.school_key;

        INSERT INTO misswitch_staging.extract_pupil
               (load_id, source_line, mis_id, upn, former_upns, legal_forename, legal_surname,
                preferred_forename, preferred_surname, dob, sex, year_group, reg_group, email,
                address_house, address_street, address_locality, address_town, address_postcode)
        SELECT s.load_id, r.source_line, r.c1, r.c2, COALESCE(r.c3::text[], '{}'), r.c4, r.c5,
               r.c6, r.c7, r.c8::date, r.c9, r.c10, r.c11, r.c12, r.c13, r.c14, r.c15, r.c16, r.c17
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'pupil';

        INSERT INTO misswitch_staging.extract_staff
               (load_id, source_line, mis_id, staff_code, teacher_number, ni_number, title,
                legal_forename, legal_surname, preferred_forename, preferred_surname, dob, sex, email,
                address_house, address_street, address_locality, address_town, address_postcode, roles)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3, r.c4, r.c5, r.c6, r.c7, r.c8, r.c9,
               r.c10::date, r.c11, r.c12, r.c13, r.c14, r.c15, r.c16, r.c17,
               COALESCE(r.c18::text[], '{}')
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'staff';

        INSERT INTO misswitch_staging.extract_contact
               (load_id, source_line, mis_id, title, forename, surname, emails, phones,
                address_house, address_street, address_locality, address_town, address_postcode)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3, r.c4, COALESCE(r.c5::text[], '{}'),
               COALESCE(r.c6::text[], '{}'), r.c7, r.c8, r.c9, r.c10, r.c11
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'contact';

        INSERT INTO misswitch_staging.extract_relationship
               (load_id, source_line, contact_mis_id, pupil_mis_id, relationship,
                parental_responsibility, priority)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3, r.c4::boolean, r.c5::integer
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'relationship';

        INSERT INTO misswitch_staging.extract_group
               (load_id, source_line, mis_id, code, name, kind, academic_year)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3, r.c4, r.c5
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'group';

        INSERT INTO misswitch_staging.extract_membership
               (load_id, source_line, group_mis_id, member_mis_id, member_role)
        SELECT s.load_id, r.source_line, r.c1, r.c2, r.c3
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'membership';
    EXCEPTION WHEN unique_violation THEN
        PERFORM misswitch.extract_rows_duplicates(p_source_file);
        RAISE;
    END;

    RETURN QUERY
    SELECT s.school, l.school_key, l.school_name, l.load_id,
           (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_pupil x WHERE x.load_id = l.load_id),
           (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_staff x WHERE x.load_id = l.load_id),
           (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_contact x WHERE x.load_id = l.load_id),
           (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_relationship x WHERE x.load_id = l.load_id),
           (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_group x WHERE x.load_id = l.load_id),
           (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_membership x WHERE x.load_id = l.load_id)
      FROM pg_temp.misswitch_extract_school s
      JOIN misswitch_staging.extract_load l ON l.load_id = s.load_id
     ORDER BY s.school;
END
$fn$;

COMMENT ON FUNCTION misswitch.extract_rows_finish(text, text, text) IS
    'load extract: checks pg_temp.misswitch_extract_row and splits it into misswitch_staging.extract_*';
