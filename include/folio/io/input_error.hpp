// folio::io::InputError: the one exception type the I/O layer throws for bad
// input files (unreadable, empty, malformed JSON, wrong record shape, bad CSV).
// It keeps the location as separate fields so callers (CLI, model layer) can
// react programmatically, and a one-line what() meant for humans. It is a
// folio::Error, as every exception that leaves folio's public API.
#pragma once

#include "folio/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace folio::io {

class InputError : public folio::Error {
public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    // Contract: `file` is the display name of the input (a path or a label such
    // as "<stdin>"); `record` is the 0-based index of the offending record or
    // npos; `field` is the offending field name or empty; `message` describes
    // the problem. what() is "file: [record N: ][field "F": ]message", always a
    // single line (any CR/LF in the parts is replaced by a space).
    InputError(std::string file, std::size_t record, std::string field, std::string message,
               std::uint64_t byte_offset = npos_offset)
        : folio::Error(compose(file, record, field, message, true)),
          file_(std::move(file)), field_(std::move(field)), message_(std::move(message)),
          record_(record), byte_offset_(byte_offset) {}

    // Contract: builds the error for a required field absent from record
    // `record`; what() reads "file: record N: missing field "F"" (the field is
    // named once, inside the message, rather than as a "field" prefix).
    static InputError missing_field(std::string file, std::size_t record, std::string field) {
        std::string message = "missing field \"" + field + "\"";
        return InputError(std::move(file), record, std::move(field), std::move(message),
                          npos_offset, false);
    }

    static constexpr std::uint64_t npos_offset = static_cast<std::uint64_t>(-1);

    const std::string& file() const noexcept { return file_; }
    std::size_t record() const noexcept { return record_; }      // npos if not applicable
    const std::string& field() const noexcept { return field_; } // empty if not applicable
    const std::string& message() const noexcept { return message_; }
    // Byte offset in the input where a syntax error was detected, else npos_offset.
    std::uint64_t byte_offset() const noexcept { return byte_offset_; }

private:
    InputError(std::string file, std::size_t record, std::string field, std::string message,
               std::uint64_t byte_offset, bool field_prefix)
        : folio::Error(compose(file, record, field, message, field_prefix)),
          file_(std::move(file)), field_(std::move(field)), message_(std::move(message)),
          record_(record), byte_offset_(byte_offset) {}

    static std::string compose(std::string_view file, std::size_t record, std::string_view field,
                               std::string_view message, bool field_prefix) {
        std::string s(file);
        s += ": ";
        if (record != npos) {
            s += "record ";
            s += std::to_string(record);
            s += ": ";
        }
        if (field_prefix && !field.empty()) {
            s += "field \"";
            s += field;
            s += "\": ";
        }
        s += message;
        // what() is printed by CLIs on one line; never let data break it.
        for (char& c : s)
            if (c == '\n' || c == '\r') c = ' ';
        return s;
    }

    std::string file_;
    std::string field_;
    std::string message_;
    std::size_t record_;
    std::uint64_t byte_offset_;
};

} // namespace folio::io
