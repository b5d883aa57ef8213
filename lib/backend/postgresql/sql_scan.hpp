// sql_scan.hpp (internal): reading PostgreSQL SQL text just enough to number
// folio's "?" placeholders ($1, $2...) and to cut a script into statements,
// skipping what is not code: '...' and E'...' strings, "..." names,
// $tag$...$tag$ bodies (PL/pgSQL), -- and /* */ comments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace folio::backend::postgresql {

// `sql` with each "?" outside strings, names, bodies and comments replaced by
// $1, $2, ... in order of appearance; SQLite's numbered "?NNN" becomes $NNN
// (and a bare "?" after it $NNN+1, as SQLite numbers it).
std::string number_placeholders(std::string_view sql);

// `script`'s statements, cut at semicolons outside strings, names, bodies and
// comments; blank pieces dropped.
std::vector<std::string> split_statements(std::string_view script);

} // namespace folio::backend::postgresql
