#!/usr/bin/env python3
"""Fails when SQL names a state-store table outside the repository files that own it.

usage: check_table_owners.py <source dir>

The tables are those the state_schema.cpp files create (and the store's own, in
src/store/migrations.cpp); their owners and repository files are the table "State tables and
their owners" in docs/architecture.md. Every C++ string literal (adjacent literals joined) that
reads as SQL is scanned for the table names it mentions. Tests and benchmarks may read any
table and are not scanned.
"""
import bisect
import os
import re
import sys

SCANNED_ROOTS = ["src", "services", "auth", "connectors", "webapp"]
SKIPPED_FOLDERS = {"build", "third_party", "node_modules", ".git"}
SCHEMA_SOURCE = "state_schema.cpp"
# The store's own tables: the record of applied migrations.
STORE_SCHEMA = "src/store/migrations.cpp"
DOC = "docs/architecture.md"
SECTION = "## State tables and their owners"
# Upper case, as every SQL statement of the code is written; a fragment of one counts too.
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|REPLACE|FROM|JOIN|INTO|WHERE)\s")
# A migration's foreign keys name the tables of the namespaces it is applied after.
FOREIGN_KEY = re.compile(r"\bREFERENCES\s+\w+")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def literals(text):
    """The string literals of C++ source `text`, adjacent ones joined: [(line, value)]."""
    found, i, n = [], 0, len(text)
    joining = None  # index in found of the literal that a following one continues

    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_at(pos):
        return bisect.bisect_left(newlines, pos) + 1

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        raw = re.match(r'(?:u8|u|U|L)?R"([^()\\\s]{0,16})\(', text[i:i + 40])
        if raw and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            close = ")" + raw.group(1) + '"'
            start = i + raw.end()
            end = text.find(close, start)
            end = n if end < 0 else end
            value, i = text[start:end], end + len(close)
        elif c == '"':
            j, value = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\n":
                    raise ValueError(f"line {line_at(i)}: a string literal that does not end on its line")
                if text[j] == "\\" and j + 1 < n:
                    value.append(text[j:j + 2])
                    j += 2
                else:
                    value.append(text[j])
                    j += 1
            start, value, i = i, "".join(value), j + 1
        elif c == "'" and 0 < i < n - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
            i += 1  # a digit separator: 3'600
            continue
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            if j - i > 12:
                raise ValueError(f"line {line_at(i)}: a character literal that does not end soon")
            i = j + 1
            joining = None
            continue
        else:
            if not c.isspace():
                joining = None
            i += 1
            continue
        if joining is not None:
            line, before = found[joining]
            found[joining] = (line, before + value)
        else:
            found.append((line_at(start), value))
            joining = len(found) - 1
    return found


def tables_created(path):
    """The tables that the migrations in `path` leave, in the order they run."""
    text = "\n".join(value for _, value in literals(open(path, encoding="utf-8").read()))
    tables = []
    statement = re.compile(r"\b(?:CREATE TABLE(?: IF NOT EXISTS)?\s+(\w+)|DROP TABLE(?: IF EXISTS)?\s+(\w+)"
                           r"|ALTER TABLE\s+(\w+)\s+RENAME TO\s+(\w+))")
    for created, dropped, renamed, to in statement.findall(text):
        if created and created not in tables:
            tables.append(created)
        elif dropped and dropped in tables:
            tables.remove(dropped)
        elif renamed and renamed in tables:
            tables[tables.index(renamed)] = to
    return tables


def documented_owners(root):
    """{table: (owner folder, [repository files], line)} from the section of the doc."""
    lines = open(os.path.join(root, DOC), encoding="utf-8").read().splitlines()
    if SECTION not in lines:
        sys.exit(f"{DOC}: no section '{SECTION}'")
    rows = {}
    for number in range(lines.index(SECTION) + 1, len(lines)):
        line = lines[number]
        if line.startswith("## "):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        owner = cells[1].strip("`")
        files = [os.path.join(owner, name) for name in re.findall(r"`([^`]+)`", cells[2])]
        for table in re.findall(r"`([^`]+)`", cells[0]):
            rows[table] = (owner, files, number + 1)
    return rows


def source_files(root):
    for scanned in SCANNED_ROOTS:
        for folder, subfolders, names in os.walk(os.path.join(root, scanned)):
            subfolders[:] = [s for s in subfolders if s not in SKIPPED_FOLDERS]
            for name in names:
                if name.endswith((".cpp", ".hpp", ".h")):
                    yield os.path.join(folder, name)


def main():
    root = os.path.realpath(sys.argv[1])
    problems = []
    owners = {}  # table -> (owner folder, schema file)
    schemas = [STORE_SCHEMA]
    for path in source_files(root):
        if os.path.basename(path) == SCHEMA_SOURCE:
            schemas.append(os.path.relpath(path, root))
    for schema in sorted(schemas):
        for table in tables_created(os.path.join(root, schema)):
            if table in owners:
                problems.append(f"{schema}: table {table} is created by {owners[table][1]} too")
            owners[table] = (os.path.dirname(schema), schema)

    documented = documented_owners(root)
    for table, (owner, schema) in sorted(owners.items()):
        if table not in documented:
            problems.append(f"{DOC}: table {table} (created in {schema}) is missing from "
                            f"'{SECTION}': add its owner ({owner}) and repository file")
        elif documented[table][0] != owner:
            problems.append(f"{DOC}:{documented[table][2]}: table {table} is owned by {owner} "
                            f"(it is created in {schema}), not {documented[table][0]}")
    for table, (_, _, line) in sorted(documented.items()):
        if table not in owners:
            problems.append(f"{DOC}:{line}: table {table} is created by no state schema")

    used = {}  # (table, file) -> line
    for path in sorted(source_files(root)):
        relative = os.path.relpath(path, root)
        try:
            found = literals(open(path, encoding="utf-8", errors="replace").read())
        except ValueError as e:  # the scan went wrong: say so rather than miss SQL
            problems.append(f"{relative}: cannot read its string literals: {e}")
            continue
        for line, value in found:
            if not SQL.search(value):
                continue
            if os.path.basename(path) == SCHEMA_SOURCE:
                value = FOREIGN_KEY.sub("", value)
            for word in set(WORD.findall(value)):
                if word in owners:
                    used.setdefault((word, relative), line)
    for (table, relative), line in sorted(used.items()):
        owner, schema = owners[table]
        allowed = {schema} | set(documented.get(table, ("", [], 0))[1])
        if relative not in allowed:
            problems.append(
                f"{relative}:{line}: SQL names table {table}, which only {', '.join(sorted(allowed))} "
                f"(its owner {owner}) may read and write: call the owner's repository, or list this "
                f"file in '{SECTION}' of {DOC} if it is one")
    for table, (owner, files, line) in sorted(documented.items()):
        for file in files:
            if (table, file) not in used:
                problems.append(f"{DOC}:{line}: {file} is listed for table {table} but runs no SQL on it")

    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problems with the owners of state tables")
        return 1
    print(f"state tables: {len(owners)} tables, each read and written only by its owner's repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
