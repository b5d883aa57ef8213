// operations.cpp: SQLite's spellings (quoting, LIMIT, LIKE, json_each,
// RETURNING, ON CONFLICT, transaction verbs, pragmas, EXPLAIN QUERY PLAN, DDL).
#include "lib/backend/sqlite/operations.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "folio/io/validate.hpp"
#include "lib/backend/sql_text.hpp"
#include "lib/backend/sqlite/errors.hpp"

namespace folio::backend::sqlite {

namespace {

// The statement's first keyword, upper-cased ("BEGIN", "EXPLAIN", ...).
std::string first_word(std::string_view sql) {
    std::size_t i = 0;
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    std::string word;
    while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])))
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
    return word;
}

// LIKE's wildcards and its escape character, escaped to match themselves.
std::string like_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// True when the directory holding `path` cannot be written by this process.
bool directory_read_only(const std::string& path) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    return ::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// The settings of one bulk load, put back at its end:
// - PRAGMA cache_size: < 0 is in KiB, > 0 counts pages (the default is
//   -2000, which spills dirty pages to the WAL again and again);
// - PRAGMA temp_store = MEMORY: a multi-row INSERT into a table with row
//   triggers (article's articles_count trigger) first copies its rows into
//   an ephemeral table (SQLite's insert.c, "template 4"), and statement
//   journals hold pages of the rows they change; with the default (files)
//   both went to /var/tmp and back, a third of the load's page writes
//   (strace of a 20 MB import: 6,100 of 21,900 pwrite calls, 2,400 preads).
//   In memory they cost one batch's rows at most (bounded by the importers'
//   byte cap). Changing temp_store drops the connection's temporary
//   database, TEMP tables and all (and SQLite refuses it inside a
//   transaction): once the connection has one, the load keeps the files.
class BulkLoadTuning final : public ScopedTuning {
public:
    // `has_temp_database`: the connection has opened its temporary database.
    BulkLoadTuning(Database& db, std::int64_t kib, bool has_temp_database)
        : db_(db), old_cache_(db.scalar("PRAGMA cache_size").as_integer()) {
        if (old_cache_ < 0 && -old_cache_ >= kib) restore_cache_ = false;
        else db_.execute(fmt::format("PRAGMA cache_size = -{}", kib));
        if (has_temp_database) return;
        const std::int64_t temp = db.scalar("PRAGMA temp_store").as_integer();
        if (temp == kTempMemory) return;
        try {
            db_.execute("PRAGMA temp_store = MEMORY");
            old_temp_ = temp;
        } catch (const Error&) {  // refused: keep the files
        }
    }
    ~BulkLoadTuning() override {
        // A failing PRAGMA only leaves the bigger cache or the memory temp store in place.
        if (old_temp_ >= 0) try {
                db_.execute(fmt::format("PRAGMA temp_store = {}", old_temp_));
            } catch (...) {
            }
        if (restore_cache_) try {
                db_.execute(fmt::format("PRAGMA cache_size = {}", old_cache_));
            } catch (...) {
            }
    }
    BulkLoadTuning(const BulkLoadTuning&) = delete;
    BulkLoadTuning& operator=(const BulkLoadTuning&) = delete;

private:
    static constexpr std::int64_t kTempMemory = 2;  // PRAGMA temp_store: 0 default, 1 file, 2 memory
    Database& db_;
    std::int64_t old_cache_;
    bool restore_cache_ = true;
    std::int64_t old_temp_ = -1;  // the setting to put back, -1 when unchanged
};

