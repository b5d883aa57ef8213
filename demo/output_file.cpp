// output_file.cpp: the CLI's all-or-nothing output files (see output_file.hpp).
#include "output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace folio_cli {

FdBuffer::FdBuffer(int fd) : fd_(fd), buf_(64 * 1024) { setp(buf_.data(), buf_.data() + buf_.size()); }

bool FdBuffer::drain() {
    const char* p = pbase();
    std::size_t left = static_cast<std::size_t>(pptr() - pbase());
    while (left > 0 && error_ == 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno != EINTR) error_ = errno;
            continue;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    setp(buf_.data(), buf_.data() + buf_.size());
    return error_ == 0;
}

int FdBuffer::overflow(int c) {
    if (!drain()) return traits_type::eof();
    if (c != traits_type::eof()) {
        *pptr() = traits_type::to_char_type(c);
        pbump(1);
    }
    return traits_type::not_eof(c);
}

int FdBuffer::sync() { return drain() ? 0 : -1; }

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
    namespace fs = std::filesystem;
    struct stat st {};
    const bool exists = ::stat(path_.c_str(), &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    } else {
        const fs::path target(path_);
        const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
        temp_ = (dir / ("." + target.filename().string() + ".folio-XXXXXX")).string();
        fd_ = ::mkstemp(temp_.data());
        if (fd_ >= 0) {
            // mkstemp makes 0600; give the file the mode it would have had.
            mode_t mode = 0666;
            if (exists) {
                mode = st.st_mode & 07777;
            } else {
                const mode_t mask = ::umask(0);
                ::umask(mask);
                mode &= ~mask;
            }
            ::fchmod(fd_, mode);
        }
    }
    if (fd_ < 0) {
        const int e = errno;
        temp_.clear();
        throw OutputError(fmt::format("cannot write '{}': {}", path_, std::strerror(e)));
    }
    buf_ = std::make_unique<FdBuffer>(fd_);
    out_.rdbuf(buf_.get());
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void OutputFile::fail(int error) {
    throw OutputError(fmt::format("cannot write '{}': {}", path_, std::strerror(error)));
}

void OutputFile::check() const {
    if (buf_->error()) throw OutputError(fmt::format("cannot write '{}': {}", path_, std::strerror(buf_->error())));
}

void OutputFile::flush() {
    out_.flush();
    check();
    if (!out_) fail(EIO);
    if (!temp_.empty()) {
        // Synced before the rename: after a crash the target is the old file or the whole new one.
        if (::fsync(fd_) != 0) fail(errno);
    }
}

void OutputFile::commit() {
    flush();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail(errno);
    if (!temp_.empty() && ::rename(temp_.c_str(), path_.c_str()) != 0) fail(errno);
    committed_ = true;
}

} // namespace folio_cli
