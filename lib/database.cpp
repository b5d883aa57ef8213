// database.cpp: opening a connection, its pragmas, and running SQL through the cache.
#include "folio/database.hpp"

#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/sqlite/operations.hpp"

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
    ops_ = std::make_unique<backend::sqlite::Operations>(handle_);
    cache_ = std::make_unique<StatementCache>(handle_, options.statement_cache_capacity);
    log_ = std::make_unique<SqlLog>(handle_, *cache_);
    try {
        ops_->prepare_connection(*this, path != ":memory:" && !path.empty(), options.read_only);
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

int Database::variable_limit() const { return ops_->max_query_params(); }

bool Database::in_transaction() const { return sqlite3_get_autocommit(handle_) == 0; }

void Database::raise(int rc, std::string_view context) const { ops_->raise(rc, context); }

} // namespace folio
