// json_authors.cpp: fuzz target for folio::io::read_authors (old_authors.json).
#include "json_reader_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using folio::io::AuthorRecord;
    folio_fuzz::check_json_reader<AuthorRecord>(
        data, size,
        [](std::istream& in, std::string_view name, const folio::io::AuthorCallback& cb) {
            return folio::io::read_authors(in, name, cb);
        },
        [](const AuthorRecord& r) { return nlohmann::json{{"username", r.username}, {"email", r.email}, {"bio", r.bio}}; });
    return 0;
}
