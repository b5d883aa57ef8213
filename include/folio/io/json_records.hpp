// Streaming readers for the two JSON exports of the old blog (the guide's
// old_authors.json and old_articles.json). Records are parsed with a SAX
// handler and handed to a callback one at a time, so memory use stays flat
// however large the file is (the guide's files reach ~200 MB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "folio/io/input_error.hpp"

namespace folio::io {

// One element of old_authors.json: {"username": str, "email": str, "bio": str}.
struct AuthorRecord {
    std::string username;
    std::string email; // may be empty in the old data
    std::string bio;

    bool operator==(const AuthorRecord&) const = default;
};

// One element of old_articles.json:
// {"created_at": "YYYY-MM-DD", "author": username, "tags": [str...],
//  "title": str, "content": str}.
struct ArticleRecord {
    std::string created_at;
    std::string author;
    std::string title;
    std::string content;
    std::vector<std::string> tags;

    bool operator==(const ArticleRecord&) const = default;
};

// Called with each record and its 0-based index in the top-level array. The
// record is the reader's own buffer, reused for the next record: take its
// strings by moving or (cheapest: no allocation on either side) by swapping
// the whole record, or each string with one of your own that held the same
// field (a field's buffer then stays about that field's size); whatever it
// holds on return is overwritten.
using AuthorCallback = std::function<void(AuthorRecord&&, std::size_t index)>;
using ArticleCallback = std::function<void(ArticleRecord&&, std::size_t index)>;

// Progress hook: bytes pulled from the input so far and the input's total size
// (0 when unknown, e.g. a pipe). Called once per read chunk (read_chunk_size) and once
// more at the end with bytes_read == total; bytes_read never decreases.
using ProgressCallback = std::function<void(std::uint64_t bytes_read, std::uint64_t total)>;

// Called, with on_invalid given, for a record that cannot be delivered: an
// element of the top-level array that is not an object, an object with a
// missing or mistyped field, or a string (value or key) of the record that
// is not well-formed UTF-8. The error names the file, the record and the
// field (as the one the reader would otherwise throw). The reader then goes
// on with the next record; the bad one's index is not delivered.
using InvalidRecordCallback = std::function<void(const InputError&)>;

// Size of the chunks the readers pull from their input (one buffer of this
// size is all the input memory a reader holds).
inline constexpr std::size_t read_chunk_size = 256 * 1024;

// Contract (all four readers):
//  - The input must be a JSON array whose elements are objects; every field
//    listed for the record type is required and must have the JSON type shown
//    above; unknown keys (with any value) are ignored; if a key repeats, the
//    last value wins. Only JSON types are checked here: lengths, dates and
//    e-mails are the model layer's job (see validate.hpp).
//  - `on_record` is called once per record, in file order, before the next
//    record is parsed; records already delivered stay delivered when a later
//    one fails. Exceptions thrown by `on_record` or `progress` propagate
//    unchanged and stop the read.
//  - Returns the number of records delivered.
//  - Throws InputError (what() naming the file, the record index and the
//    field) when the file cannot be opened or read, is empty (or only
//    whitespace), is malformed JSON ("malformed JSON at byte N: ..."), or is
//    not an array. A record that is not an object, has a missing or mistyped
//    field, or holds a string with ill-formed UTF-8 (RFC 3629: the message
//    gives the byte's value and offset) goes to `on_invalid` when given (and
//    the read goes on with the next record), else throws the same way. An
//    ill-formed byte outside a string, or right after a backslash, is
//    malformed JSON (the read cannot resume there).
//  - Cost: one read_chunk_size buffer and one record's strings, reused; the
//    parse is nlohmann's SAX parser over that buffer (no std::istream).
std::size_t read_authors(const std::filesystem::path& file, const AuthorCallback& on_record,
                         const ProgressCallback& progress = {}, const InvalidRecordCallback& on_invalid = {});
std::size_t read_articles(const std::filesystem::path& file, const ArticleCallback& on_record,
                          const ProgressCallback& progress = {}, const InvalidRecordCallback& on_invalid = {});

// Checks that `file` opens for reading as read_authors/read_articles (and
// the imports) open it, without reading it: throws InputError "cannot open
// file: <reason>" naming `file` for a missing, unreadable or directory path.
// For a caller that must refuse a bad path before other work (the CLI, before
// it creates the database). Thread-safe.
void check_input_file(const std::filesystem::path& file);

// Same, reading `in` from its current position to its end; `display_name`
// names the input in error messages. The total passed to `progress` is the
// remaining length if `in` is seekable, else 0.
std::size_t read_authors(std::istream& in, std::string_view display_name, const AuthorCallback& on_record,
                         const ProgressCallback& progress = {}, const InvalidRecordCallback& on_invalid = {});
std::size_t read_articles(std::istream& in, std::string_view display_name, const ArticleCallback& on_record,
                          const ProgressCallback& progress = {}, const InvalidRecordCallback& on_invalid = {});

} // namespace folio::io
