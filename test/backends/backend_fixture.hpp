// The backend fixture of the conformance suite: a fresh folio::Database on
// the backend FOLIO_TEST_BACKEND names ("sqlite-memory", "sqlite-file",
// "postgresql"; sqlite-memory when unset), on a database of its own
// (support/backend.hpp: a schema of its own on PostgreSQL), so cases are
// independent.
#pragma once
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <memory>
#include <ostream>
#include <string>

#include "folio/database.hpp"
#include "folio/value.hpp"
#include "support/backend.hpp"

namespace folio {
inline std::ostream& boost_test_print_type(std::ostream& os, const Value& v) { return os << v.repr(); }
} // namespace folio

namespace folio_backend_test {

using folio_test::backend_name;
using folio_test::on_postgresql;

class BackendFixture {
public:
    BackendFixture() : db_(std::make_unique<folio::Database>(where_.target())) {}
    ~BackendFixture() { db_.reset(); }  // before where_ drops the database
    BackendFixture(const BackendFixture&) = delete;
    BackendFixture& operator=(const BackendFixture&) = delete;

    folio::Database& db() { return *db_; }
    // What Database and Blog::open take for this case's database.
    const std::string& target() const { return where_.target(); }
    // One more connection to the same database (not for :memory:).
    std::unique_ptr<folio::Database> reopen() const { return std::make_unique<folio::Database>(where_.target()); }

private:
    folio_test::TestDatabaseTarget where_;
    std::unique_ptr<folio::Database> db_;
};

} // namespace folio_backend_test
