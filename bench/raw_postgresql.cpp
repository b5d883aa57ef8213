// Hand-written libpq baselines (see raw_postgresql.hpp): what careful code
// written directly against libpq achieves, the yardstick for folio's client.
#include "raw_postgresql.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <string_view>

namespace folio::bench::raw::pg {
namespace {

struct Clear {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, Clear>;

Result check(PGconn* conn, PGresult* r, ExecStatusType want, std::string_view what) {
    Result owned(r);
    if (!owned || PQresultStatus(owned.get()) != want)
        throw Error(std::string(what) + ": " + (owned ? PQresultErrorMessage(owned.get()) : PQerrorMessage(conn)));
    return owned;
}

void exec(PGconn* conn, const char* sql) { check(conn, PQexec(conn, sql), PGRES_COMMAND_OK, sql); }

std::string insert_sql(std::size_t rows) {
    std::string sql = R"(INSERT INTO "author" ("username", "email", "bio") VALUES )";
    sql.reserve(sql.size() + rows * 22);
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t p = 3 * r;
        sql += r ? ",(" : "(";
        sql += '$' + std::to_string(p + 1) + ",$" + std::to_string(p + 2) + ",$" + std::to_string(p + 3) + ')';
    }
    return sql;
}

std::int64_t to_int(const char* s) {
    std::int64_t v = 0;
    std::from_chars(s, s + std::char_traits<char>::length(s), v);
    return v;
}

}  // namespace

std::size_t rows_per_insert(int columns) { return 65535 / static_cast<std::size_t>(columns); }

std::size_t insert_authors(PGconn* conn, const std::vector<RawAuthor>& authors) {
    if (authors.empty()) return 0;
    const std::size_t per = std::min(authors.size(), rows_per_insert(3));
    std::vector<const char*> values(3 * per);
    std::size_t next = 0, statements = 0;
    exec(conn, "BEGIN");
    auto run = [&](const char* name, std::size_t width, std::size_t batches) {
        if (batches == 0) return;
        check(conn, PQprepare(conn, name, insert_sql(width).c_str(), 0, nullptr), PGRES_COMMAND_OK, "prepare");
        for (std::size_t b = 0; b < batches; ++b) {
            for (std::size_t r = 0; r < width; ++r, ++next) {
                values[3 * r] = authors[next].username.c_str();
                values[3 * r + 1] = authors[next].email.c_str();
                values[3 * r + 2] = authors[next].bio.c_str();
            }
            check(conn, PQexecPrepared(conn, name, static_cast<int>(3 * width), values.data(), nullptr, nullptr, 0),
                  PGRES_COMMAND_OK, "insert");
            ++statements;
        }
        exec(conn, (std::string("DEALLOCATE ") + name).c_str());
    };
    run("raw_authors_full", per, authors.size() / per);
    run("raw_authors_rest", authors.size() % per, authors.size() % per ? 1 : 0);
    exec(conn, "COMMIT");
    return statements;
}

std::size_t insert_authors_one_by_one(PGconn* conn, const std::vector<RawAuthor>& authors) {
    // As the guide's loop of save(): each statement parsed and committed on its own.
    for (const RawAuthor& a : authors) {
        const char* values[] = {a.username.c_str(), a.email.c_str(), a.bio.c_str()};
        check(conn,
              PQexecParams(conn, R"(INSERT INTO "author" ("username", "email", "bio") VALUES ($1, $2, $3))", 3,
                           nullptr, values, nullptr, nullptr, 0),
              PGRES_COMMAND_OK, "insert one");
    }
    return authors.size();
}

void prepare_author_lookup(PGconn* conn, const char* name) {
    check(conn,
          PQprepare(conn, name,
                    R"(SELECT "id", "username", "email", "bio", "articles_count" FROM "author" WHERE "id" = $1)", 1,
                    nullptr),
          PGRES_COMMAND_OK, "prepare lookup");
}

std::optional<AuthorRow> find_author_by_id(PGconn* conn, const char* name, std::int64_t id) {
    char buf[24];
    *std::to_chars(buf, buf + sizeof buf - 1, id).ptr = '\0';
    const char* values[] = {buf};
    Result r = check(conn, PQexecPrepared(conn, name, 1, values, nullptr, nullptr, 0), PGRES_TUPLES_OK, "lookup");
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return AuthorRow{to_int(PQgetvalue(r.get(), 0, 0)), PQgetvalue(r.get(), 0, 1), PQgetvalue(r.get(), 0, 2),
                     PQgetvalue(r.get(), 0, 3), to_int(PQgetvalue(r.get(), 0, 4))};
}

}  // namespace folio::bench::raw::pg
