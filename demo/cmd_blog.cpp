// cmd_blog.cpp: the guide's jobs on an imported blog, each written the
// "after" way: disallow-comments (one UPDATE), delete-tagged (QuerySet
// delete), clone-article (author_id, no author SELECT), and the read pages:
// articles (list page in 2 statements + the count), author (exists()),
// top-authors (LIMIT in SQL).
#include <iostream>

#include <fmt/format.h>

#include <folio/io/validate.hpp>

#include "cli.hpp"

namespace folio_cli {

namespace {

// "<title> (COPY)", the title cut so that the whole stays within the
// field's max_length (in characters, as the model counts them).
std::string copy_title(const std::string& title) {
    const std::string suffix = " (COPY)";
    const std::size_t max = folio::Article::meta().fields[folio::Article::TITLE].max_length;
    std::string t = title;
    while (!t.empty() && folio::io::utf8_length(t) + suffix.size() > max) {
        // Drop the last character whole: its continuation bytes and its lead byte.
        std::size_t n = t.size() - 1;
        while (n > 0 && (static_cast<unsigned char>(t[n]) & 0xC0) == 0x80) --n;
        t.resize(n);
    }
    return t + suffix;
}

void add_mass_edits(CLI::App& app, Commands& out) {
    auto* dis = app.add_subcommand("disallow-comments", "turn comments off on articles created before YEAR (one UPDATE)");
    auto year = std::make_shared<int>(0);
    dis->add_option("--before", *year, "the year; articles created before Jan 1st of it")
        ->required()
        ->check(CLI::Range(1, 9999));
    out.push_back({dis, [year](Env& env) {
                       const std::int64_t n = env.blog()
                                                  .articles()
                                                  .filter("created_at__year__lt", *year)
                                                  .update({{"comments_on", false}});
                       std::cout << fmt::format("Comments disallowed on {} articles created before {}\n", n, *year);
                       return Exit::ok;
                   }});

    auto* del = app.add_subcommand("delete-tagged", "delete every article tagged TAG (a constant number of statements)");
    auto tag = std::make_shared<std::string>();
    del->add_option("TAG", *tag, "the tag name, e.g. minus")->required();
    out.push_back({del, [tag](Env& env) {
                       folio::DeleteCounts counts = env.blog().articles().filter("tags__name", *tag).remove();
                       const std::int64_t articles = counts.count("article") ? counts.at("article") : 0;
                       std::cout << fmt::format("Deleted {} articles tagged '{}'", articles, *tag);
                       for (const auto& [table, n] : counts)
                           if (table != "article") std::cout << fmt::format(" ({} rows of {})", n, table);
                       std::cout << '\n';
                       return Exit::ok;
                   }});

    auto* clone = app.add_subcommand("clone-article", "copy article ID with its tags, as the guide's admin action");
    auto id = std::make_shared<std::int64_t>(0);
    clone->add_option("ID", *id, "the article's id")->required()->check(at_least(1));
    out.push_back({clone, [id](Env& env) {
                       folio::Blog& blog = env.blog();
                       folio::Transaction tx(blog.db());
                       std::optional<folio::Article> origin = blog.articles().filter("id", *id).first();
                       if (!origin) throw folio::DoesNotExist(fmt::format("no article with id {}", *id));
                       folio::Article copy;
                       // author_id, not author(): the key is in the row already.
                       copy.set_title(copy_title(origin->title()))
                           .set_content(origin->content())
                           .set_created_at(origin->created_at())
                           .set_comments_on(origin->comments_on())
                           .set_author_id(origin->author_id());
                       copy.save(blog.db());
                       std::vector<std::int64_t> tag_ids;
                       for (const auto& v : origin->tags().values_list_flat("id")) tag_ids.push_back(v.as_integer());
                       copy.tags().add(tag_ids);
                       tx.commit();
                       std::cout << fmt::format("Cloned article {} as {}: {}\n", *id, copy.id(), copy.title());
                       return Exit::ok;
                   }});
}

void add_pages(CLI::App& app, Commands& out) {
    auto* list = app.add_subcommand("articles", "the list page: 20 articles with author and tags");
    auto page = std::make_shared<std::int64_t>(1);
    list->add_option("--page", *page, "page number, from 1")->capture_default_str()->check(CLI::Range(1, 1000000000));
    out.push_back({list, [page](Env& env) {
                       constexpr std::int64_t per_page = 20;
                       folio::Blog& blog = env.blog();
                       const std::int64_t total = blog.articles().count();
                       const std::int64_t pages = std::max<std::int64_t>(1, (total + per_page - 1) / per_page);
                       if (*page > pages)
                           throw std::runtime_error(fmt::format("page {} does not exist ({} pages)", *page, pages));
                       const std::int64_t start = (*page - 1) * per_page;
                       auto qs = blog.articles()
                                     .select_related({"author"})
                                     .prefetch_related({"tags"})
                                     .only({"title", "created_at", "author__username", "tags__name"})
                                     .order_by({"-created_at", "-id"})
                                     .slice(start, start + per_page);
                       std::cout << fmt::format("Articles, page {} of {} ({} articles)\n", *page, pages, total);
                       for (const folio::Article& a : qs) {
                           std::string tags;
                           for (const folio::Tag& t : a.tags()) tags += (tags.empty() ? "" : ", ") + t.name();
                           std::cout << fmt::format("\n  {}\n  {}  by {}  [{}]\n", one_line(a.title()), a.created_at(),
                                                    a.author().username(), tags);
                       }
                       return Exit::ok;
                   }, true});

    auto* author = app.add_subcommand("author", "the author page: /authors/USERNAME");
    auto username = std::make_shared<std::string>();
    author->add_option("USERNAME", *username, "the author's username")->required();
    out.push_back({author, [username](Env& env) {
                       folio::Blog& blog = env.blog();
                       std::optional<folio::Author> a = blog.authors().filter("username", *username).first();
                       if (!a) throw folio::DoesNotExist(fmt::format("no author with username '{}'", *username));
                       std::cout << fmt::format("{}\n  e-mail: {}\n  bio: {}\n", a->username(),
                                                a->email().empty() ? "-" : a->email(), one_line(a->bio()));
                       // exists(), not count() > 0: the database stops at the first row.
                       if (a->articles().exists())
                           std::cout << fmt::format("  articles: /authors/{}/articles\n", a->username());
                       return Exit::ok;
                   }, true});

    auto* top = app.add_subcommand("top-authors", "the authors with the most articles (LIMIT in SQL)");
    auto limit = std::make_shared<std::int64_t>(20);
    top->add_option("--limit", *limit, "how many")->capture_default_str()->check(CLI::Range(1, 1000000));
    out.push_back({top, [limit](Env& env) {
                       auto qs = env.blog().authors().order_by({"-articles_count", "username"}).slice(0, *limit);
                       int rank = 0;
                       for (const folio::Author& a : qs)
                           std::cout << fmt::format("{:>4}. {:<30} {:>6} articles\n", ++rank, a.username(),
                                                    a.articles_count());
                       return Exit::ok;
                   }, true});
}

} // namespace

void add_blog_commands(CLI::App& app, Commands& out) {
    add_mass_edits(app, out);
    add_pages(app, out);
}

} // namespace folio_cli
