// csv_roundtrip.cpp: fuzz target for folio::io::CsvWriter, read back by
// libcsv (Debian's libcsv-dev, Robert Gamble's C parser, in CSV_STRICT mode):
// a reader folio did not write, so a quoting mistake shared by a writer and
// a reader of our own cannot hide. Property: every row of arbitrary bytes
// written with any allowed delimiter, LF or CRLF, reads back as the same
// fields. Rows with no field are left out: the writer's contract writes them
// as an empty line, which CSV readers skip.
//
// Input: byte 0 picks the delimiter and the line ending; then rows split on
// 0x1E, fields on 0x1F (so those two bytes never appear inside a field).
#include <sstream>
#include <string>
#include <vector>

#include <csv.h>

#include <folio/io/csv_writer.hpp>

#include "fuzz_support.hpp"

namespace {

using Rows = std::vector<std::vector<std::string>>;

struct Reading {
    Rows rows;
    std::vector<std::string> row;
};

// Every byte is data: no field trimming of spaces or tabs (libcsv's
// default), only CR and LF end a record.
int no_space(unsigned char) { return 0; }
int line_end(unsigned char c) { return c == '\r' || c == '\n' ? 1 : 0; }

Rows read_back(const std::string& text, char delimiter) {
    csv_parser p;
    FUZZ_CHECK(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) == 0, "libcsv initialises");
    csv_set_delim(&p, static_cast<unsigned char>(delimiter));
    csv_set_space_func(&p, no_space);
    csv_set_term_func(&p, line_end);
    Reading r;
    auto on_field = [](void* s, size_t n, void* data) {
        static_cast<Reading*>(data)->row.emplace_back(static_cast<const char*>(s), n);
    };
    auto on_row = [](int, void* data) {
        auto* rd = static_cast<Reading*>(data);
        rd->rows.push_back(std::move(rd->row));
        rd->row.clear();
    };
    const std::size_t parsed = csv_parse(&p, text.data(), text.size(), on_field, on_row, &r);
    if (parsed != text.size()) std::fprintf(stderr, "libcsv: %s\n", csv_strerror(csv_error(&p)));
    FUZZ_CHECK(parsed == text.size(), "libcsv accepts the writer's output in strict mode");
    FUZZ_CHECK(csv_fini(&p, on_field, on_row, &r) == 0, "the output ends on a complete record");
    csv_free(&p);
    return r.rows;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    folio_fuzz::Bytes in(data, size);
    const std::uint8_t head = in.byte();
    // Any byte but the quote, CR, LF, and the two separators of this input format.
    char delimiter = static_cast<char>(head >> 1);
    if (delimiter == '"' || delimiter == '\r' || delimiter == '\n' || delimiter == '\x1e' || delimiter == '\x1f' ||
        delimiter == '\0')
        delimiter = ';';
    folio::io::CsvOptions options;
    options.delimiter = delimiter;
    options.crlf = head & 1;
    options.buffer_size = 64;  // small, so that rows straddle the flushes
    Rows rows;
    for (std::string line = in.until('\x1e');; line = in.until('\x1e')) {
        std::vector<std::string> fields;
        folio_fuzz::Bytes f(reinterpret_cast<const std::uint8_t*>(line.data()), line.size());
        do fields.push_back(f.until('\x1f'));
        while (!f.empty());
        rows.push_back(std::move(fields));
        if (in.empty()) break;
    }
    std::ostringstream out;
    {
        folio::io::CsvWriter csv(out, options);
        for (const auto& r : rows) csv.write_row(std::span<const std::string>(r));
        csv.flush();
    }
    FUZZ_CHECK(read_back(out.str(), delimiter) == rows, "rows read back equal to the rows written");
    return 0;
}
