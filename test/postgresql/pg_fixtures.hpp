// Shared fixtures of the PostgreSQL suite: the server from FOLIO_TEST_PG, a
// schema of its own per test case (created at the start, dropped with
// everything in it at the end, so cases are independent and may run in any
// order), and helpers to build conninfos. Typed-exception checks are the
// suites' shared ones (test/support/expect.hpp).
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "folio/value.hpp"
#include "lib/backend/postgresql/connection.hpp"
#include "lib/backend/postgresql/statement.hpp"

#include "support/expect.hpp"
#include "support/print.hpp"

namespace folio_pg_test {

using namespace folio::backend::postgresql;

inline std::string server() {
    const char* s = std::getenv("FOLIO_TEST_PG");
    return s ? s : "";
}

// An identifier of folio's tests, quoted; never user input.
inline std::string quoted_identifier(std::string_view name) { return fmt::format("\"{}\"", name); }

// One schema per test case, with an administrative connection to the
// server's database (the role of FOLIO_TEST_PG, a superuser in CI).
class Schema {
public:
    Schema() : admin_(server()) {
        static std::atomic<int> counter{0};
        name_ = fmt::format("folio_t{}_{}", ::getpid(), counter++);
        admin_.execute_script(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", quoted_identifier(name_)));
    }
    ~Schema() {
        try {
            admin_.execute_script(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", quoted_identifier(name_)));
        } catch (...) {
        }
    }
    Schema(const Schema&) = delete;
    Schema& operator=(const Schema&) = delete;

    // A new connection whose tables live in this schema.
    std::unique_ptr<Connection> connect(ConnectionOptions options = {}) const {
        auto c = std::make_unique<Connection>(server(), options);
        c->execute_script(fmt::format("SET search_path TO {}", quoted_identifier(name_)));
        return c;
    }
    Connection& admin() { return admin_; }
    const std::string& name() const { return name_; }

    // A key=value conninfo for the same server as FOLIO_TEST_PG, with
    // another database, user or password.
    std::string conninfo(std::string_view dbname, std::string_view user, std::string_view password = {}) {
        std::string s = fmt::format("host='{}' port='{}' dbname='{}' user='{}' connect_timeout=10",
                                    admin_.endpoint().host, admin_.endpoint().port, dbname, user);
        if (!password.empty()) s += fmt::format(" password='{}'", password);
        return s;
    }

private:
    Connection admin_;
    std::string name_;
};

// A test case's schema and one connection to it.
struct PgFixture {
    Schema schema;
    std::unique_ptr<Connection> conn = schema.connect();
    Connection& db() { return *conn; }
};

using folio_test::contains;
using folio_test::message_of;

inline std::int64_t count_rows(Connection& c, std::string_view table) {
    return c.scalar(fmt::format("SELECT count(*) FROM {}", quoted_identifier(table))).as_integer();
}

} // namespace folio_pg_test
