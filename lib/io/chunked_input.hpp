// Private to lib/io: the readers' input. A ChunkedInput pulls its bytes in
// large chunks (read_chunk_size) from a file or a stream into one reused
// buffer and counts them for the progress hook; ChunkedInput::Iterator walks
// that buffer byte by byte so nlohmann's SAX parser reads through a plain,
// inlinable iterator (its iterator_input_adapter) instead of std::istream's
// per-character virtual calls. Memory: one chunk, whatever the input size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <istream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "folio/io/json_records.hpp"

namespace folio::io::detail {

class ChunkedInput {
public:
    // Contract: `read(dst, n)` fills up to n bytes and returns how many it
    // wrote, 0 meaning end of input; it throws InputError on read failure.
    // `total` is the input size or 0 if unknown. `progress` may be empty and
    // must outlive this object.
    using ReadFn = std::function<std::size_t(char*, std::size_t)>;
    ChunkedInput(ReadFn read, std::uint64_t total, const ProgressCallback& progress);

    // Opens `file` for binary reading; throws InputError "cannot open file: ...".
    static ChunkedInput from_file(const std::filesystem::path& file, const std::string& display_name,
                                  const ProgressCallback& progress);
    // Reads `in` from its current position on (through its rdbuf, bypassing
    // the istream's formatting layer); total is the remaining size if seekable.
    static ChunkedInput from_stream(std::istream& in, const std::string& display_name,
                                    const ProgressCallback& progress);

    ChunkedInput(ChunkedInput&&) = default;

    // Skips leading JSON whitespace; returns how many bytes were skipped and
    // sets `at_end` if nothing else is left (an "empty" input).
    std::uint64_t skip_whitespace(bool& at_end);

    // A single-pass iterator over the rest of the input. Two iterators are
    // equal when both are exhausted (end() is always exhausted), which is all
    // nlohmann's adapter asks (`current != end`). Only one live iterator may
    // advance: they share the underlying buffer.
    class Iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = char;
        using difference_type = std::ptrdiff_t;
        using pointer = const char*;
        using reference = const char&;

        Iterator() = default;
        reference operator*() const noexcept { return *pos_; }
        Iterator& operator++() {
            if (++pos_ == end_) src_->refill(pos_, end_);
            return *this;
        }
        void operator++(int) { ++*this; }
        bool operator==(const Iterator& o) const noexcept { return (pos_ == end_) == (o.pos_ == o.end_); }

    private:
        friend class ChunkedInput;
        Iterator(ChunkedInput* src, const char* pos, const char* end) : src_(src), pos_(pos), end_(end) {}
        ChunkedInput* src_ = nullptr;
        const char* pos_ = nullptr;
        const char* end_ = nullptr;
    };

    // The current position; the input must not be read otherwise while it is used.
    Iterator begin();
    static Iterator end() { return {}; }

    // Reports the final (bytes_read, bytes_read) pair to the progress hook:
    // at the end the real size is known even when `total` was not.
    void report_done();

    std::uint64_t bytes_read() const noexcept { return bytes_read_; }

private:
    // Loads the next chunk; at the end of input leaves pos == end.
    void refill(const char*& pos, const char*& end);
    bool fill();

    ReadFn read_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0;  // next unread byte of buffer_ (outside an Iterator's life)
    std::size_t size_ = 0; // bytes of buffer_ holding input
    std::uint64_t total_;
    std::uint64_t bytes_read_ = 0;
    const ProgressCallback* progress_;
    // Keeps the FILE* (if any) alive exactly as long as the buffer.
    std::shared_ptr<std::FILE> file_;
};

} // namespace folio::io::detail