// ExclusiveLoad's journal: SQLite's rollback journal in place of WAL for one
// load. In WAL every page the load writes goes to the -wal file and again
// into the database at the checkpoint; the rollback journal keeps only the
// original content of pages that existed before, so pages the load appends
// are written once. Atomic all the same: a crash leaves a hot journal that
// the next connection rolls back. synchronous=FULL because NORMAL is not
// crash-safe with a rollback journal (SQLite's documentation of PRAGMA
// synchronous). Leaving WAL needs the file alone: SQLite refuses while
// another connection has it open. PRAGMA locking_mode=EXCLUSIVE keeps it
// alone: without it a connection opened during the load, which asks for
// WAL (prepare_connection), got it whenever the load held no lock at that
// instant, and the load went on in WAL, silently as slow as without this
// class. With it the load keeps its shared lock from the start (readers
// still read) and its exclusive lock from its first write to its end, so
// that open waits its busy timeout and fails ("database is locked").
class RollbackJournal final : public ScopedTuning {
public:
    RollbackJournal(Database& db, std::string old_mode)
        : db_(db), old_mode_(std::move(old_mode)), old_sync_(db.scalar("PRAGMA synchronous").as_integer()) {
        std::string now;
        try {
            now = db_.scalar("PRAGMA journal_mode = DELETE").as_text();
        } catch (const Error& e) {
            throw alone(e.sqlite_code());
        }
        // SQLite answers with the mode it kept when it could not change it.
        if (now != "delete") throw alone(SQLITE_BUSY);
        try {
            db_.execute("PRAGMA synchronous = FULL");
            (void)db_.scalar("PRAGMA locking_mode = EXCLUSIVE");
            // The lock is taken at the next access of the file: now.
            (void)db_.scalar("SELECT count(*) FROM sqlite_schema");
        } catch (...) {
            restore();
            throw;
        }
    }
    ~RollbackJournal() override { restore(); }
    RollbackJournal(const RollbackJournal&) = delete;
    RollbackJournal& operator=(const RollbackJournal&) = delete;

private:
    OperationalError alone(int code) const {
        return OperationalError(fmt::format("ExclusiveLoad needs '{}' alone: another connection has it open (it "
                                            "switches the file from SQLite's WAL to its rollback journal, which "
                                            "SQLite refuses while other connections use the WAL)",
                                            db_.path()),
                                code);
    }
    // A failure leaves the file in the rollback journal, which is safe; the
    // next connection folio opens asks for WAL again.
    void restore() noexcept {
        try {
            db_.execute(fmt::format("PRAGMA synchronous = {}", old_sync_));
        } catch (...) {
        }
        restore_mode();
    }
    void restore_mode() noexcept {
        // NORMAL first: SQLite keeps a connection that enters WAL in
        // exclusive locking mode there (WAL index on the heap, no -shm) until
        // it leaves WAL. The lock goes at the next access, the switch below.
        try {
            (void)db_.scalar("PRAGMA locking_mode = NORMAL");
        } catch (...) {
        }
        try {
            // The mode is SQLite's own answer ("wal"), never user input.
            (void)db_.scalar(fmt::format("PRAGMA journal_mode = {}", old_mode_));
        } catch (...) {
        }
    }

    Database& db_;
    std::string old_mode_;
    std::int64_t old_sync_;
};

} // namespace

bool is_transaction_control(std::string_view sql) {
    const std::string word = first_word(sql);
    return word == "BEGIN" || word == "COMMIT" || word == "END" || word == "ROLLBACK" || word == "SAVEPOINT" ||
           word == "RELEASE";
}

bool is_explain(std::string_view sql) { return first_word(sql) == "EXPLAIN"; }

Operations::Operations(sqlite3* db, int busy_timeout_ms) : db_(db), busy_timeout_ms_(busy_timeout_ms) {}

int Operations::max_query_params() const noexcept { return sqlite3_limit(db_, SQLITE_LIMIT_VARIABLE_NUMBER, -1); }

std::string Operations::quote_name(std::string_view identifier) const {
    // Called for every identifier of every compiled statement: one allocation
    // in the common case of an identifier without quotes.
    std::string out;
    out.reserve(identifier.size() + 2);
    out += '"';
    if (identifier.find('"') == std::string_view::npos) {
        out += identifier;
    } else {
        for (char c : identifier) {
            if (c == '"') out += '"';
            out += c;
        }
    }
    out += '"';
    return out;
}

