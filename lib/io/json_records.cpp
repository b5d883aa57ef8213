// Implementation of folio/io/json_records.hpp: a schema-driven SAX handler for
// nlohmann::json that fills one reused record at a time (string fields and
// arrays of strings), checks JSON types, and passes each finished record on.
// A record of the wrong shape is reported and skipped to its end: the SAX
// events keep coming, so the read resynchronises at the next element. So is
// a record with a string of ill-formed UTF-8: the input hands such bytes to
// the parser as '?' and says when one was read (chunked_input.hpp).
#include "folio/io/json_records.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chunked_input.hpp"

namespace folio::io {
namespace {

using json = nlohmann::json;

// One field of a record type: a string member or an array-of-strings member.
template <class Record>
struct FieldSpec {
    std::string_view name;
    std::string Record::*text = nullptr;
    std::vector<std::string> Record::*list = nullptr;
};

constexpr std::array<FieldSpec<AuthorRecord>, 3> author_fields{{
    {"username", &AuthorRecord::username, nullptr},
    {"email", &AuthorRecord::email, nullptr},
    {"bio", &AuthorRecord::bio, nullptr},
}};

constexpr std::array<FieldSpec<ArticleRecord>, 5> article_fields{{
    {"created_at", &ArticleRecord::created_at, nullptr},
    {"author", &ArticleRecord::author, nullptr},
    {"tags", nullptr, &ArticleRecord::tags},
    {"title", &ArticleRecord::title, nullptr},
    {"content", &ArticleRecord::content, nullptr},
}};

// SAX handler. The parser guarantees well-formed nesting, so the handler
// tracks the container depth (1: the top-level array, 2: a record, 3: a
// field's array or an ignored value's container) and where it is in the
// expected shape. A string value is copied from the lexer's buffer into the
// record's string of that field (both keep their buffers, so after the first
// records nothing allocates). Not swapped: a swap hands the lexer's buffer,
// grown by the longest string so far (an article's content), to whatever
// field comes next, and over a long file every field of every reused record
// ended up holding content-sized buffers: memory grew with the file (heaptrack:
// 30 MB of a 20 MB import's peak, in strings grown by the lexer).
template <class Record>
class RecordSax {
public:
    using Callback = std::function<void(Record&&, std::size_t)>;

    RecordSax(const std::string& file, std::span<const FieldSpec<Record>> fields, const Callback& emit,
              const InvalidRecordCallback& on_invalid, std::uint64_t offset_base, detail::ChunkedInput& input)
        : file_(file), fields_(fields), emit_(emit), on_invalid_(on_invalid), offset_base_(offset_base),
          input_(input) {}

    bool null() { return scalar("null", nullptr); }
    bool boolean(bool v) { return scalar(v ? "boolean true" : "boolean false", nullptr); }
    bool number_integer(json::number_integer_t v) { return scalar(number(v), nullptr); }
    bool number_unsigned(json::number_unsigned_t v) { return scalar(number(v), nullptr); }
    // The number's own text, as the file spells it: cut like a long token,
    // a 20 MB number must not make a 20 MB message.
    bool number_float(json::number_float_t, const std::string& text) {
        return scalar("number " + excerpt(text), nullptr);
    }
    bool string(std::string& v) { return ill_formed_string(false) || scalar("string", &v); }
    bool binary(json::binary_t&) { return scalar("binary", nullptr); } // not produced by JSON

