// Implementation of folio/io/json_records.hpp: a schema-driven SAX handler for
// nlohmann::json that assembles one flat record at a time (string fields and
// arrays of strings), checks JSON types, and passes each finished record on.
#include "folio/io/json_records.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chunked_input.hpp"

namespace folio::io {
namespace {

using json = nlohmann::json;

enum class Kind { string, string_array };

struct FieldSpec {
    std::string_view name;
    Kind kind;
};

constexpr std::array<FieldSpec, 3> author_fields{{
    {"username", Kind::string},
    {"email", Kind::string},
    {"bio", Kind::string},
}};

constexpr std::array<FieldSpec, 5> article_fields{{
    {"created_at", Kind::string},
    {"author", Kind::string},
    {"tags", Kind::string_array},
    {"title", Kind::string},
    {"content", Kind::string},
}};

// Values of the record being parsed; slot i belongs to the schema's field i.
struct Slots {
    explicit Slots(std::size_t n) : strings(n), arrays(n) {}
    std::vector<std::string> strings;
    std::vector<std::vector<std::string>> arrays;
};

// SAX handler. The parser guarantees well-formed nesting, so the handler only
// tracks where it is in the expected shape:
//   top -> [ records -> { key -> value (-> array of strings) ... } ... ] -> done
// Values of unknown keys are skipped by counting container depth (skip_).
template <class Emit>
class RecordSax {
public:
    RecordSax(const std::string& file, std::span<const FieldSpec> fields, Emit emit,
              std::uint64_t offset_base)
        : file_(file), fields_(fields), slots_(fields.size()), emit_(std::move(emit)),
          offset_base_(offset_base) {}

    bool null() { return scalar("null", nullptr); }
    bool boolean(bool v) { return scalar(v ? "boolean true" : "boolean false", nullptr); }
    bool number_integer(json::number_integer_t v) {
        return scalar("number " + std::to_string(v), nullptr);
    }
    bool number_unsigned(json::number_unsigned_t v) {
        return scalar("number " + std::to_string(v), nullptr);
    }
    bool number_float(json::number_float_t, const std::string& text) {
        return scalar("number " + text, nullptr);
    }
    bool string(std::string& v) { return scalar("string", &v); }
    bool binary(json::binary_t&) { return scalar("binary", nullptr); } // not produced by JSON

