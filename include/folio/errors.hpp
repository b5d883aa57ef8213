// errors.hpp: the exception types folio throws.
//
// Every error folio raises derives from folio::Error (itself a
// std::runtime_error), so an embedding app can catch one type. Messages name
// the model or table, the field and the value involved; a raw SQLite result
// code is kept in sqlite_code() for those who want it, never as the message.
#pragma once

#include <stdexcept>
#include <string>

namespace folio {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what, int sqlite_code = 0)
        : std::runtime_error(what), sqlite_code_(sqlite_code) {}
    // The SQLite primary result code behind this error, or 0 if none.
    int sqlite_code() const noexcept { return sqlite_code_; }

private:
    int sqlite_code_;
};

// A lookup that expected one row found none (get(), lazy loads of a missing row).
class DoesNotExist : public Error {
    using Error::Error;
};

// A lookup that expected one row found several (get()).
class MultipleObjectsReturned : public Error {
    using Error::Error;
};

// The database refused a write: UNIQUE, NOT NULL, FOREIGN KEY or CHECK constraint.
class IntegrityError : public Error {
    using Error::Error;
};

// A query that cannot be built: unknown field, bad lookup, wrong value type,
// filtering after slicing. Raised before any SQL is run.
class InvalidQuery : public Error {
    using Error::Error;
};

// A field value that breaks the model's rules (length, e-mail, date); raised
// before anything is written.
class ValidationError : public Error {
    using Error::Error;
};

// A value the column cannot hold, computed by the database: an F() update
// whose integer result overflows 64 bits (Django's DataError). The statement
// that raised it changed nothing.
class DataError : public Error {
    using Error::Error;
};

// The database could not do what was asked: locked, busy past the timeout,
// read-only, not a database, disk full, I/O error.
class OperationalError : public Error {
    using Error::Error;
};

} // namespace folio
