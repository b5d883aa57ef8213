// The blog's models: save (INSERT, then a full-row UPDATE), save with
// update_fields, remove, refresh, and the denormalized articles_count after
// every kind of write.
#include "fixtures.hpp"

using namespace folio;
using namespace folio_test;

BOOST_AUTO_TEST_SUITE(models)

BOOST_FIXTURE_TEST_CASE(save_inserts_then_updates_every_field, BackendBlog) {
    Author a("ann", "ann@example.com", "first");
    BOOST_TEST(a.pk() == 0);
    QueryCapture q(db());
    a.save(db());
    BOOST_REQUIRE_MESSAGE(q.count() == 1u, dump(q));
    BOOST_TEST(q.queries()[0].sql.rfind("INSERT INTO \"author\"", 0) == 0u, q.queries()[0].sql);
    BOOST_TEST(a.id() > 0);
    // SQLite's rowid is also last_insert_rowid(); PostgreSQL's id comes from
    // the INSERT's RETURNING and the connection has no such counter (0).
    if (!on_postgresql()) BOOST_TEST(a.id() == db().last_insert_rowid());
    BOOST_TEST(a.database() == &db());

    q.clear();
    a.set_bio("second").set_email("ann@example.org");
    a.save();  // remembers its database
    BOOST_REQUIRE_MESSAGE(q.count() == 1u, dump(q));
    const auto up = q.queries()[0];
    BOOST_TEST(up.sql.rfind("UPDATE \"author\"", 0) == 0u, up.sql);
    for (const char* col : {"\"username\" = ?", "\"email\" = ?", "\"bio\" = ?"}) BOOST_TEST(contains(up.sql, col), up.sql);
    BOOST_TEST(!contains(up.sql, "articles_count"), "save() wrote the trigger-maintained column: " << up.sql);
    BOOST_TEST(up.args.back() == Value(a.id()));
    BOOST_TEST(count_rows(db(), "author") == 1);
    Author fresh = blog.authors().get("id", a.id());
    BOOST_TEST(fresh.bio() == "second");
    BOOST_TEST(fresh.email() == "ann@example.org");
    BOOST_TEST(fresh.username() == "ann");
}

BOOST_FIXTURE_TEST_CASE(save_with_update_fields_names_only_those_columns, BackendBlog) {
    Author a = make_author(db(), "ann", "ann@example.com");
    // Someone else changes the e-mail meanwhile.
    db().execute("UPDATE author SET email = 'other@example.com' WHERE id = ?", {a.id()});
    a.set_bio("new bio").set_username("renamed-in-memory-only");
    QueryCapture q(db());
    a.save(db(), SaveOptions{.update_fields = {"bio"}});
    BOOST_REQUIRE_MESSAGE(q.count() == 1u, dump(q));
    const auto s = q.queries()[0];
    BOOST_TEST(s.sql == "UPDATE \"author\" SET \"bio\" = ? WHERE \"author\".\"id\" = ?");
    BOOST_TEST((s.args == std::vector<Value>{"new bio", a.id()}));
    Author fresh = blog.authors().get("id", a.id());
    BOOST_TEST(fresh.bio() == "new bio");
    BOOST_TEST(fresh.username() == "ann");                  // not in update_fields
    BOOST_TEST(fresh.email() == "other@example.com");       // the other writer's change survived

    q.clear();
    a.save(db(), SaveOptions{.update_fields = {"username", "email"}});
    BOOST_REQUIRE(q.count() == 1u);
    BOOST_TEST(q.queries()[0].sql == "UPDATE \"author\" SET \"username\" = ?, \"email\" = ? WHERE \"author\".\"id\" = ?");

    std::string msg = message_of<InvalidQuery>([&] { a.save(db(), SaveOptions{.update_fields = {"nickname"}}); });
    BOOST_TEST(contains(msg, "nickname"), msg);
    Author unsaved("x", "", "");
    BOOST_CHECK_THROW(unsaved.save(db(), SaveOptions{.update_fields = {"bio"}}), InvalidQuery);
    BOOST_TEST(count_rows(db(), "author") == 1);
}

BOOST_FIXTURE_TEST_CASE(save_of_a_deleted_row_inserts_it_again, BackendBlog) {
    Author a = make_author(db(), "ann");
    const auto id = a.id();
    db().execute("DELETE FROM author WHERE id = ?", {id});
    a.set_bio("back");
    a.save(db());
    BOOST_TEST(a.id() == id);
    BOOST_TEST(blog.authors().get("id", id).bio() == "back");
}