Value Operations::date_value(int year, int month, int day) const {
    // Dates are stored as ISO text, which sorts as the dates do.
    return Value(fmt::format("{:04}-{:02}-{:02}", year, month, day));
}

std::string Operations::limit_offset_sql(bool with_offset) const {
    // SQLite has no OFFSET without LIMIT: no_limit() (-1) means "all rows".
    return with_offset ? " LIMIT ? OFFSET ?" : " LIMIT ?";
}

std::string Operations::fixed_limit_sql(std::int64_t n) const { return fmt::format(" LIMIT {}", n); }

std::string Operations::date_extract_sql(std::string_view part, std::string_view expr) const {
    const char* spec = part == "year" ? "%Y" : part == "month" ? "%m" : "%d";
    return fmt::format("CAST(strftime('{}', {}) AS INTEGER)", spec, expr);
}

namespace {
bool folds_case(std::string_view lookup) {
    return lookup == "iexact" || lookup == "icontains" || lookup == "istartswith" || lookup == "iendswith";
}
void check_text_lookup(std::string_view lookup) {
    if (!folds_case(lookup) && lookup != "contains" && lookup != "startswith" && lookup != "endswith")
        throw InvalidQuery(fmt::format("Unsupported text lookup '{}'", lookup));
}
} // namespace

std::string Operations::text_lookup_sql(std::string_view lookup, std::string_view expr) const {
    check_text_lookup(lookup);
    // SQLite's LIKE folds ASCII case only (no ICU here), as Django's SQLite backend does.
    if (folds_case(lookup)) return fmt::format("{} LIKE ? ESCAPE '\\'", expr);
    // Case-sensitive forms: SQLite's LIKE ignores ASCII case, so compare exactly.
    if (lookup == "contains") return fmt::format("instr({}, ?) > 0", expr);
    if (lookup == "startswith") return fmt::format("substr({}, 1, ?) = ?", expr);
    // endswith: the last n characters. Not substr(x, -n), which for n = 0 is
    // the whole string (endswith "" must match every row, as in Django).
    return fmt::format("substr({0}, length({0}) - ? + 1) = ?", expr);
}

std::vector<Value> Operations::text_lookup_params(std::string_view lookup, const std::string& value) const {
    check_text_lookup(lookup);
    std::vector<Value> out;
    if (folds_case(lookup)) {
        std::string pat = like_escape(value);
        if (lookup == "icontains" || lookup == "iendswith") pat = "%" + pat;
        if (lookup == "icontains" || lookup == "istartswith") pat += "%";
        out.emplace_back(std::move(pat));
    } else if (lookup == "contains") {
        out.emplace_back(value);
    } else {  // startswith, endswith: the length in characters, then the text
        out.emplace_back(static_cast<std::int64_t>(io::utf8_length(value)));
        out.emplace_back(value);
    }
    return out;
}

std::string Operations::in_array_sql(std::string_view expr) const {
    return fmt::format("{} IN (SELECT value FROM json_each(?))", expr);
}

namespace {

nlohmann::json json_of(const Value& v) {
    if (v.is_integer()) return v.as_integer();
    if (v.is_real()) return v.as_real();
    if (v.is_text()) return v.as_text();
    return nullptr;
}

// The JSON text of `arr`; only text that is not UTF-8 fails (filter() and
// the models' validation refuse it first).
Value json_text(const nlohmann::json& arr, std::size_t values) {
    try {
        return Value(arr.dump());
    } catch (const nlohmann::json::exception& e) {
        throw ValidationError(fmt::format("A list of {} values cannot be sent as JSON: {}", values, e.what()));
    }
}

} // namespace

Value Operations::array_param(const std::vector<Value>& values) const {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& v : values) arr.push_back(json_of(v));
    return json_text(arr, values.size());
}

