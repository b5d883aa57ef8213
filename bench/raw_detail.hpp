// Internal to bench/: the small sqlite3 C-API helpers shared by
// raw_sqlite.cpp (writes) and raw_queries.cpp (reads). Not installed, not
// part of folio-bench's interface.
#pragma once

#include "raw_sqlite.hpp"

namespace folio::bench::raw::detail {

[[noreturn]] inline void fail(sqlite3* db, int rc, std::string_view context) {
    std::string msg(context);
    msg += ": ";
    msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw Error(rc, msg);
}

inline void check(sqlite3* db, int rc, std::string_view context) {
    if (rc != SQLITE_OK) fail(db, rc, context);
}

// sqlite3_bind_text with a null pointer binds NULL, and an empty
// string_view may carry one: point it at a real empty string instead.
inline void bind_text(sqlite3_stmt* st, int idx, std::string_view s) {
    const char* p = s.data() ? s.data() : "";
    int rc = sqlite3_bind_text64(st, idx, p, s.size(), SQLITE_STATIC, SQLITE_UTF8);
    check(sqlite3_db_handle(st), rc, "bind");
}

inline void bind_int(sqlite3_stmt* st, int idx, std::int64_t v) {
    check(sqlite3_db_handle(st), sqlite3_bind_int64(st, idx, v), "bind");
}

inline std::string_view column_text(sqlite3_stmt* st, int col) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    // column_bytes must come after column_text (it may convert the value).
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st, col)))
             : std::string_view();
}

// Steps a statement that returns no rows, then resets it for reuse.
inline void step_done(sqlite3_stmt* st) {
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        sqlite3_reset(st);
        fail(sqlite3_db_handle(st), rc, "step");
    }
    sqlite3_reset(st);
}

// Resets a reused statement and drops its binds whichever way a scope ends,
// so no SQLITE_STATIC pointer outlives the caller's buffer.
struct ResetGuard {
    sqlite3_stmt* st;
    ~ResetGuard() {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
};


// Runs a one-row, one-column query (with an optional integer ?1).
inline std::int64_t single_int(sqlite3* db, const char* sql, std::optional<std::int64_t> arg = {}) {
    Stmt st = prepare(db, sql);
    if (arg) bind_int(st.get(), 1, *arg);
    int rc = sqlite3_step(st.get());
    if (rc != SQLITE_ROW) fail(db, rc, sql);
    return sqlite3_column_int64(st.get(), 0);
}

}  // namespace folio::bench::raw::detail
