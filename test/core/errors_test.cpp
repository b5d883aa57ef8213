// The error hierarchy: every type folio raises, with the table, field and
// value named in its message, all derived from folio::Error.
#include "fixtures.hpp"
#include "folio/io/input_error.hpp"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/backend_only.hpp"

#include <chrono>
#include <filesystem>
#include <type_traits>

using namespace folio;
using namespace folio_test;

static_assert(std::is_base_of_v<std::runtime_error, Error>);
static_assert(std::is_base_of_v<Error, DoesNotExist>);
static_assert(std::is_base_of_v<Error, MultipleObjectsReturned>);
static_assert(std::is_base_of_v<Error, IntegrityError>);
static_assert(std::is_base_of_v<Error, InvalidQuery>);
static_assert(std::is_base_of_v<Error, ValidationError>);
static_assert(std::is_base_of_v<Error, OperationalError>);
static_assert(std::is_base_of_v<Error, DataError>);
static_assert(std::is_base_of_v<Error, io::InputError>);  // bad input files too: only folio::Error leaves the API

namespace {

std::string repeat(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

// True when `s` is well-formed UTF-8 (messages must stay printable).
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += len;
    }
    return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_FIXTURE_TEST_CASE(integrity_error_names_table_and_column, BackendBlog) {
    Tag("python").save(db());
    Tag dup("python");
    std::string msg = message_of<IntegrityError>([&] { dup.save(db()); });
    BOOST_TEST(contains(msg, "tag.name"), msg);
    BOOST_TEST(contains(msg, "UNIQUE"), msg);
    BOOST_TEST(dup.pk() == 0);
    try {
        Tag("python").save(db());
    } catch (const Error& e) {  // catchable as the base
        // SQLite's result code; a PostgreSQL error carries its SQLSTATE in
        // the message instead (errors.hpp).
        if (!on_postgresql()) BOOST_TEST(e.sqlite_code() == SQLITE_CONSTRAINT);
    }
    BOOST_TEST(count_rows(db(), "tag") == 1);
}

BOOST_FIXTURE_TEST_CASE(integrity_error_for_a_missing_foreign_key, BackendBlog) {
    Article a;
    a.set_title("orphan").set_created_at("2020-01-01").set_author_id(999);
    std::string msg = message_of<IntegrityError>([&] { a.save(db()); });
    BOOST_TEST(contains(msg, "FOREIGN KEY"), msg);
    BOOST_TEST(count_rows(db(), "article") == 0);
}

BOOST_FIXTURE_TEST_CASE(does_not_exist_names_the_model, BackendBlog) {
    std::string msg = message_of<DoesNotExist>([&] { blog.authors().get("username", "nobody"); });
    BOOST_TEST(contains(msg, "Author"), msg);
    BOOST_TEST(contains(msg, "does not exist"), msg);

    Author au = make_author(db(), "ann");
    Author copy = au;
    au.remove();
    std::string gone = message_of<DoesNotExist>([&] { copy.refresh(); });
    BOOST_TEST(contains(gone, "Author"), gone);
    BOOST_TEST(contains(gone, std::to_string(copy.id())), gone);
}

BOOST_FIXTURE_TEST_CASE(multiple_objects_returned_names_the_model, BackendBlog) {
    make_author(db(), "twin");
    make_author(db(), "twin");
    std::string msg = message_of<MultipleObjectsReturned>([&] { blog.authors().get("username", "twin"); });
    BOOST_TEST(contains(msg, "Author"), msg);
    BOOST_TEST(contains(msg, "more than one"), msg);
}

BOOST_FIXTURE_TEST_CASE(invalid_query_names_the_field_and_model, BackendBlog) {
    std::string msg = message_of<InvalidQuery>([&] { blog.articles().filter("titel", "x"); });
    BOOST_TEST(contains(msg, "'titel'"), msg);
    BOOST_TEST(contains(msg, "Article"), msg);
    BOOST_TEST(contains(msg, "title"), msg);  // the choices

    std::string deep = message_of<InvalidQuery>([&] { blog.articles().filter("author__usrname", "x"); });
    BOOST_TEST(contains(deep, "usrname"), deep);
    BOOST_TEST(contains(deep, "Author"), deep);

    std::string order = message_of<InvalidQuery>([&] { blog.tags().order_by({"-nmae"}); });
    BOOST_TEST(contains(order, "nmae"), order);
    BOOST_TEST(contains(order, "Tag"), order);

    std::string upd = message_of<InvalidQuery>([&] { blog.authors().update({{"nick", "x"}}); });
    BOOST_TEST(contains(upd, "nick"), upd);
    BOOST_TEST(contains(upd, "Author"), upd);

    std::string field = message_of<InvalidQuery>([&] { Author().get("karma"); });
    BOOST_TEST(contains(field, "karma"), field);
    BOOST_TEST(contains(field, "Author"), field);
}

BOOST_FIXTURE_TEST_CASE(validation_username_counts_characters, BackendBlog) {
    // 64 two-byte characters (128 bytes) are allowed...
    Author ok(repeat("é", 64), "", "");
    BOOST_CHECK_NO_THROW(ok.save(db()));
    BOOST_TEST(ok.id() > 0);
    // ...65 ASCII characters are not.
    QueryCapture q(db());
    Author too_long(repeat("u", 65), "", "");
    std::string msg = message_of<ValidationError>([&] { too_long.save(db()); });
    BOOST_TEST(contains(msg, "Author"), msg);
    BOOST_TEST(contains(msg, "username"), msg);
    BOOST_TEST(contains(msg, "'" + repeat("u", 40)), msg);  // the value (shortened)
    BOOST_TEST(contains(msg, "65"), msg);
    BOOST_TEST(q.count() == 0u, "something was written before validation: " << dump(q));
    BOOST_TEST(too_long.pk() == 0);
}

BOOST_FIXTURE_TEST_CASE(validation_message_of_multibyte_value_is_valid_utf8, BackendBlog) {
    // 65 characters that are not all the same width: the shortened value in
    // the message must not end in half a character.
    Author too_long("a" + repeat("é", 64), "", "");
    std::string msg = message_of<ValidationError>([&] { too_long.save(db()); });
    BOOST_TEST(contains(msg, "username"), msg);
    BOOST_TEST(valid_utf8(msg), "the message cuts a UTF-8 character in half: " << msg);
    BOOST_TEST(contains(msg, "'a" + repeat("é", 39)), msg);  // 40 characters of the value
}

BOOST_FIXTURE_TEST_CASE(validation_bad_email, BackendBlog) {
    Author a("ann", "not-an-address", "");
    std::string msg = message_of<ValidationError>([&] { a.save(db()); });
    BOOST_TEST(contains(msg, "Author"), msg);
    BOOST_TEST(contains(msg, "email"), msg);
    BOOST_TEST(contains(msg, "not-an-address"), msg);
    BOOST_TEST(count_rows(db(), "author") == 0);
    // Empty e-mail is allowed (the guide's export has some).
    Author empty("bob", "", "");
    BOOST_CHECK_NO_THROW(empty.save(db()));
}

BOOST_FIXTURE_TEST_CASE(validation_invalid_date, BackendBlog) {
    Author au = make_author(db(), "ann");
    Article a;
    a.set_title("leap").set_created_at("2021-02-29").set_author_id(au.id());
    std::string msg = message_of<ValidationError>([&] { a.save(db()); });
    BOOST_TEST(contains(msg, "Article"), msg);
    BOOST_TEST(contains(msg, "created_at"), msg);
    BOOST_TEST(contains(msg, "2021-02-29"), msg);
    BOOST_TEST(count_rows(db(), "article") == 0);
    a.set_created_at("2020-02-29");  // a real leap day
    BOOST_CHECK_NO_THROW(a.save(db()));
}

BOOST_FIXTURE_TEST_CASE(validation_in_bulk_create_writes_nothing, BackendBlog) {
    std::vector<Author> authors = {Author("ok", "", ""), Author(repeat("x", 65), "", "")};
    std::string msg = message_of<ValidationError>([&] { blog.authors().bulk_create(authors); });
    BOOST_TEST(contains(msg, "username"), msg);
    BOOST_TEST(count_rows(db(), "author") == 0);
}

BOOST_AUTO_TEST_CASE(operational_error_for_a_file_that_is_not_a_database, *sqlite_only("about SQLite database files")) {
    TempDir dir;
    std::string path = dir.file("notes.txt");
    {
        std::ofstream out(path);
        for (int i = 0; i < 100; ++i) out << "This is a plain text file, certainly not an SQLite database.\n";
    }
    std::string msg = message_of<OperationalError>([&] { Database db(path); });
    BOOST_TEST(contains(msg, path), msg);
    BOOST_TEST(contains(msg, "not a"), msg);
    try {
        Database db(path);
    } catch (const Error& e) {
        BOOST_TEST((e.sqlite_code() & 0xff) == SQLITE_NOTADB);
    }
}

BOOST_AUTO_TEST_CASE(operational_error_for_a_missing_file_without_create, *sqlite_only("about SQLite database files")) {
    TempDir dir;
    std::string path = dir.file("missing.sqlite3");
    std::string msg = message_of<OperationalError>([&] { Database db(path, DatabaseOptions{.create = false}); });
    BOOST_TEST(contains(msg, path), msg);
    BOOST_TEST(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(operational_error_for_writing_a_read_only_database, *sqlite_only("about SQLite database files")) {
    TempDir dir;
    std::string path = dir.file("blog.sqlite3");
    {
        Blog blog = Blog::open(path);
        make_author(blog.db(), "ann");
    }
    Blog ro(std::make_unique<Database>(path, DatabaseOptions{.read_only = true}));
    BOOST_TEST(ro.authors().count() == 1);  // reading works
    Author bob("bob", "", "");
    std::string msg = message_of<OperationalError>([&] { bob.save(ro.db()); });
    BOOST_TEST(contains(msg, "read-only"), msg);
    BOOST_TEST(contains(msg, "author"), msg);  // the statement that was refused
    std::string upd = message_of<OperationalError>([&] { ro.authors().update({{"bio", "x"}}); });
    BOOST_TEST(contains(upd, "read-only"), upd);
    // Which file, and why: opened read-only on purpose (a file this user
    // cannot write is the CLI's read_only_file test, as user nobody).
    const std::string file = std::filesystem::canonical(path).string();
    BOOST_TEST(contains(upd, "database '" + file + "' was opened read-only"), upd);
    BOOST_TEST(ro.authors().count() == 1);
}

// A writer that dies mid-transaction with the rollback journal (the mode of
// ExclusiveLoad) leaves a hot journal that every connection must roll back
// before it reads, which a read-only one cannot (SQLITE_READONLY_ROLLBACK).
// The error says so and what to do, not SQLite's "attempt to write a
// readonly database"; a read-write open rolls it back, and then reading
// read-only works and sees the file as before the writer began.
BOOST_AUTO_TEST_CASE(a_hot_journal_is_named_to_a_read_only_connection, *sqlite_only("SQLite's rollback journal")) {
    TempDir dir;
    const std::string path = dir.file("hot.sqlite3");
    {
        Database db(path);
        db.execute("CREATE TABLE t(x)");
    }
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        sqlite3* raw = nullptr;
        // A 2-page cache spills to the file mid-transaction, after syncing
        // the journal: hot once the process is gone without COMMIT.
        const int rc = sqlite3_open(path.c_str(), &raw) == SQLITE_OK
                           ? sqlite3_exec(raw,
                                          "PRAGMA journal_mode=DELETE; PRAGMA cache_size=2; BEGIN; "
                                          "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000) "
                                          "INSERT INTO t SELECT randomblob(500) FROM c;",
                                          nullptr, nullptr, nullptr)
                           : 1;
        ::_exit(rc == SQLITE_OK ? 0 : 1);  // no COMMIT, no close: what a kill leaves
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    BOOST_REQUIRE(std::filesystem::file_size(path + "-journal") > 0);
    const std::string msg = message_of<OperationalError>([&] { Database ro(path, DatabaseOptions{.read_only = true}); });
    BOOST_TEST(contains(msg, "database '" + std::filesystem::canonical(path).string() + "' has a hot journal"), msg);
    BOOST_TEST(contains(msg, "open it once read-write"), msg);
    // immutable=1 would ignore the journal and read the half-written pages.
    const std::string imm =
        message_of<OperationalError>([&] { Database ro(path, DatabaseOptions{.read_only = true, .immutable = true}); });
    BOOST_TEST(contains(imm, "has a rollback journal"), imm);
    { Database rw(path); }  // SQLite rolls the journal back at the first read
    BOOST_TEST(!std::filesystem::exists(path + "-journal"));
    Database imm_ok(path, DatabaseOptions{.read_only = true, .immutable = true});
    BOOST_TEST(imm_ok.scalar("SELECT count(*) FROM t").as_integer() == 0);
    Database ro(path, DatabaseOptions{.read_only = true});
    BOOST_TEST(ro.scalar("SELECT count(*) FROM t").as_integer() == 0);
}

// A fresh user's finding: a write that waited out its busy timeout said
// "database is locked: database is locked" and named no file.
BOOST_AUTO_TEST_CASE(a_busy_database_is_named_once_with_its_file, *sqlite_only("SQLite's file locks")) {
    TempDir dir;
    const std::string path = dir.file("busy.sqlite3");
    Database holder(path);
    holder.execute("CREATE TABLE t(x)");
    Database waiter(path, DatabaseOptions{.busy_timeout = std::chrono::milliseconds(50)});
    holder.execute("BEGIN IMMEDIATE");
    const std::string msg = message_of<OperationalError>([&] { waiter.execute("INSERT INTO t VALUES (1)"); });
    holder.execute("ROLLBACK");
    BOOST_TEST(contains(msg, "database is locked: another connection holds '" +
                                 std::filesystem::canonical(path).string() + "'"),
               msg);
    BOOST_TEST(msg.find("locked") == msg.rfind("locked"), msg);  // said once
}

BOOST_FIXTURE_TEST_CASE(all_catchable_as_folio_error, BackendBlog) {
    int caught = 0;
    auto expect = [&](const std::function<void()>& f) {
        try {
            f();
        } catch (const Error&) {
            ++caught;
        }
    };
    Tag("t").save(db());
    expect([&] { Tag("t").save(db()); });
    expect([&] { blog.tags().get("name", "none"); });
    Tag("u").save(db());
    expect([&] { blog.tags().get(Q("name__in", std::vector<Value>{"t", "u"})); });
    expect([&] { blog.tags().filter("nope", 1); });
    expect([&] { Tag(repeat("n", 65)).save(db()); });
    expect([&] { db().execute("SELECT * FROM no_such_table"); });
    BOOST_TEST(caught == 6);
}

BOOST_AUTO_TEST_SUITE_END()
