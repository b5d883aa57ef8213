// Hand-written libpq baselines (see raw_postgresql.hpp): what careful code
// written directly against libpq achieves, the yardstick for folio on PostgreSQL.
#include "raw_postgresql.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include <folio/database.hpp>

#include "lib/backend/postgresql/backend.hpp"
#include "raw_csv.hpp"

namespace folio::bench::raw::pg {
namespace {

std::size_t g_statements = 0;

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

// Transaction verbs: not counted, as folio's capture does not count them.
void exec_verb(PGconn* conn, const char* sql) { check(conn, PQexec(conn, sql), PGRES_COMMAND_OK, sql); }

// The statements prepared on each connection, by name; a connection is its
// handle and its server process (a handle's address may be reused later).
using ConnectionKey = std::pair<PGconn*, int>;
std::map<ConnectionKey, std::set<std::string>> g_prepared;

// Prepares `sql` as `name` on `conn` the first time only.
const char* prepared(PGconn* conn, const char* name, const std::string& sql) {
    auto& names = g_prepared[{conn, PQbackendPID(conn)}];
    if (names.insert(name).second) {
        try {
            check(conn, PQprepare(conn, name, sql.c_str(), 0, nullptr), PGRES_COMMAND_OK, name);
        } catch (...) {
            names.erase(name);
            throw;
        }
    }
    return name;
}

// Runs a prepared statement with text parameters; counted.
Result run(PGconn* conn, const char* name, const std::vector<const char*>& values, ExecStatusType want) {
    ++g_statements;
    return check(conn, PQexecPrepared(conn, name, static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0),
                 want, name);
}

std::int64_t to_int(const char* s) {
    std::int64_t v = 0;
    std::from_chars(s, s + std::char_traits<char>::length(s), v);
    return v;
}

std::int64_t changed(const Result& r) { return to_int(PQcmdTuples(r.get())); }

struct IntText {
    char buf[24];
    explicit IntText(std::int64_t v) { *std::to_chars(buf, buf + sizeof buf - 1, v).ptr = '\0'; }
};

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

AuthorRow author_row(const PGresult* r, int row) {
    return {to_int(PQgetvalue(r, row, 0)), PQgetvalue(r, row, 1), PQgetvalue(r, row, 2), PQgetvalue(r, row, 3),
            to_int(PQgetvalue(r, row, 4))};
}

}  // namespace

PGconn* connection_of(Database& db) {
    if (db.connection().vendor() != "postgresql") return nullptr;
    return static_cast<backend::postgresql::BackendConnection&>(db.connection()).libpq().handle();
}

std::size_t statements_run() { return g_statements; }

std::size_t rows_per_insert(int columns) { return 65535 / static_cast<std::size_t>(columns); }

void insert_authors(PGconn* conn, const std::vector<RawAuthor>& authors) {
    if (authors.empty()) return;
    const std::size_t per = std::min(authors.size(), rows_per_insert(3));
    std::vector<const char*> values;
    std::size_t next = 0;
    exec_verb(conn, "BEGIN");
    try {
        // Two widths at most: full batches, then the rest; each prepared once
        // per connection (the names carry the width).
        for (std::size_t width : {per, authors.size() % per}) {
            if (width == 0 || next == authors.size()) continue;
            const std::string name = "raw_authors_" + std::to_string(width);
            prepared(conn, name.c_str(), insert_sql(width));
            while (authors.size() - next >= width) {
                values.clear();
                for (std::size_t r = 0; r < width; ++r, ++next)
                    values.insert(values.end(), {authors[next].username.c_str(), authors[next].email.c_str(),
                                                 authors[next].bio.c_str()});
                run(conn, name.c_str(), values, PGRES_COMMAND_OK);
                if (width != per) break;
            }
        }
        exec_verb(conn, "COMMIT");
    } catch (...) {
        Result(PQexec(conn, "ROLLBACK"));
        throw;
    }
}

std::int64_t disable_comments_before(PGconn* conn, std::string_view date) {
    const std::string d(date);
    return changed(run(conn,
                       prepared(conn, "raw_comments_off",
                                R"(UPDATE "article" SET "comments_on" = false WHERE "created_at" < $1)"),
                       {d.c_str()}, PGRES_COMMAND_OK));
}

std::int64_t delete_articles_tagged(PGconn* conn, std::string_view tag) {
    // article_tags rows go by ON DELETE CASCADE, counts by the triggers.
    const std::string t(tag);
    return changed(run(conn,
                       prepared(conn, "raw_delete_tagged",
                                R"(DELETE FROM "article" WHERE "id" IN (SELECT at."article_id" FROM "article_tags" at)"
                                R"( JOIN "tag" t ON t."id" = at."tag_id" WHERE t."name" = $1))"),
                       {t.c_str()}, PGRES_COMMAND_OK));
}

ExportStats export_articles_csv(PGconn* conn, std::ostream& out, char delim) {
    const char* name = prepared(conn, "raw_export",
                                R"(SELECT a."title", a."content", a."created_at", au."username", a."comments_on"::int)"
                                R"( FROM "article" a JOIN "author" au ON au."id" = a."author_id" ORDER BY a."id")");
    ++g_statements;
    if (!PQsendQueryPrepared(conn, name, 0, nullptr, nullptr, nullptr, 0) || !PQsetSingleRowMode(conn))
        throw Error(std::string("export: ") + PQerrorMessage(conn));
    CsvBuffer csv(out, delim);
    std::string error;
    // Each result is one row (PGRES_SINGLE_TUPLE), then an empty
    // PGRES_TUPLES_OK, then nullptr: read to the end even after an error.
    while (PGresult* raw = PQgetResult(conn)) {
        Result r(raw);
        const ExecStatusType status = PQresultStatus(r.get());
        if (status == PGRES_SINGLE_TUPLE) {
            for (int c = 0; c < 4; ++c)
                csv.field(std::string_view(PQgetvalue(r.get(), 0, c), static_cast<std::size_t>(PQgetlength(r.get(), 0, c))));
            csv.last_int(to_int(PQgetvalue(r.get(), 0, 4)));
        } else if (status != PGRES_TUPLES_OK && error.empty()) {
            error = PQresultErrorMessage(r.get());
        }
    }
    if (!error.empty()) throw Error("export: " + error);
    return csv.finish();
}

std::int64_t clone_article_row(PGconn* conn, std::int64_t article_id) {
    const IntText id(article_id);
    return changed(run(conn,
                       prepared(conn, "raw_clone",
                                R"(INSERT INTO "article" ("title", "content", "created_at", "author_id", "comments_on"))"
                                R"( SELECT "title" || ' (COPY)', "content", "created_at", "author_id", "comments_on")"
                                R"( FROM "article" WHERE "id" = $1)"),
                       {id.buf}, PGRES_COMMAND_OK));
}

std::vector<PageArticle> list_page(PGconn* conn, int page, int per_page) {
    if (page < 1 || per_page < 1) throw std::invalid_argument("list_page: page >= 1 and per_page >= 1 required");
    const IntText limit(per_page), offset(static_cast<std::int64_t>(page - 1) * per_page);
    // Sort and cut the page from article alone, then join only its rows.
    Result r = run(conn,
                   prepared(conn, "raw_page",
                            R"(SELECT a."id", a."title", a."created_at", au."username" FROM)"
                            R"( (SELECT "id", "title", "created_at", "author_id" FROM "article")"
                            R"(  ORDER BY "created_at" DESC, "id" DESC LIMIT $1 OFFSET $2) a)"
                            R"( JOIN "author" au ON au."id" = a."author_id" ORDER BY a."created_at" DESC, a."id" DESC)"),
                   {limit.buf, offset.buf}, PGRES_TUPLES_OK);
    std::vector<PageArticle> result;
    const int n = PQntuples(r.get());
    result.reserve(static_cast<std::size_t>(n));
    std::string ids = "{";
    for (int i = 0; i < n; ++i) {
        result.push_back({to_int(PQgetvalue(r.get(), i, 0)), PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 2),
                          PQgetvalue(r.get(), i, 3), {}});
        if (i) ids += ',';
        ids += PQgetvalue(r.get(), i, 0);
    }
    ids += '}';
    if (result.empty()) return result;
    std::unordered_map<std::int64_t, PageArticle*> by_id;
    for (auto& a : result) by_id.emplace(a.id, &a);
    Result tags = run(conn,
                      prepared(conn, "raw_page_tags",
                               R"(SELECT at."article_id", t."name" FROM "article_tags" at JOIN "tag" t ON t."id" = at."tag_id")"
                               R"( WHERE at."article_id" = ANY($1::bigint[]) ORDER BY at."article_id", at."id")"),
                      {ids.c_str()}, PGRES_TUPLES_OK);
    for (int i = 0, m = PQntuples(tags.get()); i < m; ++i)
        by_id.at(to_int(PQgetvalue(tags.get(), i, 0)))->tags.emplace_back(PQgetvalue(tags.get(), i, 1));
    return result;
}

