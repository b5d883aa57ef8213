// Hand-written sqlite3 C-API baselines for folio-bench, the writing half
// (see raw_sqlite.hpp; reads are in raw_queries.cpp). The aim is "as fast as reasonable" code a careful person would write by
// hand: few statements, prepared once, SQLITE_STATIC binds, no per-row heap
// allocations where avoidable. These rows are the yardstick, not a library.
#include "raw_detail.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace folio::bench::raw {
using namespace detail;
namespace {

// BEGIN IMMEDIATE takes the write lock up front, so the max(id) read in
// import_articles cannot be raced by another writer; rollback unless
// committed.
class Transaction {
public:
    explicit Transaction(sqlite3* db) : db_(db) { exec(db, "BEGIN IMMEDIATE"); }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction() {
        if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void commit() {
        exec(db_, "COMMIT");
        done_ = true;
    }

private:
    sqlite3* db_;
    bool done_ = false;
};

// Rows per multi-row INSERT: as many as the bound-variable limit allows,
// also kept under the SQL text length limit ("(?,?,?)," per row).
std::size_t rows_per_statement(sqlite3* db, int cols, std::size_t head_len) {
    const auto vars = static_cast<std::size_t>(sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1));
    const auto sql_len = static_cast<std::size_t>(sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, -1));
    const std::size_t per_row = 2 * static_cast<std::size_t>(cols) + 2;
    std::size_t rows = vars / static_cast<std::size_t>(cols);
    if (sql_len > head_len + per_row) rows = std::min(rows, (sql_len - head_len - 1) / per_row);
    return std::max<std::size_t>(rows, 1);
}

std::string values_sql(std::string_view head, int cols, std::size_t rows) {
    std::string row = "(";
    for (int c = 0; c < cols; ++c) row += c ? ",?" : "?";
    row += ')';
    std::string sql(head);
    sql.reserve(head.size() + rows * (row.size() + 1));
    for (std::size_t r = 0; r < rows; ++r) {
        if (r) sql += ',';
        sql += row;
    }
    return sql;
}

// Inserts n rows through at most two prepared statements: a full-width one
// reused for every complete batch and one for the remainder. bind_row(stmt,
// first_param, row_index) binds `cols` parameters of one row.
template <class BindRow>
void insert_batched(sqlite3* db, std::string_view head, int cols, std::size_t n, BindRow&& bind_row) {
    if (n == 0) return;
    const std::size_t per = std::min(n, rows_per_statement(db, cols, head.size()));
    std::size_t next = 0;
    auto run = [&](std::size_t width, std::size_t batches) {
        if (batches == 0) return;
        Stmt st = prepare(db, values_sql(head, cols, width));
        for (std::size_t b = 0; b < batches; ++b) {
            int param = 1;
            for (std::size_t r = 0; r < width; ++r, param += cols) bind_row(st.get(), param, next++);
            step_done(st.get());
        }
    };
    run(per, n / per);
    run(n % per, n % per ? 1 : 0);
}

// A JSON array of strings for json_each(?): lets one SELECT fetch exactly
// the rows named, through the index, instead of reading the whole table.
template <class Map>
std::string json_array_of_keys(const Map& keys) {
    std::string out = "[";
    for (const auto& [key, unused] : keys) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (unsigned char c : key) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < 0x20) {
                static constexpr char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
        out += '"';
    }
    out += ']';
    return out;
}

constexpr std::int64_t kMissing = std::numeric_limits<std::int64_t>::min();
using IdMap = std::unordered_map<std::string_view, std::int64_t>;

// Fills ids for the names in `ids` with one SELECT (sql takes the JSON array
// as ?1 and returns id, name); names not found keep kMissing.
void resolve_ids(sqlite3* db, const char* sql, IdMap& ids) {
    if (ids.empty()) return;
    const std::string names = json_array_of_keys(ids);
    Stmt st = prepare(db, sql);
    bind_text(st.get(), 1, names);
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
        auto it = ids.find(column_text(st.get(), 1));
        if (it != ids.end()) it->second = sqlite3_column_int64(st.get(), 0);
    }
    if (rc != SQLITE_DONE) fail(db, rc, sql);
}

}  // namespace

