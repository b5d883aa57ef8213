// sql_text.hpp (internal): SQL text in messages, for every backend.
#pragma once

#include <string_view>

namespace folio::detail {

// SQL shortened for messages: long statements are cut so one line stays readable.
std::string_view shorten_sql(std::string_view sql);

} // namespace folio::detail
