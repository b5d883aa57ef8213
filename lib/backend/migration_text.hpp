// migration_text.hpp (internal): a backend's schema history as constant data.
//
// Each backend spells its migrations as a constexpr table of MigrationText
// (name and SQL as string_views into the program's read-only data) and
// builds the folio::Migration list the API hands out from it once, in one
// function-local static. Nothing is constructed at start-up, each text is
// copied once (not into a temporary initializer list and then again), and
// the table is the whole history in order, as Django's migration files are.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "folio/migrations.hpp"

namespace folio::backend {

struct MigrationText {
    std::string_view name;  // "0002_article_comments_on"
    std::string_view sql;   // one or more statements
};

// The migrations of `history`, in its order.
inline std::vector<Migration> migration_list(std::span<const MigrationText> history) {
    std::vector<Migration> out;
    out.reserve(history.size());
    for (const MigrationText& m : history) out.push_back({std::string(m.name), std::string(m.sql)});
    return out;
}

} // namespace folio::backend