Db open_db(const std::string& path) {
    sqlite3* handle = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &handle,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr);
    Db db(handle);  // owns the handle even when open failed
    if (rc != SQLITE_OK) fail(handle, rc, "open " + path);
    sqlite3_extended_result_codes(handle, 1);
    exec(handle, "PRAGMA foreign_keys=ON");
    if (!path.empty() && path != ":memory:")
        exec(handle, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
    return db;
}

void exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw Error(rc, msg + " [" + std::string(sql).substr(0, 80) + "]");
    }
}

Stmt prepare(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, "prepare " + std::string(sql.substr(0, 80)));
    return Stmt(st);
}

void create_schema(sqlite3* db) {
    exec(db, R"sql(
CREATE TABLE author (id INTEGER PRIMARY KEY, username TEXT NOT NULL, email TEXT NOT NULL DEFAULT '', bio TEXT NOT NULL DEFAULT '', articles_count INTEGER NOT NULL DEFAULT 0);
CREATE INDEX author_username ON author(username);
CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE article (id INTEGER PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, author_id INTEGER NOT NULL REFERENCES author(id) ON DELETE CASCADE, comments_on INTEGER NOT NULL DEFAULT 1);
CREATE INDEX article_author_id ON article(author_id);
CREATE TABLE article_tags (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE, tag_id INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE, UNIQUE(article_id, tag_id));
CREATE INDEX article_tags_tag_id ON article_tags(tag_id);
CREATE TRIGGER article_count_insert AFTER INSERT ON article BEGIN UPDATE author SET articles_count = articles_count + 1 WHERE id = NEW.author_id; END;
CREATE TRIGGER article_count_delete AFTER DELETE ON article BEGIN UPDATE author SET articles_count = articles_count - 1 WHERE id = OLD.author_id; END;
CREATE TRIGGER article_count_move AFTER UPDATE OF author_id ON article WHEN OLD.author_id IS NOT NEW.author_id BEGIN UPDATE author SET articles_count = articles_count - 1 WHERE id = OLD.author_id; UPDATE author SET articles_count = articles_count + 1 WHERE id = NEW.author_id; END;
)sql");
}

void copy_database(sqlite3* from, sqlite3* to) {
    sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) fail(to, sqlite3_errcode(to), "backup_init");
    int rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) fail(to, rc, "backup_step");
    check(to, fin, "backup_finish");
}

void insert_authors(sqlite3* db, const std::vector<RawAuthor>& authors) {
    Transaction tx(db);
    insert_batched(db, "INSERT INTO author(username,email,bio) VALUES", 3, authors.size(),
                   [&](sqlite3_stmt* st, int p, std::size_t i) {
                       const RawAuthor& a = authors[i];
                       bind_text(st, p, a.username);
                       bind_text(st, p + 1, a.email);
                       bind_text(st, p + 2, a.bio);
                   });
    tx.commit();
}

