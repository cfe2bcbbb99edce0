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

-- Checks the staged rows and replaces the earlier loads of the same schools, role and format.
-- Returns one row per school section with what was staged.
CREATE FUNCTION misswitch.extract_rows_finish(p_role text, p_format text, p_source_file text)
RETURNS TABLE (school integer, school_key text, school_name text, load_id bigint,
               pupils bigint, staff bigint, contacts bigint, relationships bigint,
               groups bigint, memberships bigint, findings bigint)
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
    IF p_format = 'ctf' THEN
        PERFORM misswitch.extract_rows_prepare_ctf();
        ANALYZE pg_temp.misswitch_extract_row;
    ELSIF p_format = 'ims' THEN
        PERFORM misswitch.extract_rows_prepare_ims(p_source_file);
        ANALYZE pg_temp.misswitch_extract_row;
    END IF;

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

        INSERT INTO misswitch_staging.load_finding (load_id, source_file, line, kind, detail)
        SELECT s.load_id, p_source_file, r.source_line, r.c1, r.c2
          FROM pg_temp.misswitch_extract_row r
          JOIN pg_temp.misswitch_extract_school s USING (school)
         WHERE r.kind = 'finding';
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
           (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_membership x WHERE x.load_id = l.load_id),
           (SELECT pg_catalog.count(*) FROM misswitch_staging.load_finding x WHERE x.load_id = l.load_id)
      FROM pg_temp.misswitch_extract_school s
      JOIN misswitch_staging.extract_load l ON l.load_id = s.load_id
     ORDER BY s.school;
END
$fn$;

COMMENT ON FUNCTION misswitch.extract_rows_finish(text, text, text) IS
    'load extract: checks pg_temp.misswitch_extract_row and splits it into misswitch_staging.extract_*';
