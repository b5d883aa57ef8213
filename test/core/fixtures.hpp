// Helpers of the core tests: row counts, the denormalized articles_count
// checked against the real one, the SQL of a capture. The fixtures every
// suite shares (temporary directories, blogs, typed-exception checks) are in
// test/support/.
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

// The standard headers the core test files rely on through this one.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <folio/folio.hpp>

#include "support/blog.hpp"
#include "support/expect.hpp"
#include "support/print.hpp"
#include "support/temp_dir.hpp"

namespace folio_test {

inline std::int64_t count_rows(folio::Database& db, const std::string& table) {
    return db.scalar("SELECT COUNT(*) FROM \"" + table + "\"").as_integer();
}

inline std::int64_t stored_articles_count(folio::Database& db, std::int64_t author_id) {
    return db.scalar("SELECT articles_count FROM author WHERE id = ?", {author_id}).as_integer();
}

// Every author's articles_count equals the real number of its articles.
inline void check_articles_counts(folio::Database& db) {
    folio::Statement st = db.prepare(
        "SELECT a.id, a.articles_count, (SELECT COUNT(*) FROM article r WHERE r.author_id = a.id) FROM author a");
    int authors = 0;
    while (st.step()) {
        ++authors;
        BOOST_TEST_CONTEXT("author id " << st.column_int(0)) { BOOST_TEST(st.column_int(1) == st.column_int(2)); }
    }
    BOOST_TEST_MESSAGE("checked articles_count of " << authors << " authors");
}

// Whether a table, index or trigger called `name` exists in `db` (this run's
// backend: SQLite's sqlite_schema holds all three; on PostgreSQL a relation
// on the search_path, or a trigger of a table in the current schema).
inline bool table_exists(folio::Database& db, const std::string& name) {
    if (!on_postgresql())
        return db.scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = ?", {name}).as_integer() == 1;
    return db.scalar("SELECT (to_regclass(?) IS NOT NULL)::int + (SELECT count(*) FROM pg_trigger t JOIN pg_class c "
                     "ON c.oid = t.tgrelid WHERE t.tgname = ? AND c.relnamespace = current_schema()::regnamespace)",
                     {name, name})
               .as_integer() == 1;
}

// The schema version as the database stores it: SQLite's user_version, the
// rows of PostgreSQL's folio_migrations (one per applied migration).
inline std::int64_t stored_schema_version(folio::Database& db) {
    return db.scalar(on_postgresql() ? "SELECT count(*) FROM folio_migrations" : "PRAGMA user_version").as_integer();
}

// Makes `db` say it is at schema `version` as another program (or a newer
// folio) would leave it: SQLite's user_version; on PostgreSQL that many rows
// in folio_migrations, of names this folio never wrote.
inline void store_schema_version(folio::Database& db, int version) {
    if (!on_postgresql()) {
        db.execute("PRAGMA user_version = " + std::to_string(version));
        return;
    }
    db.execute("CREATE TABLE IF NOT EXISTS folio_migrations (name text PRIMARY KEY)");
    db.execute("DELETE FROM folio_migrations");
    db.execute("INSERT INTO folio_migrations (name) SELECT 'future_' || n FROM generate_series(1, ?) AS n", {version});
}

// The SQL of the counted statements of a capture, for messages.
inline std::string dump(const folio::QueryCapture& q) {
    std::string out;
    for (const auto& s : q.all()) out += s.to_string() + "\n";
    return out;
}

} // namespace folio_test