BOOST_FIXTURE_TEST_CASE(remove_deletes_the_row_and_its_links, BackendBlog) {
    Author au = make_author(db(), "ann");
    Article art = make_article(db(), au, "tagged");
    Article keep = make_article(db(), au, "kept");
    auto tags = blog.tags().get_or_create_many("name", {"a", "b"});
    art.tags().add(tags);
    keep.tags().add({tags[0]});
    const auto id = art.id();
    DeleteCounts counts = art.remove();
    BOOST_TEST(counts["article"] == 1);
    BOOST_TEST(counts["article_tags"] == 2);
    BOOST_TEST(art.pk() == 0);
    BOOST_TEST(!blog.articles().filter("id", id).exists());
    BOOST_TEST(blog.tags().count() == 2);           // tags stay
    BOOST_TEST(count_rows(db(), "article_tags") == 1);  // the other article's link stays
    BOOST_TEST(stored_articles_count(db(), au.id()) == 1);
    Article never;
    BOOST_CHECK_THROW(never.remove(), Error);
}

BOOST_FIXTURE_TEST_CASE(refresh_reloads_every_field, BackendBlog) {
    Author au = make_author(db(), "ann");
    Article a = make_article(db(), au, "old title");
    BOOST_TEST(au.articles_count() == 0);  // the copy in memory is stale
    db().execute("UPDATE article SET title = 'new title', comments_on = FALSE WHERE id = ?", {a.id()});
    QueryCapture q(db());
    a.refresh();
    au.refresh();
    BOOST_TEST(q.count() == 2u);
    BOOST_TEST(a.title() == "new title");
    BOOST_TEST(!a.comments_on());
    BOOST_TEST(au.articles_count() == 1);
    Article copy = a;
    a.remove();
    BOOST_CHECK_THROW(copy.refresh(), DoesNotExist);
}

BOOST_FIXTURE_TEST_CASE(articles_count_after_insert_delete_move_bulk_and_remove, BackendBlog) {
    Author ann = make_author(db(), "ann");
    Author bob = make_author(db(), "bob");

    Article first = make_article(db(), ann, "first");  // insert
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 1);

    std::vector<Article> batch;
    for (int i = 0; i < 5; ++i) {
        Article a;
        a.set_title("bulk " + std::to_string(i)).set_created_at("2021-01-0" + std::to_string(i + 1)).set_author_id(
            i < 3 ? ann.id() : bob.id());
        batch.push_back(a);
    }
    blog.articles().bulk_create(batch);  // bulk insert
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 4);
    BOOST_TEST(stored_articles_count(db(), bob.id()) == 2);
    check_articles_counts(db());

    first.set_author(bob);  // move, through a full-row save
    first.save();
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 3);
    BOOST_TEST(stored_articles_count(db(), bob.id()) == 3);

    first.set_title("retitled");  // an UPDATE that does not move changes nothing
    first.save();
    BOOST_TEST(stored_articles_count(db(), bob.id()) == 3);

    blog.articles().filter("title", "bulk 0").update({{"author", bob.id()}});  // move, through QuerySet.update
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 2);
    BOOST_TEST(stored_articles_count(db(), bob.id()) == 4);

    batch[4].remove();  // delete one
    BOOST_TEST(stored_articles_count(db(), bob.id()) == 3);

    blog.articles().filter("title__startswith", "bulk").remove();  // QuerySet remove
    BOOST_TEST(stored_articles_count(db(), ann.id()) == 0);
    BOOST_TEST(stored_articles_count(db(), bob.id()) == 1);
    check_articles_counts(db());

    // A stale Author saved in full does not overwrite the maintained count.
    ann.set_bio("stale copy saved");
    bob.set_bio("stale copy saved");
    ann.save();
    bob.save();
    check_articles_counts(db());
    BOOST_TEST(blog.authors().get("username", "bob").articles_count() == 1);
}

BOOST_FIXTURE_TEST_CASE(deleting_an_author_cascades_to_articles_and_links, BackendBlog) {
    Author ann = make_author(db(), "ann");
    Author bob = make_author(db(), "bob");
    Article a = make_article(db(), ann, "a");
    make_article(db(), bob, "b");
    Tag t("x");
    t.save(db());
    a.tags().add({t});
    ann.remove();
    BOOST_TEST(blog.articles().count() == 1);
    BOOST_TEST(count_rows(db(), "article_tags") == 0);
    check_articles_counts(db());
}

BOOST_FIXTURE_TEST_CASE(the_foreign_key_and_related_object, BackendBlog) {
    Author ann = make_author(db(), "ann");
    Article a = make_article(db(), ann, "a");
    Article loaded = blog.articles().get("id", a.id());
    QueryCapture q(db());
    BOOST_TEST(loaded.author_id() == ann.id());
    BOOST_TEST(q.count() == 0u);  // the key costs nothing
    BOOST_TEST(loaded.author().username() == "ann");
    BOOST_TEST(loaded.author().username() == "ann");
    BOOST_TEST(q.count() == 1u);  // one query, then kept
    Author unsaved("u", "", "");
    BOOST_CHECK_THROW(a.set_author(unsaved), ValidationError);
}

BOOST_AUTO_TEST_SUITE_END()
