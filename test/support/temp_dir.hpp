// temp_dir.hpp: a fresh, unique directory under the system temp dir, removed
// with its contents at the end of the scope. Free of Boost, so the bench and
// the fuzz drivers may use it too.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

namespace folio_test {

class TempDir {
public:
    // The directory's name carries `prefix`, the process id and a counter, so
    // suites running at once never share one.
    explicit TempDir(std::string_view prefix = "folio-test") {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // The path of `name` inside the directory (nothing is created).
    std::string file(std::string_view name) const { return (path_ / name).string(); }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

} // namespace folio_test
