// Hand-written sqlite3 C-API baselines for folio-bench, the reading half
// (see raw_sqlite.hpp): CSV export, the list page, author lookups, counts.
// Written the way a careful person would by hand: one pass, prepared
// statements, no per-row allocation where the result does not need one.
#include "raw_csv.hpp"
#include "raw_detail.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ostream>
#include <unordered_map>

namespace folio::bench::raw {
using namespace detail;

ExportStats export_articles_csv(sqlite3* db, std::ostream& out, char delim) {
    Stmt st = prepare(db,
                      "SELECT a.title,a.content,a.created_at,au.username,a.comments_on"
                      " FROM article a JOIN author au ON au.id=a.author_id ORDER BY a.id");
    CsvBuffer csv(out, delim);
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
        for (int c = 0; c < 4; ++c) csv.field(column_text(st.get(), c));
        csv.last_int(sqlite3_column_int64(st.get(), 4));
    }
    if (rc != SQLITE_DONE) fail(db, rc, "export step");
    return csv.finish();
}

std::vector<PageArticle> list_page(sqlite3* db, int page, int per_page) {
    if (page < 1 || per_page < 1 || per_page >= sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
        throw std::invalid_argument("list_page: page >= 1 and a sane per_page required");
    std::vector<PageArticle> result;
    result.reserve(static_cast<std::size_t>(per_page));
    {
        Stmt st = prepare(db,
                          // Sort and cut the page from article alone, then join
                          // only its rows: deep pages skip 1000s of author lookups.
                          "SELECT a.id, a.title, a.created_at, au.username FROM"
                          " (SELECT id, title, created_at, author_id FROM article"
                          "  ORDER BY created_at DESC, id DESC LIMIT ?1 OFFSET ?2) a"
                          " JOIN author au ON au.id = a.author_id ORDER BY a.created_at DESC, a.id DESC");
        bind_int(st.get(), 1, per_page);
        bind_int(st.get(), 2, static_cast<std::int64_t>(page - 1) * per_page);
        int rc;
        while ((rc = sqlite3_step(st.get())) == SQLITE_ROW)
            result.push_back({sqlite3_column_int64(st.get(), 0), std::string(column_text(st.get(), 1)),
                              std::string(column_text(st.get(), 2)),
                              std::string(column_text(st.get(), 3)), {}});
        if (rc != SQLITE_DONE) fail(db, rc, "list_page articles");
    }
    if (result.empty()) return result;

    std::string sql =
        "SELECT at.article_id, t.name FROM article_tags at JOIN tag t ON t.id = at.tag_id"
        " WHERE at.article_id IN (?";
    for (std::size_t i = 1; i < result.size(); ++i) sql += ",?";
    sql += ") ORDER BY at.article_id, at.id";  // at.id: the order tags were added
    Stmt st = prepare(db, sql);
    std::unordered_map<std::int64_t, PageArticle*> by_id;
    for (std::size_t i = 0; i < result.size(); ++i) {
        bind_int(st.get(), static_cast<int>(i) + 1, result[i].id);
        by_id.emplace(result[i].id, &result[i]);
    }
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW)
        by_id.at(sqlite3_column_int64(st.get(), 0))->tags.emplace_back(column_text(st.get(), 1));
    if (rc != SQLITE_DONE) fail(db, rc, "list_page tags");
    return result;
}

std::optional<AuthorRow> find_author_by_username(sqlite3* db, Stmt& lookup, std::string_view username) {
    if (!lookup || sqlite3_db_handle(lookup.get()) != db)
        // LIMIT 2: enough to tell "exactly one" like get(), no more.
        lookup = prepare(db,
                         "SELECT id, username, email, bio, articles_count FROM author"
                         " WHERE username = ?1 LIMIT 2");
    sqlite3_stmt* st = lookup.get();
    ResetGuard guard{st};
    bind_text(st, 1, username);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail(db, rc, "find_author_by_username");
    AuthorRow row{sqlite3_column_int64(st, 0), std::string(column_text(st, 1)),
                  std::string(column_text(st, 2)), std::string(column_text(st, 3)),
                  sqlite3_column_int64(st, 4)};
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) throw Error(SQLITE_CONSTRAINT, "more than one author '" + row.username + "'");
    if (rc != SQLITE_DONE) fail(db, rc, "find_author_by_username");
    return row;
}

std::int64_t count_authors(sqlite3* db) { return single_int(db, "SELECT count(*) FROM author"); }

std::int64_t count_author_articles(sqlite3* db, std::int64_t author_id) {
    return single_int(db, "SELECT count(*) FROM article WHERE author_id = ?1", author_id);
}

bool author_has_articles(sqlite3* db, std::int64_t author_id) {
    return single_int(db, "SELECT EXISTS(SELECT 1 FROM article WHERE author_id = ?1)", author_id) != 0;
}

std::vector<AuthorRow> top_authors(sqlite3* db, int n) {
    Stmt st = prepare(db,
                      "SELECT id, username, articles_count FROM author"
                      " ORDER BY articles_count DESC, id LIMIT ?1");
    bind_int(st.get(), 1, n);
    std::vector<AuthorRow> out;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW)
        out.push_back({sqlite3_column_int64(st.get(), 0), std::string(column_text(st.get(), 1)), {}, {},
                       sqlite3_column_int64(st.get(), 2)});
    if (rc != SQLITE_DONE) fail(db, rc, "top_authors");
    return out;
}

}  // namespace folio::bench::raw