    bool start_object(std::size_t) { return open(true); }
    bool start_array(std::size_t) { return open(false); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(std::string& k) {
        if (skip_ > 0) return true;
        field_ = npos;
        for (std::size_t i = 0; i < fields_.size(); ++i)
            if (fields_[i].name == k) field_ = i;
        state_ = State::value;
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
        // nlohmann counts characters read including the offending one.
        const std::uint64_t offset = offset_base_ + (position > 0 ? position - 1 : 0);
        std::string detail = ex.what();
        // Drop "[json.exception.parse_error.101] parse error at " noise, keep
        // "line L, column C: <reason>".
        if (const auto p = detail.find("] "); p != std::string::npos) detail.erase(0, p + 2);
        if (detail.rfind("parse error at ", 0) == 0) detail.erase(0, 15);
        // The "last read" excerpt is raw input and may hold invalid UTF-8.
        std::string clean;
        for (char c : detail) {
            const auto b = static_cast<unsigned char>(c);
            if (b < 0x80) clean.push_back(c);
            else clean += fmt::format("\\x{:02X}", b);
        }
        const bool in_records = state_ != State::top && state_ != State::done;
        throw InputError(file_, in_records ? index_ : InputError::npos, {},
                         "malformed JSON at byte " + std::to_string(offset) + ": " + clean,
                         offset);
    }

    std::size_t records() const noexcept { return index_; }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    enum class State { top, records, key, value, array, done };

    [[noreturn]] void fail_top() const {
        throw InputError(file_, InputError::npos, {}, "top level must be an array of objects");
    }
    [[noreturn]] void fail_field(std::string message) const {
        throw InputError(file_, index_, std::string(fields_[field_].name), std::move(message));
    }
    std::string element_prefix() const { return "element " + std::to_string(element_) + ": "; }

    bool scalar(std::string_view what, std::string* str) {
        if (skip_ > 0) return true;
        switch (state_) {
        case State::top: fail_top();
        case State::records:
            throw InputError(file_, index_, {}, "expected an object, got " + std::string(what));
        case State::value:
            state_ = State::key;
            if (field_ == npos) return true; // unknown key: ignore its value
            if (fields_[field_].kind == Kind::string_array)
                fail_field("expected an array of strings, got " + std::string(what));
            if (str == nullptr) fail_field("expected a string, got " + std::string(what));
            slots_.strings[field_] = std::move(*str);
            seen_ |= std::uint32_t{1} << field_;
            return true;
        case State::array:
            if (str == nullptr)
                fail_field(element_prefix() + "expected a string, got " + std::string(what));
            slots_.arrays[field_].push_back(std::move(*str));
            ++element_;
            return true;
        case State::key:
        case State::done: return true; // the parser never sends values here
        }
        return true;
    }

    bool open(bool object) {
        if (skip_ > 0) {
            ++skip_;
            return true;
        }
        const std::string what = object ? "object" : "array";
        switch (state_) {
        case State::top:
            if (object) fail_top();
            state_ = State::records;
            return true;
        case State::records:
            if (!object) throw InputError(file_, index_, {}, "expected an object, got array");
            state_ = State::key;
            seen_ = 0;
            return true;
        case State::value:
            if (field_ == npos) {
                skip_ = 1;
                return true;
            }
            if (fields_[field_].kind == Kind::string) fail_field("expected a string, got " + what);
            if (object) fail_field("expected an array of strings, got object");
            state_ = State::array;
            element_ = 0;
            slots_.arrays[field_].clear();
            return true;
        case State::array: fail_field(element_prefix() + "expected a string, got " + what);
        case State::key:
        case State::done: return true;
        }
        return true;
    }

    bool close() {
        if (skip_ > 0) {
            if (--skip_ == 0) state_ = State::key;
            return true;
        }
        switch (state_) {
        case State::array:
            seen_ |= std::uint32_t{1} << field_;
            state_ = State::key;
            return true;
        case State::key: finish_record(); return true;
        case State::records: state_ = State::done; return true;
        default: return true;
        }
    }

    void finish_record() {
        for (std::size_t i = 0; i < fields_.size(); ++i)
            if ((seen_ & (std::uint32_t{1} << i)) == 0)
                throw InputError::missing_field(file_, index_, std::string(fields_[i].name));
        emit_(slots_, index_);
        ++index_;
        state_ = State::records;
    }

    const std::string& file_;
    std::span<const FieldSpec> fields_;
    Slots slots_;
    Emit emit_;
    std::uint64_t offset_base_;
    State state_ = State::top;
    std::size_t index_ = 0;   // index of the record being parsed
    std::size_t field_ = npos; // schema index of the current key, npos if unknown
    std::size_t element_ = 0; // index inside the current string array
    std::size_t skip_ = 0;    // container depth inside an ignored value
    std::uint32_t seen_ = 0;  // bit i: field i was present in this record
};

// Runs the SAX parse over `buf`, handling the empty-input case first.
template <class Emit>
std::size_t parse(detail::ChunkedStreambuf& buf, const std::string& name,
                  std::span<const FieldSpec> fields, Emit emit) {
    bool at_end = false;
    const std::uint64_t skipped = buf.skip_whitespace(at_end);
    if (at_end) throw InputError(name, InputError::npos, {}, "empty file");
    RecordSax<Emit> sax(name, fields, std::move(emit), skipped);
    std::istream in(&buf);
    json::sax_parse(in, &sax, json::input_format_t::json, /*strict=*/true);
    buf.report_done();
    return sax.records();
}

auto author_emitter(const AuthorCallback& cb) {
    return [&cb](Slots& s, std::size_t i) {
        cb(AuthorRecord{std::move(s.strings[0]), std::move(s.strings[1]), std::move(s.strings[2])},
           i);
    };
}

auto article_emitter(const ArticleCallback& cb) {
    return [&cb](Slots& s, std::size_t i) {
        cb(ArticleRecord{std::move(s.strings[0]), std::move(s.strings[1]), std::move(s.strings[3]),
                         std::move(s.strings[4]), std::move(s.arrays[2])},
           i);
    };
}

} // namespace

std::size_t read_authors(const std::filesystem::path& file, const AuthorCallback& on_record,
                         const ProgressCallback& progress) {
    const std::string name = file.string();
    auto buf = detail::ChunkedStreambuf::from_file(file, name, progress);
    return parse(buf, name, author_fields, author_emitter(on_record));
}

std::size_t read_articles(const std::filesystem::path& file, const ArticleCallback& on_record,
                          const ProgressCallback& progress) {
    const std::string name = file.string();
    auto buf = detail::ChunkedStreambuf::from_file(file, name, progress);
    return parse(buf, name, article_fields, article_emitter(on_record));
}

std::size_t read_authors(std::istream& in, std::string_view display_name,
                         const AuthorCallback& on_record, const ProgressCallback& progress) {
    const std::string name(display_name);
    auto buf = detail::ChunkedStreambuf::from_stream(in, name, progress);
    return parse(buf, name, author_fields, author_emitter(on_record));
}

std::size_t read_articles(std::istream& in, std::string_view display_name,
                          const ArticleCallback& on_record, const ProgressCallback& progress) {
    const std::string name(display_name);
    auto buf = detail::ChunkedStreambuf::from_stream(in, name, progress);
    return parse(buf, name, article_fields, article_emitter(on_record));
}

} // namespace folio::io
