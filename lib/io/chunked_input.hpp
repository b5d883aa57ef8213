// Private to lib/io: a std::streambuf that pulls its bytes in fixed 64 KiB
// chunks from a file or another stream and counts them, so the JSON readers
// can report progress and a parser sees a plain std::istream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <istream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "folio/io/json_records.hpp"

namespace folio::io::detail {

class ChunkedStreambuf final : public std::streambuf {
public:
    // Contract: `read(dst, n)` fills up to n bytes and returns how many it
    // wrote, 0 meaning end of input; it throws InputError on read failure.
    // `total` is the input size or 0 if unknown. `progress` may be empty.
    using ReadFn = std::function<std::size_t(char*, std::size_t)>;
    ChunkedStreambuf(ReadFn read, std::uint64_t total, const ProgressCallback& progress);

    // Opens `file` for binary reading; throws InputError "cannot open file: ...".
    static ChunkedStreambuf from_file(const std::filesystem::path& file,
                                      const std::string& display_name,
                                      const ProgressCallback& progress);
    // Reads `in` from its current position on (through its rdbuf, bypassing
    // the istream's formatting layer); total is the remaining size if seekable.
    static ChunkedStreambuf from_stream(std::istream& in, const std::string& display_name,
                                        const ProgressCallback& progress);

    ChunkedStreambuf(ChunkedStreambuf&&) = default;

    // Skips leading JSON whitespace; returns how many bytes were skipped and
    // sets `at_end` if nothing else is left (an "empty" input).
    std::uint64_t skip_whitespace(bool& at_end);

    // Reports the final (bytes_read, bytes_read) pair to the progress hook:
    // at the end the real size is known even when `total` was not.
    void report_done();

    std::uint64_t bytes_read() const noexcept { return bytes_read_; }

protected:
    int_type underflow() override;

private:
    ReadFn read_;
    std::vector<char> buffer_;
    std::uint64_t total_;
    std::uint64_t bytes_read_ = 0;
    const ProgressCallback* progress_;
    // Keeps the FILE* (if any) alive exactly as long as the buffer.
    std::shared_ptr<std::FILE> file_;
};

} // namespace folio::io::detail
