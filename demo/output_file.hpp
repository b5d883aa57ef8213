// output_file.hpp: a file the CLI writes (export-articles OUT, --stats-json
// FILE, gen-data's two JSON files) that appears whole or not at all: the bytes go to a temporary file in
// the same directory, renamed over the target once everything is written and
// synced. Errors name the file and the OS error (errno), e.g. "cannot write
// 'out.csv': No space left on device".
#pragma once

#include <memory>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

namespace folio_cli {

// A file that could not be created, written, synced or renamed.
class OutputError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A streambuf on a POSIX descriptor that remembers the errno of the first
// failed write(2), which std::ofstream does not report.
class FdBuffer : public std::streambuf {
public:
    explicit FdBuffer(int fd);
    int error() const noexcept { return error_; }  // 0, or the errno of the first failure

protected:
    int overflow(int c) override;
    int sync() override;

private:
    bool drain();
    int fd_;
    int error_ = 0;
    std::vector<char> buf_;
};

class OutputFile {
public:
    // Creates the temporary file beside `path` now, so that an unwritable
    // directory fails before any work is done. A `path` that exists and is
    // not a regular file (a FIFO, /dev/stdout) is written directly: it cannot
    // be replaced by a rename. Throws OutputError.
    explicit OutputFile(std::string path);
    // Without commit(), removes the temporary file: the target is untouched.
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    std::ostream& stream() noexcept { return out_; }
    // Throws OutputError naming the file and the OS error if a write to
    // stream() has failed: for callers whose writer reported the failure
    // in its own, vaguer terms ("iostream error").
    void check() const;
    const std::string& path() const noexcept { return path_; }
    // Writes out what the stream holds and fsyncs it, renaming nothing:
    // several files that must appear together are all flushed before the
    // first is committed. Throws OutputError naming the target and the OS error.
    void flush();
    // Flushes, fsyncs and renames the temporary file over the target.
    // Throws OutputError naming the target and the OS error.
    void commit();

private:
    [[noreturn]] void fail(int error);
    std::string path_, temp_;  // temp_ empty: writing the target directly
    int fd_ = -1;
    std::unique_ptr<FdBuffer> buf_;
    std::ostream out_{nullptr};
    bool committed_ = false;
};

} // namespace folio_cli
