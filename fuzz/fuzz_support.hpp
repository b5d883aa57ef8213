// fuzz_support.hpp: what the fuzz targets share: the libFuzzer entry point's
// declaration, a check that reports and aborts (so libFuzzer saves the
// input), and a small reader that splits the fuzzer's bytes into the
// choices and strings a target needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace folio_fuzz {

// A property that must hold for every input: print it and abort, which
// libFuzzer records as a crash with the input that caused it.
#define FUZZ_CHECK(cond, what)                                                                      \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            std::fprintf(stderr, "fuzz check failed: %s (%s at %s:%d)\n", (what), #cond, __FILE__, \
                         __LINE__);                                                                 \
            std::abort();                                                                           \
        }                                                                                           \
    } while (0)

// Takes bytes from the front of the input; once empty, yields zeros and
// empty strings, so every input is a valid program for the target.
class Bytes {
public:
    Bytes(const std::uint8_t* data, std::size_t size) : data_(reinterpret_cast<const char*>(data), size) {}
    bool empty() const noexcept { return data_.empty(); }
    std::uint8_t byte() {
        if (data_.empty()) return 0;
        const auto b = static_cast<std::uint8_t>(data_.front());
        data_.remove_prefix(1);
        return b;
    }
    std::int64_t int64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
        return static_cast<std::int64_t>(v);
    }
    // The bytes up to the next `sep` (dropped), or to the end.
    std::string until(char sep) {
        const std::size_t at = data_.find(sep);
        std::string out(data_.substr(0, at));
        data_.remove_prefix(at == std::string_view::npos ? data_.size() : at + 1);
        return out;
    }
    std::string rest() {
        std::string out(data_);
        data_ = {};
        return out;
    }

private:
    std::string_view data_;
};

} // namespace folio_fuzz
