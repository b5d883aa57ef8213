// operations.cpp: the standard SQL both dialects share, spelled once: the
// transaction verbs and savepoints (SQL's own spelling, which SQLite and
// PostgreSQL both take), the CREATE/DROP INDEX DDL, and the script
// sqlmigrate prints. A dialect overrides only what it spells otherwise
// (SQLite's BEGIN IMMEDIATE).
#include "lib/backend/operations.hpp"

#include <fmt/format.h>

namespace folio::backend {

// Savepoint names are folio's own (folio_sp_1, ...), never user input: bare.
namespace standard_sql {
std::string_view begin() { return "BEGIN"; }
std::string_view commit() { return "COMMIT"; }
std::string_view rollback() { return "ROLLBACK"; }
std::string savepoint(std::string_view name) { return fmt::format("SAVEPOINT {}", name); }
std::string release_savepoint(std::string_view name) { return fmt::format("RELEASE SAVEPOINT {}", name); }
std::string rollback_to_savepoint(std::string_view name) { return fmt::format("ROLLBACK TO SAVEPOINT {}", name); }
} // namespace standard_sql

std::string Operations::migration_script(const Migration& m) const {
    // What migrate runs: the script and the version bump in one transaction
    // (sqlmigrate, as Django's, shows the transaction but not the bookkeeping).
    return fmt::format("{};\n{}\n{};\n", standard_sql::begin(), m.sql, standard_sql::commit());
}

std::string Operations::create_index_sql(std::string_view index, std::string_view table,
                                         std::string_view column) const {
    return fmt::format("CREATE INDEX {} ON {} ({})", quote_name(index), quote_name(table), quote_name(column));
}

std::string Operations::drop_index_sql(std::string_view index) const { return "DROP INDEX " + quote_name(index); }

} // namespace folio::backend
