// backend.hpp: which database backend a test run uses, and a fresh, private
// database on it. The conformance suites run once per backend from one source:
// meson registers each suite with FOLIO_TEST_BACKEND set to "sqlite-memory",
// "sqlite-file" or "postgresql" (unset means sqlite-memory). PostgreSQL runs
// need a server: FOLIO_TEST_PG, a libpq conninfo (tools/with-postgres.sh and
// .ci/run set it); without it such a run exits 77, which meson reports as SKIP.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "folio/database.hpp"

namespace folio_test {

inline std::string backend_name() {
    const char* b = std::getenv("FOLIO_TEST_BACKEND");
    return b && *b ? b : "sqlite-memory";
}

inline bool on_postgresql() { return backend_name() == "postgresql"; }

// Hand-written SQL (a test's oracle) in this run's spelling: on PostgreSQL
// numbered parameters ?N become $N (folio's ? numbering would read ?1 as ?
// then 1) and instr(a, b) its twin strpos(a, b); unchanged on SQLite.
inline std::string in_backend_spelling(std::string sql) {
    if (!on_postgresql()) return sql;
    for (std::size_t at = sql.find('?'); at != std::string::npos; at = sql.find('?', at + 1)) sql[at] = '$';
    for (std::size_t at = sql.find("instr("); at != std::string::npos; at = sql.find("instr(", at + 7))
        sql.replace(at, 6, "strpos(");
    return sql;
}

// The PostgreSQL server of this run ("" when FOLIO_TEST_PG is unset).
inline std::string postgresql_server() {
    const char* s = std::getenv("FOLIO_TEST_PG");
    return s ? s : "";
}

// For a suite's main(): true (after saying why on stdout) when this run needs
// a PostgreSQL server and has none, so main returns 77 (meson's SKIP) and the
// skip is visible in meson's summary instead of passing silently.
inline bool skip_without_server(bool needs_server, std::string_view suite) {
    if (!needs_server || !postgresql_server().empty()) return false;
    std::printf("FOLIO_TEST_PG is not set: the PostgreSQL run of %.*s is skipped "
                "(run it with tools/with-postgres.sh meson test -C build)\n",
                static_cast<int>(suite.size()), suite.data());
    return true;
}

// `server` (a libpq conninfo: key=value words or a postgresql:// URI) with
// libpq's options set so that the session's search_path is `schema`: the way a
// private database on a shared server is reached (a URI takes it as a query
// parameter, percent-encoded; key=value text as one more keyword).
inline std::string with_search_path(const std::string& server, const std::string& schema) {
    const bool uri = server.rfind("postgresql://", 0) == 0 || server.rfind("postgres://", 0) == 0;
    if (uri) return server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + schema;
    return server + " options='-c search_path=" + schema + "'";
}

// A schema of its own on a PostgreSQL server, created empty (an old one of
// that name is dropped first) and dropped with everything in it when this
// object goes, unless keep() was called. Connections opened on target() work
// in it alone. `schema` must be a plain identifier (letters, digits, _).
class PostgresqlSchema {
public:
    PostgresqlSchema(const std::string& server, std::string schema)
        : admin_(std::make_unique<folio::Database>(server)), schema_(std::move(schema)),
          target_(with_search_path(server, schema_)) {
        admin_->execute_script("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE; CREATE SCHEMA \"" + schema_ + "\"");
    }
    ~PostgresqlSchema() {
        if (keep_) return;
        try {
            admin_->execute("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
        } catch (...) {  // a destructor must not throw; a throwaway server goes anyway
        }
    }
    PostgresqlSchema(const PostgresqlSchema&) = delete;
    PostgresqlSchema& operator=(const PostgresqlSchema&) = delete;

    const std::string& name() const { return schema_; }
    // What folio::Database and folio::Blog::open take for this schema.
    const std::string& target() const { return target_; }
    // Leaves the schema on the server when this object goes (for inspection).
    void keep() { keep_ = true; }

private:
    std::unique_ptr<folio::Database> admin_;
    std::string schema_;
    std::string target_;
    bool keep_ = false;
};

// A fresh, empty database on this run's backend, private to one test case
// and removed at the end of its scope: a new file in a new temporary
// directory (sqlite-file), ":memory:" (sqlite-memory, so every connection to
// target() is a different database), or a new schema on the server reached
// through libpq's options='-c search_path=...' (postgresql).
class TestDatabaseTarget {
public:
    // For a case that opens a second connection to its database: on the
    // sqlite-memory run it gets a file, as on sqlite-file.
    static constexpr bool reachable_twice = true;

    explicit TestDatabaseTarget(bool second_connection = false)
        : TestDatabaseTarget(backend_name(), second_connection) {}

    // A database on `backend` ("sqlite-memory", "sqlite-file", "postgresql"),
    // whatever this run's FOLIO_TEST_BACKEND is.
    TestDatabaseTarget(const std::string& backend, bool second_connection) {
        static std::atomic<int> counter{0};
        const int n = counter++;
        const std::string tag = std::to_string(::getpid()) + "_" + std::to_string(n);
        if (backend == "postgresql") {
            const std::string server = postgresql_server();
            if (server.empty()) throw std::runtime_error("FOLIO_TEST_BACKEND=postgresql needs FOLIO_TEST_PG");
            schema_ = std::make_unique<PostgresqlSchema>(server, "folio_t" + tag);
            target_ = schema_->target();
        } else if (backend == "sqlite-file" || (backend == "sqlite-memory" && second_connection)) {
            dir_ = std::filesystem::temp_directory_path() / ("folio_backend_" + tag);
            std::filesystem::create_directories(dir_);
            target_ = (dir_ / "test.sqlite3").string();
        } else if (backend == "sqlite-memory") {
            target_ = ":memory:";
        } else {
            throw std::runtime_error("unknown FOLIO_TEST_BACKEND " + backend);
        }
    }
    ~TestDatabaseTarget() {
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }
    TestDatabaseTarget(const TestDatabaseTarget&) = delete;
    TestDatabaseTarget& operator=(const TestDatabaseTarget&) = delete;

    // What folio::Database and folio::Blog::open take for this database.
    const std::string& target() const { return target_; }
    // True when two opens of target() reach the same database (not :memory:).
    bool shared() const { return target_ != ":memory:"; }

private:
    std::unique_ptr<PostgresqlSchema> schema_;
    std::filesystem::path dir_;
    std::string target_;
};

} // namespace folio_test
