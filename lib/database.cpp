// database.cpp: opening a connection through its backend, and running SQL
// through the cache.
#include "folio/database.hpp"

#include <sqlite3.h>

#include <cctype>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/backend/sqlite/connection.hpp"
#include "lib/backend/sqlite/operations.hpp"
#ifdef FOLIO_HAVE_POSTGRESQL
#include "lib/backend/postgresql/backend.hpp"
#include "lib/backend/postgresql/errors.hpp"
#include "lib/backend/postgresql/operations.hpp"
#endif

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

bool is_postgresql_address(std::string_view target) noexcept {
    if (target.starts_with("postgresql://") || target.starts_with("postgres://")) return true;
    // A libpq keyword conninfo: its first word is a connection keyword
    // followed by "=" (blanks allowed around it).
    static constexpr std::string_view keywords[] = {
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode",
        "connect_timeout", "application_name", "options", "target_session_attrs", "client_encoding"};
    std::size_t i = target.find_first_not_of(" \t");
    if (i == std::string_view::npos) return false;
    std::size_t j = i;
    while (j < target.size() && (std::isalpha(static_cast<unsigned char>(target[j])) || target[j] == '_')) ++j;
    const std::string_view word = target.substr(i, j - i);
    while (j < target.size() && (target[j] == ' ' || target[j] == '\t')) ++j;
    if (j >= target.size() || target[j] != '=') return false;
    for (std::string_view k : keywords)
        if (k == word) return true;
    return false;
}

Database::Database(const std::string& path, DatabaseOptions options) : path_(path) {
    if (is_postgresql_address(path)) {
        open_postgresql(options);
        return;
    }
    int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (!options.read_only && options.create) flags |= SQLITE_OPEN_CREATE;
    const bool immutable = options.read_only && options.immutable;
    if (immutable) {
        // immutable=1 makes SQLite ignore the rollback journal: a file with a
        // non-empty one is in the middle of a writer's transaction, or was
        // left so by one that stopped, and its pages may be half-written.
        std::error_code ec;
        const std::string journal = path + "-journal";
        if (std::filesystem::file_size(journal, ec) > 0 && !ec)
            throw OperationalError(
                fmt::format("cannot open database '{}' immutable: it has a rollback journal ('{}': a writer is in the "
                            "middle of a transaction, or stopped in one), so its pages may be half-written; open it "
                            "once read-write (SQLite rolls a stopped writer's journal back), then immutable",
                            path, journal),
                SQLITE_BUSY);
        flags |= SQLITE_OPEN_URI;
    }
    // One connection per thread is the contract, so SQLite's per-connection
    // mutex would only cost time.
    flags |= SQLITE_OPEN_NOMUTEX;
    connection_ = std::make_unique<backend::sqlite::Connection>(path, immutable ? immutable_uri(path) : path, flags,
                                                                static_cast<int>(options.busy_timeout.count()));
    handle_ = connection_->sqlite_handle();
    ops_ = std::make_unique<backend::sqlite::Operations>(handle_, static_cast<int>(options.busy_timeout.count()));
    cache_ = std::make_unique<StatementCache>(*connection_, options.statement_cache_capacity);
    log_ = std::make_unique<SqlLog>(*connection_, *cache_);
    try {
        ops_->prepare_connection(*this, path != ":memory:" && !path.empty(), options.read_only);
    } catch (const Error& e) {
        cache_->clear();
        throw OperationalError(fmt::format("cannot use database '{}': {}", path, e.what()), e.sqlite_code());
    }
}

void Database::open_postgresql(const DatabaseOptions& options) {
#ifdef FOLIO_HAVE_POSTGRESQL
    const std::string conninfo = std::exchange(path_, backend::postgresql::redact_password(path_, path_));
    auto connection = std::make_unique<backend::postgresql::BackendConnection>(conninfo, options.statement_cache_capacity);
    ops_ = std::make_unique<backend::postgresql::Operations>(connection->libpq());
    connection_ = std::move(connection);
    cache_ = std::make_unique<StatementCache>(*connection_, options.statement_cache_capacity);
    log_ = std::make_unique<SqlLog>(*connection_, *cache_);
    try {
        ops_->prepare_connection(*this, false, options.read_only);
    } catch (const Error& e) {
        cache_->clear();
        throw OperationalError(fmt::format("cannot use database '{}': {}", path_, e.what()), e.sqlite_code());
    }
#else
    (void)options;
    throw OperationalError(fmt::format("cannot open '{}': this folio was built without PostgreSQL (libpq); "
                                       "configure with -Dpostgresql=enabled",
                                       path_));
#endif
}

Database::~Database() {
    log_.reset();
    cache_.reset();  // finalize every statement before the connection closes
}

std::int64_t Database::execute(std::string_view sql, std::span<const Value> args) {
    Statement st(*this, sql, args);
    return st.execute();
}

void Database::execute_script(std::string_view script) {
    for (const std::string& statement : connection_->split_script(script)) execute(statement);
}

Value Database::scalar(std::string_view sql, std::initializer_list<Value> args) {
    Statement st(*this, sql, std::span<const Value>(args.begin(), args.size()));
    return st.step() ? st.column(0) : Value();
}

std::int64_t Database::last_insert_rowid() const { return connection_->last_insert_id(); }

int Database::variable_limit() const { return ops_->max_query_params(); }

bool Database::in_transaction() const { return connection_->in_transaction(); }

void Database::raise(int rc, std::string_view context) const { ops_->raise(rc, context); }

} // namespace folio
