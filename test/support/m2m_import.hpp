// m2m_import.hpp: the guide's section 2 (mass many-to-many insertion) as the
// query and doctor suites both run it: records of (author, title, tags), the
// naive import (get_or_create and add() for each tag) and the bulk one (a
// constant number of statements, whatever the number of records).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <folio/folio.hpp>

namespace folio_test {

struct ImportRecord {
    std::string author, title;
    std::vector<std::string> tags;
};

// `n` records titled prefix0, prefix1...; record i is by "user<i % 5>" (a
// BlogFixture with at least 5 authors has them) and carries three of the
// ten tags t0..t9.
inline std::vector<ImportRecord> import_records(int n, const std::string& prefix) {
    static const char* const words[] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"};
    std::vector<ImportRecord> out;
    for (int i = 0; i < n; ++i)
        out.push_back({"user" + std::to_string(i % 5), prefix + std::to_string(i),
                       {words[i % 10], words[(i + 3) % 10], words[(i + 6) % 10]}});
    return out;
}

// The guide's "before": per record, the author's SELECT, the article's
// INSERT, then get_or_create and add() for each tag.
inline void import_one_by_one(folio::Blog& blog, const std::vector<ImportRecord>& records) {
    for (const auto& r : records) {
        folio::Author author = blog.authors().get("username", r.author);
        folio::Article a;
        a.set_title(r.title).set_created_at("2016-06-11").set_author_id(author.id());
        a.save(blog.db());
        for (const auto& t : r.tags) {
            auto [tag, created] = blog.tags().get_or_create(folio::Q("name", t), folio::Tag(t));
            a.tags().add({std::cref(tag)});
        }
    }
}

// The guide's "after", in one transaction: the authors in one SELECT, the
// tags by get_or_create_many, the articles by bulk_create, the links by
// bulk_link.
inline void import_in_bulk(folio::Blog& blog, const std::vector<ImportRecord>& records) {
    folio::Database& db = blog.db();
    folio::Transaction tx(db);
    std::vector<folio::Value> usernames, tag_names;
    for (const auto& r : records) {
        usernames.emplace_back(r.author);
        for (const auto& t : r.tags) tag_names.emplace_back(t);
    }
    std::map<std::string, std::int64_t> author_ids, tag_ids;
    for (const folio::Author& a : blog.authors().filter(folio::Q("username__in", usernames)))
        author_ids[a.username()] = a.id();
    for (const folio::Tag& t : blog.tags().get_or_create_many("name", tag_names)) tag_ids[t.name()] = t.id();
    std::vector<folio::Article> arts;
    for (const auto& r : records) {
        folio::Article a;
        a.set_title(r.title).set_created_at("2016-06-11").set_author_id(author_ids.at(r.author));
        arts.push_back(std::move(a));
    }
    blog.articles().bulk_create(arts);
    std::vector<std::pair<std::int64_t, std::int64_t>> links;
    for (std::size_t i = 0; i < records.size(); ++i)
        for (const auto& t : records[i].tags) links.emplace_back(arts[i].id(), tag_ids.at(t));
    folio::bulk_link(db, folio::Article::meta().many_to_many[0], links);
    tx.commit();
}

} // namespace folio_test