// json_each() yields each element of the array as `value`, in order; for a
// row (itself an array) `value ->> N` is its element N as an SQL value
// (SQLite 3.38's ->> operator). "WHERE true" settles the parsing ambiguity
// SQLite documents for an upsert whose INSERT takes its rows from a SELECT.
std::string Operations::rows_from_arrays_sql(const std::vector<FieldType>& types) const {
    if (types.size() == 1) return "SELECT value FROM json_each(?) WHERE true";
    std::string cols;
    for (std::size_t i = 0; i < types.size(); ++i) cols += fmt::format("{}value ->> {}", i ? ", " : "", i);
    return fmt::format("SELECT {} FROM json_each(?) WHERE true", cols);
}

std::vector<Value> Operations::rows_from_arrays_params(const std::vector<std::vector<Value>>& columns) const {
    if (columns.size() == 1) return {array_param(columns[0])};
    // Written out directly, not as a JSON tree (one allocation per row,
    // several per value): only texts go through nlohmann's escaping.
    const std::size_t rows = columns.empty() ? 0 : columns[0].size();
    std::string out = "[";
    out.reserve(rows * columns.size() * 12 + 2);
    for (std::size_t r = 0; r < rows; ++r) {
        out += r ? ",[" : "[";
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (c) out += ',';
            const Value& v = columns[c].at(r);
            if (v.is_integer()) fmt::format_to(std::back_inserter(out), "{}", v.as_integer());
            else out += json_text(json_of(v), 1).as_text();
        }
        out += ']';
    }
    out += ']';
    return {Value(std::move(out))};
}

std::string Operations::returning_sql(const std::vector<std::string>& quoted_columns) const {
    return " RETURNING " + joined(quoted_columns);
}

std::string Operations::ignore_conflicts_sql(const std::vector<std::string>& quoted_columns) const {
    return fmt::format(" ON CONFLICT ({}) DO NOTHING", joined(quoted_columns));
}

Operations::Checked Operations::checked_integer_sql(const std::string& expr) const {
    // SQLite turns an integer result that overflows 64 bits into a REAL and
    // stores it. abs() of the smallest integer is SQLite's documented way to
    // raise "integer overflow" from inside an expression, so the whole
    // statement fails and changes nothing.
    return {fmt::format("CASE WHEN typeof({0}) = 'real' THEN abs(-9223372036854775807 - 1) ELSE {0} END", expr), 2};
}

void Operations::prepare_connection(Database& db, bool file, bool read_only) const {
    // The first read tells whether the file is a database at all.
    db.execute("PRAGMA foreign_keys = ON");
    if (file && !read_only) {
        try {
            db.scalar("PRAGMA journal_mode = WAL");
        } catch (const Error& e) {
            if ((e.sqlite_code() & 0xff) != SQLITE_READONLY || !directory_read_only(db.path())) throw;
            const std::string& path = db.path();
            throw OperationalError(
                fmt::format("the directory of '{}' must be writable: SQLite's WAL journal keeps '{}-wal' and "
                            "'{}-shm' beside the database (commands that only read open it read-only)",
                            path, path, path),
                e.sqlite_code());
        }
        db.execute("PRAGMA synchronous = NORMAL");
    }
    db.scalar("SELECT count(*) FROM sqlite_schema");
}

int Operations::schema_version(Database& db) const {
    return static_cast<int>(db.scalar("PRAGMA user_version").as_integer());
}

void Operations::record_migration(Database& db, const Migration&, int version) const {
    // The version is folio's own integer, never user input; PRAGMA takes no parameters.
    db.execute(fmt::format("PRAGMA user_version = {}", version));
}

std::unique_ptr<ScopedTuning> Operations::bulk_load_tuning(Database& db, std::int64_t kib) const {
    // sqlite3_db_filename() names an opened temporary database ("" when it
    // lives in memory or an unnamed file) and gives NULL before it is opened.
    return std::make_unique<BulkLoadTuning>(db, kib, sqlite3_db_filename(db_, "temp") != nullptr);
}

