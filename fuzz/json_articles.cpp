// json_articles.cpp: fuzz target for folio::io::read_articles (old_articles.json).
#include "json_reader_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using folio::io::ArticleRecord;
    folio_fuzz::check_json_reader<ArticleRecord>(
        data, size,
        [](std::istream& in, std::string_view name, const folio::io::ArticleCallback& cb) {
            return folio::io::read_articles(in, name, cb);
        },
        [](const ArticleRecord& r) {
            return nlohmann::json{{"created_at", r.created_at}, {"author", r.author}, {"title", r.title},
                                  {"content", r.content}, {"tags", r.tags}};
        });
    return 0;
}
