// sql_text.cpp: SQL text in messages.
#include "lib/backend/sql_text.hpp"

namespace folio::detail {

std::string_view shorten_sql(std::string_view sql) {
    constexpr std::size_t max = 160;
    return sql.size() <= max ? sql : sql.substr(0, max);
}

} // namespace folio::detail