void import_articles(sqlite3* db, const std::vector<RawArticle>& records) {
    Transaction tx(db);

    // Map keys view into `records`, which outlives this call: no copies.
    IdMap author_ids, tag_ids;
    for (const RawArticle& r : records) {
        author_ids.emplace(r.author, kMissing);
        for (const std::string& t : r.tags) tag_ids.emplace(t, kMissing);
    }
    resolve_ids(db,
                "SELECT id, username FROM author WHERE username IN (SELECT value FROM json_each(?1))",
                author_ids);
    for (const auto& [name, id] : author_ids)
        if (id == kMissing) throw Error(SQLITE_NOTFOUND, "unknown author '" + std::string(name) + "'");
    resolve_ids(db, "SELECT id, name FROM tag WHERE name IN (SELECT value FROM json_each(?1))",
                tag_ids);

    // Explicit ids (what INTEGER PRIMARY KEY would pick anyway: max+1) let
    // the links be built without reading ids back after each insert.
    Stmt next = prepare(db,
                        "SELECT (SELECT coalesce(max(id),0) FROM article),"
                        " (SELECT coalesce(max(id),0) FROM tag)");
    if (int rc = sqlite3_step(next.get()); rc != SQLITE_ROW) fail(db, rc, "max(id)");
    const std::int64_t article_base = sqlite3_column_int64(next.get(), 0) + 1;
    std::int64_t tag_next = sqlite3_column_int64(next.get(), 1) + 1;
    next.reset();

    std::vector<std::string_view> new_tags;
    for (auto& [name, id] : tag_ids)
        if (id == kMissing) {
            id = tag_next++;
            new_tags.push_back(name);
        }
    insert_batched(db, "INSERT INTO tag(id,name) VALUES", 2, new_tags.size(),
                   [&](sqlite3_stmt* st, int p, std::size_t i) {
                       bind_int(st, p, tag_ids[new_tags[i]]);
                       bind_text(st, p + 1, new_tags[i]);
                   });

    insert_batched(db, "INSERT INTO article(id,title,content,created_at,author_id) VALUES", 5,
                   records.size(), [&](sqlite3_stmt* st, int p, std::size_t i) {
                       const RawArticle& a = records[i];
                       bind_int(st, p, article_base + static_cast<std::int64_t>(i));
                       bind_text(st, p + 1, a.title);
                       bind_text(st, p + 2, a.content);
                       bind_text(st, p + 3, a.created_at);
                       bind_int(st, p + 4, author_ids[a.author]);
                   });

    // Links, skipping a tag repeated within one article (as tags.add does).
    std::vector<std::pair<std::int64_t, std::int64_t>> links;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const std::size_t first = links.size();
        for (const std::string& t : records[i].tags) {
            std::pair link{article_base + static_cast<std::int64_t>(i), tag_ids[t]};
            if (std::find(links.begin() + static_cast<std::ptrdiff_t>(first), links.end(), link) == links.end())
                links.push_back(link);
        }
    }
    insert_batched(db, "INSERT INTO article_tags(article_id,tag_id) VALUES", 2, links.size(),
                   [&](sqlite3_stmt* st, int p, std::size_t i) {
                       bind_int(st, p, links[i].first);
                       bind_int(st, p + 1, links[i].second);
                   });
    tx.commit();
}
std::int64_t disable_comments_before(sqlite3* db, std::string_view date) {
    Stmt st = prepare(db, "UPDATE article SET comments_on = 0 WHERE created_at < ?1");
    bind_text(st.get(), 1, date);
    step_done(st.get());
    return sqlite3_changes64(db);
}

std::int64_t delete_articles_tagged(sqlite3* db, std::string_view tag) {
    // article_tags rows go by ON DELETE CASCADE, counts by the trigger.
    Stmt st = prepare(db,
                      "DELETE FROM article WHERE id IN (SELECT at.article_id FROM article_tags at"
                      " JOIN tag t ON t.id = at.tag_id WHERE t.name = ?1)");
    bind_text(st.get(), 1, tag);
    step_done(st.get());
    return sqlite3_changes64(db);
}

std::int64_t clone_article(sqlite3* db, std::int64_t article_id) {
    Transaction tx(db);
    // Copies author_id as stored: the author row itself is never read.
    Stmt copy = prepare(db,
                        "INSERT INTO article(title,content,created_at,author_id,comments_on)"
                        " SELECT title || ' (COPY)', content, created_at, author_id, comments_on"
                        " FROM article WHERE id = ?1");
    bind_int(copy.get(), 1, article_id);
    step_done(copy.get());
    if (sqlite3_changes(db) == 0) return 0;  // the guard rolls back
    const std::int64_t new_id = sqlite3_last_insert_rowid(db);
    Stmt tags = prepare(db,
                        "INSERT INTO article_tags(article_id,tag_id)"
                        " SELECT ?1, tag_id FROM article_tags WHERE article_id = ?2 ORDER BY id");
    bind_int(tags.get(), 1, new_id);
    bind_int(tags.get(), 2, article_id);
    step_done(tags.get());
    tx.commit();
    return new_id;
}

}  // namespace folio::bench::raw
