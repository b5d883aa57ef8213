// Internal to bench/: the CSV writing of the hand-written §5 exports (SQLite
// C API in raw_queries.cpp, libpq in raw_postgresql.cpp), written once: RFC
// 4180 quoting decided by a byte table, CRLF line ends, one large reusable
// buffer flushed to the stream every megabyte, so memory stays flat.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "raw_sqlite.hpp"  // ExportStats

namespace folio::bench::raw {

class CsvBuffer {
public:
    CsvBuffer(std::ostream& out, char delim) : out_(out), delim_(delim) {
        for (unsigned char c : {static_cast<unsigned char>(delim), static_cast<unsigned char>('"'),
                                static_cast<unsigned char>('\r'), static_cast<unsigned char>('\n')})
            special_[c] = true;
        buf_.reserve(kFlushAt + (std::size_t{1} << 16));
    }

    // One field and the delimiter after it, quoted when it holds a special byte.
    void field(std::string_view v) {
        const bool quote = std::any_of(v.begin(), v.end(), [&](char c) { return special_[static_cast<unsigned char>(c)]; });
        if (!quote) {
            buf_.append(v);
        } else {
            buf_ += '"';
            for (std::size_t pos = 0;;) {  // copy runs between quotes, doubling each quote
                std::size_t q = v.find('"', pos);
                if (q == std::string_view::npos) {
                    buf_.append(v.substr(pos));
                    break;
                }
                buf_.append(v.substr(pos, q + 1 - pos));
                buf_ += '"';
                pos = q + 1;
            }
            buf_ += '"';
        }
        buf_ += delim_;
    }
    // The row's last field, an integer, and the line end.
    void last_int(std::int64_t v) {
        char num[24];
        auto res = std::to_chars(num, num + sizeof num, v);
        buf_.append(num, res.ptr);
        buf_ += "\r\n";
        ++stats_.rows;
        if (buf_.size() >= kFlushAt) flush();
    }
    // Writes what is left and flushes the stream; throws when it failed.
    ExportStats finish() {
        flush();
        out_.flush();
        if (!out_) throw std::runtime_error("CSV export: write failed");
        return stats_;
    }

private:
    static constexpr std::size_t kFlushAt = std::size_t{1} << 20;
    void flush() {
        out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
        stats_.bytes += static_cast<std::int64_t>(buf_.size());
        buf_.clear();
    }

    std::ostream& out_;
    char delim_;
    std::array<bool, 256> special_{};
    std::string buf_;
    ExportStats stats_;
};

}  // namespace folio::bench::raw
