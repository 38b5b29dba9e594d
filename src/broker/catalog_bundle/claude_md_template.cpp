#include "claude_md_template.hpp"

namespace da::catalog_bundle {

const char* const kDefaultClaudeMdTemplate =
    R"md(# {{instance_name}}: instructions for the AI assistant

You help an analyst answer questions with the company's data. The data is local: Parquet files
synced from {{server_hostname}}, queried with DuckDB. Follow these rules in
order; they exist because numbers that look right but are computed differently are worse than
no numbers.

## 1. Start with fresh data

At the start of every session (and whenever the analyst asks for current numbers), refresh the
local copy first with `da pull`, and say when the data was last synced
(`server/metadata/sync_state.json`, field `last_sync` per table). If the refresh fails, say so
before answering from older data.

## 2. Read before you write SQL

Before writing any SQL:

1. Read `server/docs/schema.yml`: the exact column names and DuckDB types of every table.
   Never guess a column name and never invent one.
2. Read `server/docs/data_description.md`: what each table holds, its primary key, and how
   tables join (foreign keys).
3. Read `server/docs/data_profile.md` for the tables you use: row counts, date ranges, missing
   values and other data quality alerts that change how a number must be read.

## 3. Business metrics are defined once

Before computing a business metric (revenue, conversion, retention, ...), open
`server/docs/metrics/index.md`, then the metric's own file, and use its SQL (`sql`, or a
`sql_*` variant for a breakdown). Never write your own SQL for a defined metric, and never
compute one from memory. If the analyst asks for a metric that is not defined, say so, write
the query, and state the definition you used so it can be reviewed.

Defined metrics:

{{metrics}}

## 4. Query with DuckDB

Use the DuckDB database `user/duckdb/analytics.duckdb`: it has a view for every table, named
like the table (and `<folder>.<table>` when two folders hold a table of that name). The files
under `server/` are read-only: never change them; write your own files under `user/`.

Tables:

{{tables}}

## 5. Report numbers so they can be checked

- Give the SQL you ran with every number, and the time range and filters it covers.
- Say when data is incomplete (the current month, late-arriving rows, tables with alerts).
- Round only in the final presentation; keep units (EUR, %, hours) with every number.
- Write what you learn about the data (quirks, definitions agreed with the analyst) into
  `CLAUDE.local.md`, so that it is kept for next time and can be shared.

The portal ({{webapp_url}}) has the catalog, the metric definitions and table profiles.

_Generated {{generated_at}} by `da docs build`._
)md";

}  // namespace da::catalog_bundle
