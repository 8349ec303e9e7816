"""Writes sql/reference/icd10cm-<release>.tsv from the ICD-10-CM release that the PyPI package
simple-icd-10-cm bundles (the CDC/NCHS tabular XML and code list). Development time only: nothing
runs this at run time, and the TSV it writes is what sql/0012_icd10cm.sql loads.

    python3 -m venv /tmp/icd && /tmp/icd/bin/pip install simple-icd-10-cm==1.5.0
    /tmp/icd/bin/python tools/icd10cm-extract.py sql/reference/icd10cm-fy2026-april.tsv

One line per category, subcategory and code (chapters and blocks are left out), sorted by code in
byte order: code with its dot, description, chapter number, billable (t: a code with no children,
which is what a claim may carry; f: a category or subcategory heading).
"""

import sys

import simple_icd_10_cm as icd

rows = []
for code in icd.get_all_codes(True):
    if icd.is_chapter_or_block(code):
        continue
    # A seventh character whose title has a note in the XML comes joined as "title/\tnote"; the
    # code's description is the title alone, as in CMS's tabular-order file.
    description = " ".join(icd.get_description(code).split("/\t")[0].split())
    assert description and "\\" not in description, code
    chapter = int(icd.get_ancestors(code)[-1])
    rows.append((code, description, chapter, icd.is_leaf(code)))
rows.sort(key=lambda r: r[0].encode())
assert len({r[0] for r in rows}) == len(rows)

with open(sys.argv[1], "w", encoding="utf-8", newline="\n") as out:
    out.write("code\tdescription\tchapter\tbillable\n")
    for code, description, chapter, billable in rows:
        out.write(f"{code}\t{description}\t{chapter}\t{'t' if billable else 'f'}\n")
print(f"{len(rows)} codes, {sum(r[3] for r in rows)} billable", file=sys.stderr)
