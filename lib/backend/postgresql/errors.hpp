// errors.hpp (internal): the one place where libpq failures become folio errors.
//
// By SQLSTATE (PG_DIAG_SQLSTATE), after checking the connection itself:
//   connection lost (PQstatus CONNECTION_BAD)  → OperationalError "connection ... lost"
//   class 23 (integrity constraint violation)  → IntegrityError naming table, field(s) and value(s)
//   40001 serialization / 40P01 deadlock        → OperationalError saying the transaction was
//                                                  rolled back and should be retried
//   class 22 (data exception: out of range,
//     invalid text for the type, bad encoding)  → DataError
//   classes 08, 25, 28, 3D, 42, 53, 55, 57, 58, XX → OperationalError
//   anything else                               → folio::Error
// Every message ends with the SQL that failed (shortened) and the SQLSTATE;
// none ever holds the connection's password.
#pragma once

#include <string>
#include <string_view>

#include <libpq-fe.h>

namespace folio::backend::postgresql {

// Where a connection points, for messages: host (or socket directory), port
// and database, never the password.
struct Endpoint {
    std::string host, port, database;
    std::string describe() const;  // database "blog" at host db.example port 5432
};

// Throws the folio::Error matching the failed `result` (may be null when libpq
// could not even send the command) on `conn`, naming `sql`.
[[noreturn]] void raise_result(PGconn* conn, const PGresult* result, std::string_view sql, const Endpoint& endpoint);

// `message` with every occurrence of the password found in `conninfo` (a
// key=value string or a postgresql:// URI, raw or percent-decoded) replaced
// by "***". libpq quotes parts of a conninfo it cannot parse.
std::string redact_password(std::string message, std::string_view conninfo);

// libpq's multi-line message as one line ("FATAL:  x\nDETAIL: y\n" → "FATAL:  x; DETAIL: y").
std::string one_line(std::string_view message);

} // namespace folio::backend::postgresql