    bool start_object(std::size_t) { return open(true); }
    bool start_array(std::size_t) { return open(false); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(std::string& k) {
        if (ill_formed_string(true)) return true;
        if (depth_ != 2 || bad_) return true; // keys of ignored objects
        field_ = npos;
        for (std::size_t i = 0; i < fields_.size(); ++i)
            if (fields_[i].name == k) field_ = i;
        // A repeated key keeps its last value: what was wrong with an earlier
        // one no longer counts, the new value is judged afresh.
        if (field_ != npos) wrong_[field_].clear();
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
        shorten_last_read(detail);
        // Other quotes of the input ("number overflow parsing '<digits>'"):
        // whatever is left past a few hundred bytes is the input again.
        // A number out of range (406) gets a shorter quote: its message adds why.
        const std::size_t keep = ex.id == 406 ? 120 : 300;
        if (detail.size() > keep) detail = excerpt(detail, keep);
        // The "last read" excerpt is raw input and may hold invalid UTF-8.
        std::string clean;
        for (char c : detail) {
            const auto b = static_cast<unsigned char>(c);
            if (b < 0x80) clean.push_back(c);
            else clean += fmt::format("\\x{:02X}", b);
        }
        // A replaced byte read before the error (outside a string, or right
        // after a backslash) is named by its value, not as the '?' the parser saw.
        detail::ChunkedInput::IllFormedByte b;
        if (input_.take_ill_formed(b))
            clean = b.offset == offset ? fmt::format("ill-formed UTF-8 (byte 0x{:02X})", b.value)
                                       : fmt::format("{} (and ill-formed UTF-8, byte 0x{:02X} at byte {})", clean,
                                                     b.value, b.offset);
        const bool in_records = depth_ >= 2 || (depth_ == 1 && started_);
        // Valid JSON all the same (RFC 8259 lets a reader limit the range of
        // numbers): nlohmann refuses a number no double holds (406), also in
        // a key folio ignores, and the parse cannot go on past it.
        if (ex.id == 406)
            throw InputError(file_, in_records ? index_ : InputError::npos, {},
                             "number out of range at byte " + std::to_string(offset) + ": " + clean +
                                 " (a JSON number must fit a double, in any key, even one folio ignores; the "
                                 "import stops there as at a syntax error)",
                             offset);
        throw InputError(file_, in_records ? index_ : InputError::npos, {},
                         "malformed JSON at byte " + std::to_string(offset) + ": " + clean, offset);
    }

    std::size_t delivered() const noexcept { return delivered_; }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    // nlohmann quotes the whole token it was reading ("...; last read:
    // '<token>'"): a file cut inside a 30 MB string would make a 30 MB
    // message. Its first bytes say where it was; the rest is its length.
    static void shorten_last_read(std::string& detail) {
        static constexpr std::string_view marker = "; last read: '";
        static constexpr std::size_t keep = 40;
        const std::size_t open = detail.find(marker);
        if (open == std::string::npos) return;
        const std::size_t from = open + marker.size();
        const std::size_t close = detail.rfind('\'');
        if (close == std::string::npos || close < from || close - from <= keep) return;
        detail.replace(from, close - from, excerpt(std::string_view(detail).substr(from, close - from), keep));
    }

    // `text` whole when short, else its first `keep` bytes (never half a
    // UTF-8 sequence) and its length.
    static std::string excerpt(std::string_view text, std::size_t keep = 40) {
        if (text.size() <= keep) return std::string(text);
        std::size_t cut = keep;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
    }

    template <class N>
    static std::string number(N v) {
        return "number " + std::to_string(v);
    }

    [[noreturn]] void fail_top() const {
        throw InputError(file_, InputError::npos, {}, "top level must be an array of objects");
    }

    // The current record is bad: throw, or report it and ignore the rest of
    // it (bad_) until its end.
    void reject(std::string field, std::string message) {
        InputError err(file_, index_, std::move(field), std::move(message));
        if (!on_invalid_) throw err;
        bad_ = true;
        on_invalid_(err);
    }
    void reject_field(std::string message) { reject(std::string(fields_[field_].name), std::move(message)); }
    // A value of the wrong type for field_: judged when the record ends, as a
    // later value of the same key replaces it (the first such field wins).
    void wrong_type(std::string message) {
        wrong_[field_] = std::move(message);
        wrong_order_[field_] = ++wrong_count_;
        seen_ &= ~(std::uint32_t{1} << field_);
    }
    void reject_missing(std::size_t field) {
        InputError err = InputError::missing_field(file_, index_, std::string(fields_[field].name));
        if (!on_invalid_) throw err;
        bad_ = true;
        on_invalid_(err);
    }

    // The string (a key when `is_key`) just read held bytes that are not
    // UTF-8: rejects the record it belongs to (where there is one that is
    // not rejected yet) and answers true, so the string is not used.
    bool ill_formed_string(bool is_key) {
        detail::ChunkedInput::IllFormedByte b;
        if (!input_.take_ill_formed(b)) return false;
        // Outside the records (depth 0: not an array) or not an object
        // (depth 1): scalar() says what is wrong with it.
        if (depth_ < 2) return false;
        if (bad_) return true;
        const std::string what = fmt::format("ill-formed UTF-8 (byte 0x{:02X} at byte {})", b.value, b.offset);
        if (is_key) reject({}, "a key holds " + what);
        else if (ignoring() || field_ == npos) reject({}, "an ignored value holds " + what);
        else if (depth_ == 3) reject_field(element_prefix() + what);
        else reject_field(what);
        return true;
    }

    // True while inside an unknown key's container or a rejected record.
    bool ignoring() const noexcept { return bad_ || (ignore_from_ != 0 && depth_ >= ignore_from_); }

    void begin_record() {
        bad_ = false;
        seen_ = 0;
        field_ = npos;
        for (auto& w : wrong_) w.clear();
        wrong_count_ = 0;
    }

    // The record at depth 2 closed (or a scalar element stood for one).
    void end_record() {
        if (!bad_) {
            std::size_t first = npos;
            for (std::size_t i = 0; i < fields_.size(); ++i)
                if (!wrong_[i].empty() && (first == npos || wrong_order_[i] < wrong_order_[first])) first = i;
            if (first != npos) reject(std::string(fields_[first].name), std::move(wrong_[first]));
        }
        if (!bad_)
            for (std::size_t i = 0; i < fields_.size(); ++i)
                if ((seen_ & (std::uint32_t{1} << i)) == 0) {
                    reject_missing(i);
                    break;
                }
        if (!bad_) {
            emit_(std::move(record_), index_);
            ++delivered_;
        }
        ++index_;
    }

    bool scalar(std::string_view what, std::string* str) {
        if (depth_ == 0) fail_top();
        if (depth_ == 1) { // an element of the top-level array that is not an object
            begin_record();
            reject({}, "expected an object, got " + std::string(what));
            end_record();
            return true;
        }
        if (ignoring()) return true;
        if (depth_ == 2) { // the value of key field_
            if (field_ == npos) return true; // unknown key: ignore its value
            const auto& f = fields_[field_];
            if (f.list != nullptr) {
                wrong_type("expected an array of strings, got " + std::string(what));
                return true;
            }
            if (str == nullptr) {
                wrong_type("expected a string, got " + std::string(what));
                return true;
            }
            (record_.*f.text).assign(*str);
            seen_ |= std::uint32_t{1} << field_;
            return true;
        }
        // depth 3: an element of field_'s array of strings
        if (str == nullptr) {
            if (wrong_[field_].empty()) wrong_type(element_prefix() + "expected a string, got " + std::string(what));
            ++element_;
            return true;
        }
        auto& list = record_.*fields_[field_].list;
        if (element_ < list.size()) list[element_].assign(*str);
        else list.push_back(*str);
        ++element_;
        return true;
    }

    std::string element_prefix() const { return "element " + std::to_string(element_) + ": "; }

    bool open(bool object) {
        const std::size_t d = ++depth_;
        if (d == 1) {
            if (object) fail_top();
            started_ = true;
            return true;
        }
        if (d == 2) {
            begin_record();
            if (!object) reject({}, "expected an object, got array");
            return true;
        }
        if (ignoring()) return true;
        const std::string what = object ? "object" : "array";
        if (d == 3) {
            if (field_ == npos) {
                ignore_from_ = 3; // unknown key: skip its whole value
                return true;
            }
            // A container where it does not belong: its content is skipped.
            if (fields_[field_].list == nullptr || object) {
                wrong_type(fields_[field_].list == nullptr ? "expected a string, got " + what
                                                           : "expected an array of strings, got object");
                ignore_from_ = 3;
            } else {
                element_ = 0;
            }
            return true;
        }
        // A container inside the array: skipped, the array judged wrong.
        if (wrong_[field_].empty()) wrong_type(element_prefix() + "expected a string, got " + what);
        ignore_from_ = d;
        return true;
    }

    bool close() {
        const std::size_t d = depth_--;
        if (d == 1) return true;
        if (d == 2) {
            end_record();
            return true;
        }
        if (ignore_from_ == d) {
            ignore_from_ = 0;
            return true;
        }
        if (ignoring()) return true;
        // d == 3: the end of field_'s array of strings
        (record_.*fields_[field_].list).resize(element_);
        if (wrong_[field_].empty()) seen_ |= std::uint32_t{1} << field_;
        return true;
    }

    const std::string& file_;
    std::span<const FieldSpec<Record>> fields_;
    const Callback& emit_;
    const InvalidRecordCallback& on_invalid_;
    std::uint64_t offset_base_;
    detail::ChunkedInput& input_;
    Record record_;            // reused from record to record
    std::size_t depth_ = 0;    // containers open
    bool started_ = false;     // the top-level array was opened
    bool bad_ = false;         // the current record was rejected: ignore it to its end
    std::size_t ignore_from_ = 0; // depth of an unknown key's container being skipped, else 0
    std::size_t index_ = 0;    // index of the record being parsed
    std::size_t delivered_ = 0;
    std::size_t field_ = npos; // schema index of the current key, npos if unknown
    std::size_t element_ = 0;  // index inside the current string array
    std::uint32_t seen_ = 0;   // bit i: field i was present in this record
    static constexpr std::size_t kMaxFields = 8;
    std::array<std::string, kMaxFields> wrong_;   // field i's value has the wrong type ("" if not)
    std::array<std::size_t, kMaxFields> wrong_order_{}; // when it was found, to report the first
    std::size_t wrong_count_ = 0;
};

// Runs the SAX parse over `input`, handling the empty-input case first.
template <class Record, std::size_t N>
std::size_t parse(detail::ChunkedInput& input, const std::string& name, const std::array<FieldSpec<Record>, N>& fields,
                  const std::function<void(Record&&, std::size_t)>& emit, const InvalidRecordCallback& on_invalid) {
    static_assert(N <= 8, "RecordSax keeps the wrong-type state of at most 8 fields");
    bool at_end = false;
    const std::uint64_t skipped = input.skip_whitespace(at_end);
    if (at_end) throw InputError(name, InputError::npos, {}, "empty file");
    RecordSax<Record> sax(name, fields, emit, on_invalid, skipped, input);
    json::sax_parse(input.begin(), detail::ChunkedInput::end(), &sax, json::input_format_t::json, /*strict=*/true);
    input.report_done();
    return sax.delivered();
}

} // namespace

std::size_t read_authors(const std::filesystem::path& file, const AuthorCallback& on_record,
                         const ProgressCallback& progress, const InvalidRecordCallback& on_invalid) {
    const std::string name = file.string();
    auto input = detail::ChunkedInput::from_file(file, name, progress);
    return parse(input, name, author_fields, on_record, on_invalid);
}

std::size_t read_articles(const std::filesystem::path& file, const ArticleCallback& on_record,
                          const ProgressCallback& progress, const InvalidRecordCallback& on_invalid) {
    const std::string name = file.string();
    auto input = detail::ChunkedInput::from_file(file, name, progress);
    return parse(input, name, article_fields, on_record, on_invalid);
}

std::size_t read_authors(std::istream& in, std::string_view display_name, const AuthorCallback& on_record,
                         const ProgressCallback& progress, const InvalidRecordCallback& on_invalid) {
    const std::string name(display_name);
    auto input = detail::ChunkedInput::from_stream(in, name, progress);
    return parse(input, name, author_fields, on_record, on_invalid);
}

std::size_t read_articles(std::istream& in, std::string_view display_name, const ArticleCallback& on_record,
                          const ProgressCallback& progress, const InvalidRecordCallback& on_invalid) {
    const std::string name(display_name);
    auto input = detail::ChunkedInput::from_stream(in, name, progress);
    return parse(input, name, article_fields, on_record, on_invalid);
}

} // namespace folio::io
