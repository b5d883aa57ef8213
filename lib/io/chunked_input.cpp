// Implementation of the readers' chunked, byte-counting input (see
// chunked_input.hpp).
#include "chunked_input.hpp"

#include "folio/io/validate.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>
#include <system_error>
#include <utility>

namespace folio::io::detail {

ChunkedInput::ChunkedInput(ReadFn read, std::uint64_t total, const ProgressCallback& progress)
    : read_(std::move(read)), buffer_(read_chunk_size), total_(total), progress_(progress ? &progress : nullptr) {}

namespace {

// Opens `file` for binary reading, or throws InputError "cannot open file:
// <reason>" naming `display_name` (fopen opens a directory: asked first).
std::FILE* open_input(const std::filesystem::path& file, const std::string& display_name) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw InputError(display_name, InputError::npos, {},
                         "cannot open file: " + std::generic_category().message(EISDIR));
    errno = 0;
    std::FILE* raw = std::fopen(file.c_str(), "rb");
    if (raw == nullptr) {
        const int err = errno;
        throw InputError(display_name, InputError::npos, {},
                         std::string("cannot open file: ") + (err != 0 ? std::strerror(err) : "unknown error"));
    }
    return raw;
}

} // namespace

ChunkedInput ChunkedInput::from_file(const std::filesystem::path& file, const std::string& display_name,
                                     const ProgressCallback& progress) {
    std::FILE* raw = open_input(file, display_name);
    std::shared_ptr<std::FILE> handle(raw, [](std::FILE* f) { std::fclose(f); });
    std::error_code ec;
    // We read in large chunks ourselves; stdio buffering would only copy twice.
    std::setvbuf(raw, nullptr, _IONBF, 0);
    // One pass front to back: let the kernel read ahead further and drop
    // pages behind us (a hint; failure is harmless).
    (void)::posix_fadvise(::fileno(raw), 0, 0, POSIX_FADV_SEQUENTIAL);
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    auto read = [raw, display_name](char* dst, std::size_t n) -> std::size_t {
        const std::size_t got = std::fread(dst, 1, n, raw);
        if (got < n && std::ferror(raw)) {
            const int err = errno;
            throw InputError(display_name, InputError::npos, {}, std::string("read error: ") + std::strerror(err));
        }
        return got;
    };
    ChunkedInput in(std::move(read), ec ? 0 : static_cast<std::uint64_t>(size), progress);
    in.file_ = std::move(handle);
    return in;
}

ChunkedInput ChunkedInput::from_stream(std::istream& in, const std::string& display_name,
                                       const ProgressCallback& progress) {
    std::streambuf* sb = in.rdbuf();
    if (sb == nullptr || !in.good()) throw InputError(display_name, InputError::npos, {}, "cannot read stream");
    // Remaining size, when the stream supports seeking (files, stringstreams).
    std::uint64_t total = 0;
    const auto cur = sb->pubseekoff(0, std::ios_base::cur, std::ios_base::in);
    if (cur != std::streampos(-1)) {
        const auto end = sb->pubseekoff(0, std::ios_base::end, std::ios_base::in);
        if (end != std::streampos(-1) && end >= cur) total = static_cast<std::uint64_t>(end - cur);
        sb->pubseekpos(cur, std::ios_base::in);
    }
    auto read = [sb](char* dst, std::size_t n) -> std::size_t {
        const std::streamsize got = sb->sgetn(dst, static_cast<std::streamsize>(n));
        return got > 0 ? static_cast<std::size_t>(got) : 0;
    };
    return ChunkedInput(std::move(read), total, progress);
}

bool ChunkedInput::fill() {
    // The parser read buffer_[0, size_); a sequence cut at its end goes first.
    base_ += size_;
    if (carry_ > 0) std::memmove(buffer_.data(), buffer_.data() + size_, carry_);
    std::size_t avail = carry_;
    pos_ = size_ = carry_ = 0;
    replaced_.clear();
    next_replaced_ = 0;
    // More than once only when a read gave no more than a cut sequence (a pipe).
    while (size_ == 0) {
        const std::size_t got = read_(buffer_.data() + avail, buffer_.size() - avail);
        avail += got;
        if (avail == 0) return false;
        bytes_read_ += got;
        if (got > 0 && progress_ != nullptr) (*progress_)(bytes_read_, total_);
        size_ = replace_ill_formed(avail, got == 0);
        carry_ = avail - size_;
    }
    return true;
}

std::size_t ChunkedInput::replace_ill_formed(std::size_t avail, bool at_eof) {
    std::size_t from = 0;
    while (from < avail) {
        const std::size_t bad = invalid_utf8_offset({buffer_.data() + from, avail - from});
        if (bad == std::string_view::npos) break;
        const std::size_t at = from + bad;
        // A sequence is at most 4 bytes long: one that starts in the last 3
        // may only be cut by the chunk's end, and is judged with the next.
        if (!at_eof && avail - at < 4) return at;
        replaced_.emplace_back(at, static_cast<unsigned char>(buffer_[at]));
        buffer_[at] = '?';
        from = at + 1;
    }
    return avail;
}

void ChunkedInput::refill(const char*& pos, const char*& end) {
    pos_ = static_cast<std::size_t>(end - buffer_.data());
    if (next_replaced_ < replaced_.size() && replaced_[next_replaced_].first + 1 == pos_) {
        // The piece ended with a replaced byte: the parser has just read it.
        if (!ill_formed_read_)
            first_ill_formed_read_ = {replaced_[next_replaced_].second, base_ + replaced_[next_replaced_].first};
        ill_formed_read_ = true;
        ++next_replaced_;
    }
    if (pos_ == size_) fill();
    pos = buffer_.data() + pos_;
    end = buffer_.data() + piece_end();
}

ChunkedInput::Iterator ChunkedInput::begin() {
    if (pos_ == size_) fill();
    const char* base = buffer_.data();
    return {this, base + pos_, base + piece_end()};
}

std::uint64_t ChunkedInput::skip_whitespace(bool& at_end) {
    std::uint64_t skipped = 0;
    while (true) {
        if (pos_ == size_ && !fill()) {
            at_end = true;
            return skipped;
        }
        const char ch = buffer_[pos_];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
            at_end = false;
            return skipped;
        }
        ++pos_;
        ++skipped;
    }
}

void ChunkedInput::report_done() {
    if (progress_ != nullptr) (*progress_)(bytes_read_, bytes_read_);
}

} // namespace folio::io::detail

namespace folio::io {

void check_input_file(const std::filesystem::path& file) { std::fclose(detail::open_input(file, file.string())); }

} // namespace folio::io
