// values.hpp (internal): folio::Value to and from PostgreSQL's wire forms.
//
// Parameters go in text format with the type the server inferred at prepare
// time (PQdescribePrepared), except bytea, which goes in binary format. Why
// text: folio's values are SQLite-shaped (booleans are 0/1 integers, dates
// 'YYYY-MM-DD' text), and PostgreSQL's input functions parse those texts for
// whatever column type the statement has (bool accepts '1'/'0', date accepts
// '2012-05-01', int4 and int8 both accept '42'); a binary int8 would be
// refused by an int4 or bool parameter. Why bytea in binary: folio::Value has
// no blob kind, so a byte string bound to a bytea parameter travels as is,
// with any byte (NUL included), no escaping.
//
// Results come back in text format and are typed by column OID: int2/4/8 and
// oid → integer; float4/8 → real; numeric → integer when its text is an
// integer that fits 64 bits (sum() of integers, which SQLite gives as an
// integer), else real (beyond a double's 15-17 digits it loses precision, as
// SQLite's REAL does; beyond its range it stays text); bool → 1/0; bytea → its
// bytes (hex decoded); everything else (text, varchar, date, timestamp,
// timestamptz, uuid, json...) → text in the server's ISO output, which the
// connection pins (DateStyle ISO, TimeZone UTC): a date reads 'YYYY-MM-DD',
// a timestamp 'YYYY-MM-DD HH:MM:SS[.ffffff]', the forms folio writes.
#pragma once

#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "folio/value.hpp"

namespace folio::backend::postgresql {

// The built-in type OIDs folio maps (stable: pg_type.dat; the server's
// catalog header is not part of libpq-dev).
namespace oid {
inline constexpr Oid boolean = 16;
inline constexpr Oid bytea = 17;
inline constexpr Oid int8 = 20;
inline constexpr Oid int2 = 21;
inline constexpr Oid int4 = 23;
inline constexpr Oid text = 25;
inline constexpr Oid oid = 26;
inline constexpr Oid float4 = 700;
inline constexpr Oid float8 = 701;
inline constexpr Oid numeric = 1700;
} // namespace oid

// One parameter ready for PQexecPrepared: bytes, length and format.
struct WireParameter {
    bool null = true;
    std::string bytes;
    int format = 0;  // 0 text, 1 binary
};

// Encodes `value` for a parameter the server typed `type`. Throws DataError
// (naming parameter `index` and `sql`) for text holding a NUL byte bound to a
// non-bytea parameter: PostgreSQL's text cannot store it, and libpq would cut
// the value there silently.
void encode_parameter(const Value& value, Oid type, int index, std::string_view sql, WireParameter& out);

// Decodes one non-NULL column value in text format of type `type`.
Value decode_column(std::string_view text, Oid type);

// bytea's hex output ("\x0a0b...") back to bytes; other input is returned as is.
std::string decode_bytea(std::string_view text);

} // namespace folio::backend::postgresql