std::optional<AuthorRow> find_author_by_username(PGconn* conn, std::string_view username) {
    const std::string u(username);
    Result r = run(conn,
                   prepared(conn, "raw_author_by_username",
                            R"(SELECT "id", "username", "email", "bio", "articles_count" FROM "author")"
                            R"( WHERE "username" = $1 LIMIT 2)"),
                   {u.c_str()}, PGRES_TUPLES_OK);
    if (PQntuples(r.get()) == 0) return std::nullopt;
    if (PQntuples(r.get()) > 1) throw Error("more than one author '" + u + "'");
    return author_row(r.get(), 0);
}

std::int64_t count_authors(PGconn* conn) {
    Result r = run(conn, prepared(conn, "raw_count_authors", R"(SELECT count(*) FROM "author")"), {}, PGRES_TUPLES_OK);
    return to_int(PQgetvalue(r.get(), 0, 0));
}

bool author_has_articles(PGconn* conn, std::int64_t author_id) {
    const IntText id(author_id);
    Result r = run(conn,
                   prepared(conn, "raw_has_articles",
                            R"(SELECT EXISTS(SELECT 1 FROM "article" WHERE "author_id" = $1)::int)"),
                   {id.buf}, PGRES_TUPLES_OK);
    return to_int(PQgetvalue(r.get(), 0, 0)) != 0;
}

std::vector<AuthorRow> top_authors(PGconn* conn, int n) {
    const IntText limit(n);
    Result r = run(conn,
                   prepared(conn, "raw_top_authors",
                            R"(SELECT "id", "username", "articles_count" FROM "author")"
                            R"( ORDER BY "articles_count" DESC, "id" LIMIT $1)"),
                   {limit.buf}, PGRES_TUPLES_OK);
    std::vector<AuthorRow> out;
    for (int i = 0, m = PQntuples(r.get()); i < m; ++i)
        out.push_back({to_int(PQgetvalue(r.get(), i, 0)), PQgetvalue(r.get(), i, 1), {}, {},
                       to_int(PQgetvalue(r.get(), i, 2))});
    return out;
}

std::optional<AuthorRow> find_author_by_id(PGconn* conn, std::int64_t id) {
    const IntText text(id);
    Result r = run(conn,
                   prepared(conn, "raw_author_by_id",
                            R"(SELECT "id", "username", "email", "bio", "articles_count" FROM "author" WHERE "id" = $1)"),
                   {text.buf}, PGRES_TUPLES_OK);
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return author_row(r.get(), 0);
}

}  // namespace folio::bench::raw::pg
