// Implementation of folio/io/csv_writer.hpp: buffered RFC 4180 writer and the
// small reader used by the round-trip tests.
#include "folio/io/csv_writer.hpp"

#include <istream>
#include <iterator>
#include <ostream>
#include <stdexcept>

#include "folio/io/input_error.hpp"

namespace folio::io {

CsvWriter::CsvWriter(std::ostream& out, CsvOptions options) : out_(out), options_(options) {
    const char d = options_.delimiter;
    if (d == '"' || d == '\r' || d == '\n')
        throw std::invalid_argument("CSV delimiter must not be a quote, CR or LF");
    if (options_.buffer_size == 0) options_.buffer_size = 1;
    // Table lookup keeps the "does this field need quotes" scan branch-light.
    for (unsigned char c : {static_cast<unsigned char>(d), static_cast<unsigned char>('"'),
                            static_cast<unsigned char>('\r'), static_cast<unsigned char>('\n')})
        needs_quote_[c] = true;
    // Room for one buffer plus the row that crosses the threshold.
    buffer_.reserve(options_.buffer_size + 4096);
}

CsvWriter::~CsvWriter() {
    try {
        flush();
    } catch (...) {
        // A destructor must not throw; flush() explicitly to observe errors.
    }
}

void CsvWriter::append_field(std::string_view field) {
    if (!first_field_) buffer_.push_back(options_.delimiter);
    first_field_ = false;
    bool quote = false;
    for (char c : field)
        if (needs_quote_[static_cast<unsigned char>(c)]) {
            quote = true;
            break;
        }
    if (!quote) {
        buffer_.append(field);
        return;
    }
    buffer_.push_back('"');
    // Copy runs between quotes in one append each; double every quote.
    std::size_t start = 0;
    while (true) {
        const std::size_t q = field.find('"', start);
        if (q == std::string_view::npos) {
            buffer_.append(field.substr(start));
            break;
        }
        buffer_.append(field.substr(start, q + 1 - start));
        buffer_.push_back('"');
        start = q + 1;
    }
    buffer_.push_back('"');
}

void CsvWriter::end_row(std::size_t field_count, bool single_empty) {
    if (field_count == 1 && single_empty) buffer_.append("\"\"");
    if (options_.crlf) buffer_.push_back('\r');
    buffer_.push_back('\n');
    ++rows_;
    if (buffer_.size() >= options_.buffer_size) write_buffer();
}

void CsvWriter::write_row(std::initializer_list<std::string_view> fields) {
    write_row(std::span<const std::string_view>(fields.begin(), fields.size()));
}

void CsvWriter::write_row(std::span<const std::string_view> fields) {
    begin_row();
    for (std::string_view f : fields) append_field(f);
    end_row(fields.size(), fields.size() == 1 && fields[0].empty());
}

void CsvWriter::write_row(std::span<const std::string> fields) {
    begin_row();
    for (const std::string& f : fields) append_field(f);
    end_row(fields.size(), fields.size() == 1 && fields[0].empty());
}

void CsvWriter::write_buffer() {
    if (!buffer_.empty()) {
        out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        bytes_flushed_ += buffer_.size();
        buffer_.clear(); // keeps capacity: no reallocation per block
    }
    if (!out_) throw std::ios_base::failure("CSV output stream failed");
}

void CsvWriter::flush() {
    write_buffer();
    out_.flush();
    if (!out_) throw std::ios_base::failure("CSV output stream failed");
}

std::vector<std::vector<std::string>> read_csv_rows(std::istream& in, char delimiter,
                                                    std::string_view display_name) {
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    auto fail = [&](const char* message) {
        throw InputError(std::string(display_name), rows.size(), {}, message);
    };
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        // One field starts at i.
        if (text[i] == '"') {
            ++i;
            while (true) {
                if (i >= n) fail("unterminated quoted field");
                if (text[i] == '"') {
                    if (i + 1 < n && text[i + 1] == '"') {
                        field.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field.push_back(text[i++]);
            }
            if (i < n && text[i] != delimiter && text[i] != '\n' && text[i] != '\r')
                fail("unexpected character after closing quote");
        } else {
            while (i < n && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') {
                if (text[i] == '"') fail("quote inside unquoted field");
                field.push_back(text[i++]);
            }
        }
        row.push_back(std::move(field));
        field.clear();
        if (i >= n) break;
        if (text[i] == delimiter) {
            ++i;
            if (i == n) row.emplace_back(); // trailing delimiter: one more empty field
            continue;
        }
        // Line end: LF, CRLF, or a lone CR.
        if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
        ++i;
        rows.push_back(std::move(row));
        row.clear();
    }
    if (!row.empty()) rows.push_back(std::move(row));
    return rows;
}

} // namespace folio::io
