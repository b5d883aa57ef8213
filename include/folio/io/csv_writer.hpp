// RFC 4180 CSV output (and a small reader used to check round trips). The
// writer is built for the guide's article export (~200 MB): it formats rows
// into its own string buffer and hands the stream large blocks, instead of
// paying a virtual streambuf call per character.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace folio::io {

struct CsvOptions {
    char delimiter = ';';                   // the guide's csv.writer(delimiter=';')
    bool crlf = false;                      // RFC 4180 says CRLF; LF is friendlier on Unix
    std::size_t buffer_size = 1024 * 1024;  // bytes buffered before writing to the stream
};

class CsvWriter {
public:
    // Contract: `out` must outlive the writer. The delimiter must not be '"',
    // CR or LF (throws std::invalid_argument).
    explicit CsvWriter(std::ostream& out, CsvOptions options = {});
    // Flushes what is buffered; errors are swallowed here, so call flush()
    // yourself when you need to know that everything reached the stream.
    ~CsvWriter();

    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;

    // Contract: appends one record. A field is quoted iff it contains the
    // delimiter, '"', CR or LF (quotes inside are doubled); bytes are copied
    // as they are (UTF-8 passes through). A row made of a single empty field
    // is written as "" so that it does not read back as an empty line; a row
    // with no fields is written as an empty line. May write to the stream
    // when the buffer is full; throws std::ios_base::failure if the stream
    // has failed.
    void write_row(std::initializer_list<std::string_view> fields);
    void write_row(std::span<const std::string_view> fields);
    void write_row(std::span<const std::string> fields);

    // Writes the buffer to the stream and flushes the stream; throws
    // std::ios_base::failure if the stream has failed.
    void flush();

    std::uint64_t rows_written() const noexcept { return rows_; }
    // Bytes produced so far (buffered or already written).
    std::uint64_t bytes_written() const noexcept { return bytes_flushed_ + buffer_.size(); }

private:
    void begin_row() noexcept { first_field_ = true; }
    void append_field(std::string_view field);
    void end_row(std::size_t field_count, bool single_empty);
    void write_buffer();

    std::ostream& out_;
    CsvOptions options_;
    std::string buffer_;
    bool needs_quote_[256] = {};
    bool first_field_ = true;
    std::uint64_t rows_ = 0;
    std::uint64_t bytes_flushed_ = 0;
};

// Contract: parses all of `in` as RFC 4180 CSV with the given delimiter:
// quoted fields may hold the delimiter, doubled quotes, CR and LF; records end
// with LF or CRLF (the last one may lack a line end). Throws InputError naming
// `display_name` and the 0-based row for a quote inside an unquoted field, a
// character after a closing quote, or a quoted field left open at the end.
std::vector<std::vector<std::string>> read_csv_rows(std::istream& in, char delimiter = ';',
                                                    std::string_view display_name = "csv");

} // namespace folio::io
