// folio-bench-pg-raw: guide sections 1 and 13 on PostgreSQL, hand-written
// libpq code (raw_postgresql.hpp, the backend's limit) next to folio's libpq
// client (lib/backend/postgresql) doing the same work, ratios from one run.
// Not yet folio-bench sections: those need folio::Database on PostgreSQL.
//
//   folio-bench-pg-raw --db "$FOLIO_TEST_PG" [--authors 100000] [--lookups 20000] [--runs 3]
//
// Works in a schema of its own (folio_bench_<pid>), dropped at the end.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "lib/backend/postgresql/connection.hpp"
#include "lib/backend/postgresql/migrations.hpp"
#include "lib/backend/postgresql/statement.hpp"
#include "raw_postgresql.hpp"

namespace pgc = folio::backend::postgresql;
namespace raw = folio::bench::raw;

namespace {

volatile std::int64_t g_sink = 0;

double seconds(const std::function<void()>& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::vector<raw::RawAuthor> make_authors(std::size_t n) {
    std::vector<raw::RawAuthor> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        out.push_back({fmt::format("author{}", i), fmt::format("author{}@example.com", i),
                       fmt::format("Bio of author {}: writes about databases.", i)});
    return out;
}

// The same multi-row INSERT through folio's client: Values bound to a cached Statement.
std::size_t client_insert_authors(pgc::Connection& c, const std::vector<raw::RawAuthor>& authors) {
    const std::size_t per = std::min(authors.size(), raw::pg::rows_per_insert(3));
    std::size_t next = 0, statements = 0;
    auto sql_for = [](std::size_t rows) {
        std::string sql = R"(INSERT INTO "author" ("username", "email", "bio") VALUES )";
        for (std::size_t r = 0; r < rows; ++r)
            sql += fmt::format("{}(${},${},${})", r ? "," : "", 3 * r + 1, 3 * r + 2, 3 * r + 3);
        return sql;
    };
    c.execute_script("BEGIN");
    auto run = [&](std::size_t width, std::size_t batches) {
        if (batches == 0) return;
        pgc::Statement st(c, sql_for(width));
        for (std::size_t b = 0; b < batches; ++b) {
            int p = 1;
            for (std::size_t r = 0; r < width; ++r, ++next) {
                st.bind(p++, folio::Value(authors[next].username));
                st.bind(p++, folio::Value(authors[next].email));
                st.bind(p++, folio::Value(authors[next].bio));
            }
            st.execute();
            st.reset();
            ++statements;
        }
    };
    run(per, authors.size() / per);
    run(authors.size() % per, authors.size() % per ? 1 : 0);
    c.execute_script("COMMIT");
    return statements;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"folio-bench-pg-raw: sections 1 and 13 on PostgreSQL, raw libpq vs folio's client"};
    std::string db = std::getenv("FOLIO_TEST_PG") ? std::getenv("FOLIO_TEST_PG") : "";
    std::size_t authors = 100000, lookups = 20000;
    int runs = 3;
    app.add_option("--db", db, "libpq conninfo or postgresql:// URI (default: $FOLIO_TEST_PG)");
    app.add_option("--authors", authors, "authors inserted in section 1")->check(CLI::Range(1, 10000000));
    app.add_option("--lookups", lookups, "primary-key lookups in section 13")->check(CLI::Range(1, 10000000));
    app.add_option("--runs", runs, "timed runs per variant (median)")->check(CLI::Range(1, 100));
    CLI11_PARSE(app, argc, argv);
    if (db.empty()) {
        std::cerr << "folio-bench-pg-raw: give --db or set FOLIO_TEST_PG\n";
        return 2;
    }
    try {
        pgc::Connection c(db);
        const std::string schema = fmt::format("folio_bench_{}", ::getpid());
        c.execute_script(fmt::format("CREATE SCHEMA \"{0}\"; SET search_path TO \"{0}\"", schema));
        struct Drop {
            pgc::Connection& c;
            std::string schema;
            ~Drop() {
                try {
                    c.execute_script(fmt::format("DROP SCHEMA \"{}\" CASCADE", schema));
                } catch (...) {
                }
            }
        } drop{c, schema};
        pgc::Migrator(c, pgc::postgresql_migrations()).migrate();
        PGconn* h = c.handle();
        auto empty = [&] { c.execute_script(R"(TRUNCATE "author" RESTART IDENTITY CASCADE)"); };

        fmt::print("PostgreSQL {}, {}\n", c.scalar("SHOW server_version").as_text(), c.endpoint().describe());
        fmt::print("{:<44} {:>6} {:>12} {:>8}\n", "section / variant", "stmts", "median", "ratio");
        // §1, the guide's 200 authors: one by one vs one statement.
        const auto small = make_authors(200);
        std::vector<double> one, multi;
        std::size_t one_n = 0, multi_n = 0;
        for (int r = 0; r < runs; ++r) {
            empty();
            one.push_back(seconds([&] { one_n = raw::pg::insert_authors_one_by_one(h, small); }));
            empty();
            multi.push_back(seconds([&] { multi_n = raw::pg::insert_authors(h, small); }));
        }
        fmt::print("{:<44} {:>6} {:>10.2f}ms {:>8}\n", "1 raw libpq, 200 authors one by one", one_n, median(one) * 1e3, "");
        fmt::print("{:<44} {:>6} {:>10.2f}ms {:>7.2f}x\n", "1 raw libpq, 200 authors multi-row", multi_n,
                   median(multi) * 1e3, median(multi) / median(one));
        // §1 at scale: raw vs folio's client, alternating.
        const auto many = make_authors(authors);
        std::vector<double> raw_t, client_t;
        std::size_t raw_n = 0, client_n = 0;
        for (int r = 0; r < runs; ++r) {
            empty();
            raw_t.push_back(seconds([&] { raw_n = raw::pg::insert_authors(h, many); }));
            empty();
            client_t.push_back(seconds([&] { client_n = client_insert_authors(c, many); }));
        }
        if (c.scalar(R"(SELECT count(*) FROM "author")").as_integer() != static_cast<std::int64_t>(authors))
            throw std::runtime_error("section 1: wrong number of authors inserted");
        fmt::print("{:<44} {:>6} {:>10.1f}ms {:>8}  ({:.0f} rows/s)\n", fmt::format("1 raw libpq multi-row ({})", authors),
                   raw_n, median(raw_t) * 1e3, "", authors / median(raw_t));
        fmt::print("{:<44} {:>6} {:>10.1f}ms {:>7.2f}x  ({:.0f} rows/s)\n",
                   fmt::format("1 folio client multi-row ({})", authors), client_n, median(client_t) * 1e3,
                   median(client_t) / median(raw_t), authors / median(client_t));

        // §13: primary-key lookups, raw PQexecPrepared vs folio's cached Statement.
        std::vector<std::int64_t> ids;
        std::uint64_t x = 88172645463325252ULL;
        for (std::size_t i = 0; i < lookups; ++i) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            ids.push_back(1 + static_cast<std::int64_t>(x % authors));
        }
        raw::pg::prepare_author_lookup(h, "raw_lookup");
        const char* sql = R"(SELECT "id", "username", "email", "bio", "articles_count" FROM "author" WHERE "id" = $1)";
        std::vector<double> raw_l, client_l;
        for (int r = 0; r < runs; ++r) {
            raw_l.push_back(seconds([&] {
                for (std::int64_t id : ids) g_sink = raw::pg::find_author_by_id(h, "raw_lookup", id)->id;
            }));
            client_l.push_back(seconds([&] {
                for (std::int64_t id : ids) {
                    pgc::Statement st(c, sql);
                    st.bind(1, folio::Value(id));
                    if (!st.step()) throw std::runtime_error("section 13: missing author");
                    raw::AuthorRow row{st.column(0).as_integer(), std::string(st.column_text(1)),
                                       std::string(st.column_text(2)), std::string(st.column_text(3)),
                                       st.column(4).as_integer()};
                    g_sink = row.id;
                    st.reset();
                }
            }));
        }
        const auto stats = c.statement_cache().stats();
        const double raw_us = median(raw_l) / static_cast<double>(lookups) * 1e6;
        const double client_us = median(client_l) / static_cast<double>(lookups) * 1e6;
        fmt::print("{:<44} {:>6} {:>10.2f}us {:>8}\n", fmt::format("13 raw libpq pk lookup ({}x)", lookups), 1, raw_us, "");
        fmt::print("{:<44} {:>6} {:>10.2f}us {:>7.2f}x  (cache hits {}, prepares {})\n",
                   fmt::format("13 folio client pk lookup ({}x)", lookups), 1, client_us, client_us / raw_us,
                   stats.hits, stats.misses);
    } catch (const std::exception& e) {
        std::cerr << "folio-bench-pg-raw: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
