// Private to lib/io: the readers' input. A ChunkedInput pulls its bytes in
// large chunks (read_chunk_size) from a file or a stream into one reused
// buffer and counts them for the progress hook; ChunkedInput::Iterator walks
// that buffer byte by byte so nlohmann's SAX parser reads through a plain,
// inlinable iterator (its iterator_input_adapter) instead of std::istream's
// per-character virtual calls. Memory: one chunk, whatever the input size.
//
// Ill-formed UTF-8: nlohmann's lexer stops the whole parse at the first byte
// that is not well-formed UTF-8 inside a string, and cannot resume. So each
// chunk is checked when it is read, and every such byte is replaced, in the
// buffer, by '?' (one byte for one: offsets stay those of the file) before
// the parser sees it; the parser then reads on. The chunk is handed to the
// iterator in pieces that end just after each replaced byte, so the moment
// the lexer reads one is known (the iterator asks for the next piece):
// take_ill_formed() then reports it to the SAX handler, at the string that
// held it, which rejects that record. A sequence cut by the end of a chunk
// is kept for the next one, so only ill-formed bytes are replaced.
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
#include <utility>
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

    // A byte the parser has read since the last call that was not
    // well-formed UTF-8 (and reached the parser as '?'): its value and
    // offset in the input (as the parser's own positions count); the first
    // of them when several were read. False when there was none.
    struct IllFormedByte {
        unsigned char value = 0;
        std::uint64_t offset = 0;
    };
    bool take_ill_formed(IllFormedByte& out) noexcept {
        if (!ill_formed_read_) return false;
        out = first_ill_formed_read_;
        ill_formed_read_ = false;
        return true;
    }

private:
    // Loads the next piece: the rest of the chunk up to the next replaced
    // byte, or the next chunk; at the end of input leaves pos == end.
    void refill(const char*& pos, const char*& end);
    bool fill();
    // Replaces the ill-formed bytes of buffer_[0, avail) (their offsets go
    // to replaced_); returns how many bytes, from the front, the parser may
    // read now: a possibly cut sequence at the end stays for the next chunk
    // unless `at_eof`.
    std::size_t replace_ill_formed(std::size_t avail, bool at_eof);
    // The end of the piece starting at pos_: just after the next replaced byte.
    std::size_t piece_end() const noexcept {
        return next_replaced_ < replaced_.size() ? replaced_[next_replaced_].first + 1 : size_;
    }

    ReadFn read_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0;  // next unread byte of buffer_ (outside an Iterator's life)
    std::size_t size_ = 0; // bytes of buffer_ holding input the parser may read
    std::size_t carry_ = 0; // bytes after size_ kept for the next chunk (a cut sequence)
    std::uint64_t base_ = 0; // input offset of buffer_[0]
    std::vector<std::pair<std::size_t, unsigned char>> replaced_; // this chunk's: offset, original byte
    std::size_t next_replaced_ = 0; // first of replaced_ the parser has not read
    bool ill_formed_read_ = false;
    IllFormedByte first_ill_formed_read_;
    std::uint64_t total_;
    std::uint64_t bytes_read_ = 0;
    const ProgressCallback* progress_;
    // Keeps the FILE* (if any) alive exactly as long as the buffer.
    std::shared_ptr<std::FILE> file_;
};

} // namespace folio::io::detail
