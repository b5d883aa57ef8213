// Hand-written libpq baselines for the PostgreSQL backend (issue 10): the
// "PostgreSQL limit" rows of guide sections 1 and 13, the counterpart of
// raw_sqlite.hpp. Everything here takes an open PGconn* and uses no folio
// library code. Not wired into folio-bench's sections yet (that needs
// folio::Database on PostgreSQL, issue 10 proper); folio-bench-pg-raw runs
// them next to folio's libpq client (lib/backend/postgresql).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "raw_sqlite.hpp"  // RawAuthor, AuthorRow: the same plain records

namespace folio::bench::raw::pg {

// Any libpq failure, with the server's message.
class Error : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The rows one multi-row INSERT of `columns` columns may hold: PostgreSQL's
// protocol counts parameters in 16 bits (at most 65,535 per statement).
std::size_t rows_per_insert(int columns);

// --- Section 1: mass insertion -------------------------------------------
// One transaction; multi-row INSERTs as wide as the parameter limit allows
// (21,845 authors of 3 columns), each width prepared once and reused,
// parameters in text format. Returns the statements executed.
std::size_t insert_authors(PGconn* conn, const std::vector<RawAuthor>& authors);
// The guide's "before": one INSERT per author, autocommit. Returns the
// statements executed.
std::size_t insert_authors_one_by_one(PGconn* conn, const std::vector<RawAuthor>& authors);

// --- Section 13: lookup by primary key ------------------------------------
// Prepares the lookup once per connection as `name`; find_author_by_id
// executes it (PQexecPrepared, one round trip) and reads the row.
void prepare_author_lookup(PGconn* conn, const char* name);
std::optional<AuthorRow> find_author_by_id(PGconn* conn, const char* name, std::int64_t id);

}  // namespace folio::bench::raw::pg
