// Query results for people (an aligned text table) and for programs (JSON).
#pragma once

#include <cstddef>
#include <string>

#include "da/duck/result.hpp"

namespace da::cli {

// At most `limit` rows, aligned, followed by "(N rows)" or "(first N of M rows)".
std::string format_text_table(duck::Result& result, size_t limit);
// RFC 4180 CSV with a header line: every field that holds a comma, quote or line break is
// quoted; NULL is an empty field. At most `limit` rows, without a trailer.
std::string format_csv(duck::Result& result, size_t limit);
// {"columns": [{name, type}], "rows": [[...], ...], "row_count": N, "truncated": bool}
std::string format_json(duck::Result& result, size_t limit);

}  // namespace da::cli
