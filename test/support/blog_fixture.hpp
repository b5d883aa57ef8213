// blog_fixture.hpp: a blog on this run's backend (backend.hpp: SQLite in
// memory or in a file, or a schema of its own on PostgreSQL) filled with the
// guide's kind of data through the library's bulk operations, for the
// QuerySet suites.
#pragma once

#include <folio/folio.hpp>

#include <string>
#include <vector>

#include "backend.hpp"

namespace folio_test {

struct BlogFixture {
    TestDatabaseTarget where;  // declared first: the blog closes before its database is dropped
    folio::Blog blog = folio::Blog::open(where.target());
    folio::Database& db = blog.db();
    std::vector<folio::Author> authors;
    std::vector<folio::Tag> tags;

    // `n_authors` authors, `n_articles` articles spread over the authors and
    // the years 1990..2016, three tags each from a vocabulary of 10 words of
    // which "minus" is one; article i carries "minus" when i % 5 == 0.
    explicit BlogFixture(int n_authors = 20, int n_articles = 100) {
        for (int i = 0; i < n_authors; ++i)
            authors.emplace_back("user" + std::to_string(i), "user" + std::to_string(i) + "@example.com", "bio");
        blog.authors().bulk_create(authors);
        std::vector<folio::Value> names;
        for (const char* w : {"minus", "lorem", "ipsum", "dolor", "amet", "sit", "elit", "sed", "do", "tempor"})
            names.emplace_back(w);
        tags = blog.tags().get_or_create_many("name", names);
        std::vector<folio::Article> articles;
        for (int i = 0; i < n_articles; ++i) {
            folio::Article a;
            a.set_title("Article " + std::to_string(i))
                .set_content("content of article " + std::to_string(i))
                .set_created_at(std::to_string(1990 + i % 27) + "-06-15")
                .set_author_id(authors[static_cast<std::size_t>(i % n_authors)].id());
            articles.push_back(std::move(a));
        }
        blog.articles().bulk_create(articles);
        std::vector<std::pair<std::int64_t, std::int64_t>> links;
        for (int i = 0; i < n_articles; ++i) {
            auto id = articles[static_cast<std::size_t>(i)].id();
            if (i % 5 == 0) links.emplace_back(id, tags[0].id());
            links.emplace_back(id, tags[static_cast<std::size_t>(1 + i % 9)].id());
            links.emplace_back(id, tags[static_cast<std::size_t>(1 + (i + 4) % 9)].id());
        }
        folio::bulk_link(db, folio::Article::meta().many_to_many[0], links);
    }

    std::int64_t articles_before_2012() {
        return db.scalar("SELECT COUNT(*) FROM article WHERE created_at < '2012-01-01'").as_integer();
    }
};

} // namespace folio_test
