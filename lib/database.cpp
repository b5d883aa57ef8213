// database.cpp: opening a connection, its pragmas, and running SQL through the cache.
#include "folio/database.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/sqlite_errors.hpp"

namespace folio {

namespace {

// "file:" URI of `path` with immutable=1; the characters a URI gives a
// meaning to are percent-encoded, so any file name opens as itself.
std::string immutable_uri(const std::string& path) {
    std::string uri = "file:";
    for (unsigned char c : path) {
        if (c == '%' || c == '?' || c == '#' || c < 0x20) uri += fmt::format("%{:02X}", c);
        else uri += static_cast<char>(c);
    }
    return uri + "?immutable=1";
}

// True when the directory holding `path` cannot be written by this process.
bool directory_read_only(const std::string& path) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    return ::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0;
}

} // namespace

Database::Database(const std::string& path, DatabaseOptions options) : path_(path) {
    int flags = options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE;
    if (!options.read_only && options.create) flags |= SQLite::OPEN_CREATE;
    const bool immutable = options.read_only && options.immutable;
    if (immutable) flags |= SQLite::OPEN_URI;
    // One connection per thread is the contract, so SQLite's per-connection
    // mutex would only cost time.
    flags |= SQLite::OPEN_NOMUTEX;
    try {
        connection_ = std::make_unique<SQLite::Database>(immutable ? immutable_uri(path) : path, flags,
                                                         static_cast<int>(options.busy_timeout.count()));
    } catch (const SQLite::Exception& e) {
        throw OperationalError(fmt::format("cannot open database '{}': {}", path, e.what()), e.getErrorCode());
    }
    handle_ = connection_->getHandle();
    sqlite3_extended_result_codes(handle_, 1);
    cache_ = std::make_unique<StatementCache>(handle_, options.statement_cache_capacity);
    log_ = std::make_unique<SqlLog>(handle_, *cache_);
    try {
        // The first read tells whether the file is a database at all.
        execute("PRAGMA foreign_keys = ON");
        const bool memory = path == ":memory:" || path.empty();
        if (!memory && !options.read_only) {
            try {
                scalar("PRAGMA journal_mode = WAL");
            } catch (const Error& e) {
                if ((e.sqlite_code() & 0xff) != SQLITE_READONLY || !directory_read_only(path)) throw;
                throw OperationalError(
                    fmt::format("the directory of '{}' must be writable: SQLite's WAL journal keeps '{}-wal' and "
                                "'{}-shm' beside the database (commands that only read open it read-only)",
                                path, path, path),
                    e.sqlite_code());
            }
            execute("PRAGMA synchronous = NORMAL");
        }
        scalar("SELECT count(*) FROM sqlite_schema");
    } catch (const Error& e) {
        cache_->clear();
        throw OperationalError(fmt::format("cannot use database '{}': {}", path, e.what()), e.sqlite_code());
    }
}

Database::~Database() {
    log_.reset();
    cache_.reset();  // finalize every statement before SQLiteCpp closes the handle
}

std::int64_t Database::execute(std::string_view sql, std::span<const Value> args) {
    Statement st(*this, sql);
    st.bind_all(args);
    return st.execute();
}

void Database::execute_script(std::string_view script) {
    // Split on statement boundaries with SQLite's own parser (sqlite3_complete)
    // so that triggers with inner semicolons stay whole.
    std::string current;
    for (std::size_t i = 0; i < script.size(); ++i) {
        current += script[i];
        if (script[i] == ';' && sqlite3_complete(current.c_str())) {
            execute(current);
            current.clear();
        }
    }
    bool blank = current.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!blank) execute(current);
}

Value Database::scalar(std::string_view sql, std::initializer_list<Value> args) {
    Statement st(*this, sql);
    st.bind_all(std::span<const Value>(args.begin(), args.size()));
    return st.step() ? st.column(0) : Value();
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(handle_); }

int Database::variable_limit() const { return sqlite3_limit(handle_, SQLITE_LIMIT_VARIABLE_NUMBER, -1); }

bool Database::in_transaction() const { return sqlite3_get_autocommit(handle_) == 0; }

void Database::raise(int rc, std::string_view context) const { detail::raise_sqlite(handle_, rc, context); }

} // namespace folio
