#!/usr/bin/python3
"""The competent-DBA peer: lxml iterparse (elements cleared) + psycopg2 copy_expert, loading a
native extract into the same staging tables as `misswitch load extract` (one school section per
extract_load row). Prints nothing; time it from outside. Usage: python_peer.py FILE"""
import io
import sys

import psycopg2
from lxml import etree

COLUMNS = {
    "extract_pupil": ["load_id", "source_line", "mis_id", "upn", "legal_forename", "legal_surname",
                      "preferred_forename", "dob", "sex", "year_group", "reg_group", "email",
                      "address_house", "address_street", "address_locality", "address_town",
                      "address_postcode"],
    "extract_staff": ["load_id", "source_line", "mis_id", "staff_code", "teacher_number", "ni_number",
                      "legal_forename", "legal_surname", "dob", "sex", "email"],
    "extract_contact": ["load_id", "source_line", "mis_id", "title", "forename", "surname"],
    "extract_relationship": ["load_id", "source_line", "contact_mis_id", "pupil_mis_id",
                             "relationship", "parental_responsibility", "priority"],
    "extract_group": ["load_id", "source_line", "mis_id", "code", "name", "kind", "academic_year"],
    "extract_membership": ["load_id", "source_line", "group_mis_id", "member_mis_id", "member_role"],
}


def esc(value):
    if value is None:
        return "\\N"
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def text(element, path):
    found = element.find(path)
    return found.text.strip() if found is not None and found.text else None


def main(path):
    conn = psycopg2.connect("")
    cur = conn.cursor()
    buffers = {table: io.StringIO() for table in COLUMNS}
    load_id = None
    mis = None
    for event, element in etree.iterparse(path, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == "misswitch-extract":
                mis = element.get("mis")
            elif tag == "school":
                cur.execute("DELETE FROM misswitch_staging.extract_load WHERE school_key = %s AND role = 'new' AND format = 'native'",
                            (element.get("lea") + "/" + element.get("dfe"),))
                cur.execute("INSERT INTO misswitch_staging.extract_load (role, format, school_key, lea_code, dfe_number, urn, school_name, mis_source, source_file) "
                            "VALUES ('new', 'native', %s, %s, %s, %s, %s, %s, %s) RETURNING load_id",
                            (element.get("lea") + "/" + element.get("dfe"), element.get("lea"), element.get("dfe"),
                             element.get("urn"), element.get("name"), mis, path))
                load_id = str(cur.fetchone()[0])
            continue
        line = str(element.sourceline)
        parent = element.getparent()
        row = None
        if tag == "pupil":
            row = ("extract_pupil", [load_id, line, element.get("id")] + [text(element, p) for p in (
                "upn", "legal-forename", "legal-surname", "preferred-forename", "dob", "sex", "year", "reg-group",
                "email", "address/house", "address/street", "address/locality", "address/town", "address/postcode")])
        elif tag == "member" and parent is not None and parent.tag == "staff":
            row = ("extract_staff", [load_id, line, element.get("id")] + [text(element, p) for p in (
                "staff-code", "teacher-number", "ni-number", "legal-forename", "legal-surname", "dob", "sex", "email")])
        elif tag == "contact":
            row = ("extract_contact", [load_id, line, element.get("id")] + [text(element, p) for p in ("title", "forename", "surname")])
        elif tag == "relationship":
            row = ("extract_relationship", [load_id, line, parent.get("id"), element.get("pupil"), element.get("type"),
                                            element.get("parental-responsibility"), element.get("priority")])
        elif tag == "group":
            row = ("extract_group", [load_id, line, element.get("id"), element.get("code"), text(element, "name"),
                                     element.get("kind"), element.get("academic-year")])
        elif tag == "member" and parent is not None and parent.tag == "group":
            row = ("extract_membership", [load_id, line, parent.get("id"), element.get("ref"), element.get("role")])
        if row:
            buffers[row[0]].write("\t".join(esc(v) for v in row[1]) + "\n")
        if tag in ("pupil", "member", "contact", "group", "school"):
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    for table, buffer in buffers.items():
        buffer.seek(0)
        cur.copy_expert("COPY misswitch_staging.%s (%s) FROM STDIN" % (table, ", ".join(COLUMNS[table])), buffer)
    conn.commit()


main(sys.argv[1])
