// The backend fixture of the conformance suite: a fresh folio::Database on
// the backend FOLIO_TEST_BACKEND names ("sqlite-memory", "sqlite-file",
// "postgresql"; sqlite-memory when unset). On PostgreSQL each case gets a
// schema of its own on the server of FOLIO_TEST_PG (created here, dropped
// with everything in it at the end), reached through libpq's
// options='-c search_path=...', so cases are independent.
#pragma once
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include <fmt/format.h>

#include "folio/database.hpp"
#include "folio/value.hpp"

namespace folio {
inline std::ostream& boost_test_print_type(std::ostream& os, const Value& v) { return os << v.repr(); }
} // namespace folio

namespace folio_backend_test {

inline std::string backend_name() {
    const char* b = std::getenv("FOLIO_TEST_BACKEND");
    return b && *b ? b : "sqlite-memory";
}

inline bool on_postgresql() { return backend_name() == "postgresql"; }

class BackendFixture {
public:
    BackendFixture() {
        static std::atomic<int> counter{0};
        const int n = counter++;
        const std::string backend = backend_name();
        if (backend == "postgresql") {
            const std::string server = std::getenv("FOLIO_TEST_PG");
            admin_ = std::make_unique<folio::Database>(server);
            schema_ = fmt::format("folio_b{}_{}", ::getpid(), n);
            admin_->execute_script(fmt::format("DROP SCHEMA IF EXISTS \"{0}\" CASCADE; CREATE SCHEMA \"{0}\"", schema_));
            target_ = server + fmt::format(" options='-c search_path={}'", schema_);
        } else if (backend == "sqlite-file") {
            dir_ = std::filesystem::temp_directory_path() / fmt::format("folio_backends_{}_{}", ::getpid(), n);
            std::filesystem::create_directories(dir_);
            target_ = (dir_ / "test.sqlite3").string();
        } else {
            BOOST_REQUIRE_MESSAGE(backend == "sqlite-memory", "unknown FOLIO_TEST_BACKEND " + backend);
            target_ = ":memory:";
        }
        db_ = std::make_unique<folio::Database>(target_);
    }
    ~BackendFixture() {
        db_.reset();
        if (admin_) {
            try {
                admin_->execute(fmt::format("DROP SCHEMA IF EXISTS \"{}\" CASCADE", schema_));
            } catch (...) {
            }
        }
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }
    BackendFixture(const BackendFixture&) = delete;
    BackendFixture& operator=(const BackendFixture&) = delete;

    folio::Database& db() { return *db_; }
    // What Database and Blog::open take for this case's database.
    const std::string& target() const { return target_; }
    // One more connection to the same database (not for :memory:).
    std::unique_ptr<folio::Database> reopen() const { return std::make_unique<folio::Database>(target_); }

private:
    std::unique_ptr<folio::Database> admin_;
    std::string schema_;
    std::filesystem::path dir_;
    std::string target_;
    std::unique_ptr<folio::Database> db_;
};

} // namespace folio_backend_test