std::unique_ptr<ScopedTuning> Operations::exclusive_load(Database& db) const {
    // A read-only connection cannot change the journal, and SQLite's refusal
    // would read as another connection holding the file.
    if (sqlite3_db_readonly(db_, "main") == 1)
        throw InvalidQuery(fmt::format("ExclusiveLoad on '{}', which this Database opened read-only: a load "
                                       "writes; open it without read_only",
                                       db.path()));
    // Only WAL has a second copy to save; "memory" (an in-memory database)
    // and the rollback modes have nothing to change.
    std::string mode = db.scalar("PRAGMA journal_mode").as_text();
    if (mode != "wal") return nullptr;
    // The switch is refused at once while another connection has the file,
    // except after an earlier switch back to WAL on this connection: then
    // SQLite waits the whole busy timeout first (seen with the C API alone).
    // Nothing is worth waiting for: the answer is the same.
    sqlite3_busy_timeout(db_, 0);
    struct PutBack {
        sqlite3* db;
        int ms;
        ~PutBack() { sqlite3_busy_timeout(db, ms); }
    } put_back{db_, busy_timeout_ms_};
    return std::make_unique<RollbackJournal>(db, std::move(mode));
}

std::vector<PlanStep> Operations::explain_query_plan(Database& db, std::string_view sql) const {
    const std::string explain = "EXPLAIN QUERY PLAN " + std::string(sql);
    // EXPLAIN QUERY PLAN opens no transaction, so it would plan with the
    // schema this connection loaded last, even after another connection
    // dropped an index. Reading sqlite_schema checks the schema cookie first
    // and reloads the schema when it changed.
    sqlite3_stmt* probe = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT 1 FROM sqlite_schema LIMIT 1", -1, &probe, nullptr) == SQLITE_OK)
        sqlite3_step(probe);
    sqlite3_finalize(probe);
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, explain.c_str(), static_cast<int>(explain.size()), &st, &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        db.raise(rc, sql);
    }
    struct Finalize {
        sqlite3_stmt* st;
        ~Finalize() { sqlite3_finalize(st); }
    } finalize{st};
    // A second statement after the first would silently go unexplained.
    for (; tail && *tail; ++tail)
        if (!std::isspace(static_cast<unsigned char>(*tail)) && *tail != ';')
            throw InvalidQuery(fmt::format("EXPLAIN QUERY PLAN takes one statement; text follows it in '{}'",
                                           detail::shorten_sql(sql)));
    std::vector<PlanStep> plan;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        PlanStep step;
        step.id = sqlite3_column_int(st, 0);
        step.parent = sqlite3_column_int(st, 1);
        if (const auto* d = sqlite3_column_text(st, 3)) step.detail = reinterpret_cast<const char*>(d);
        plan.push_back(std::move(step));
    }
    if (rc != SQLITE_DONE) db.raise(rc, sql);
    return plan;
}

const std::vector<Migration>& Operations::blog_migrations() const { return sqlite::blog_migrations(); }

std::string_view Operations::index_exists_sql() const {
    return "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?";
}

std::string_view Operations::index_leading_with_sql() const {
    // An INTEGER PRIMARY KEY is the rowid, in no index_list: the table's own order.
    return "SELECT 1 FROM pragma_index_list(?1) AS l JOIN pragma_index_info(l.name) AS i "
           "WHERE i.seqno = 0 AND i.name = ?2 "
           "UNION ALL SELECT 1 FROM pragma_table_info(?1) WHERE pk = 1 AND name = ?2";
}

std::string_view Operations::tables_with_schema_version_sql() const {
    // sqlite_sequence, sqlite_stat1...: SQLite creates them itself. The
    // version is schema_version()'s user_version, read in the same statement
    // through the pragma_user_version table (SQLite runs a nested "PRAGMA
    // user_version" for it, which its trace, and so the SQL log, reports too).
    return R"sql(SELECT name, (SELECT user_version FROM pragma_user_version) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name)sql";
}

std::int64_t Operations::count_rows(Database&, std::string_view table) const {
    const std::string sql = "SELECT COUNT(*) FROM " + quote_name(table);
    std::int64_t n = -1;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

void Operations::throw_error(int code, std::string_view context) const { raise_error(db_, code, context); }

} // namespace folio::backend::sqlite
