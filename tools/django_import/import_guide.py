#!/usr/bin/python3
"""The guide's Django import, run whole-process against `folio import-*`.

Usage: /usr/bin/python3 import_guide.py DB DATA_DIR [bulk|guide]

A one-file Django 3.2 project (Debian's python3-django) on SQLite with the
guide's three models. `bulk` (default): authors with bulk_create (the guide's
§1 after), articles with bulk_create and one bulk_create of the through-model
rows (the fastest Django import we could write). `guide`: the guide's §2
code, one article at a time with tags.add(*tags). Prints seconds and queries.
"""
import json
import sys
import time

import django
from django.conf import settings

DB, DATA = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "bulk"
settings.configure(
    INSTALLED_APPS=["blog"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
sys.path.insert(0, __import__("os").path.dirname(__file__))
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from blog.models import Article, Author, Tag  # noqa: E402

call_command("migrate", run_syncdb=True, verbosity=0)
t0 = time.perf_counter()
q0 = len(connection.queries)
with transaction.atomic():
    with open(f"{DATA}/old_authors.json") as f:
        Author.objects.bulk_create(
            [Author(username=a["username"], email=a["email"], bio=a["bio"]) for a in json.load(f)], batch_size=500)
t1 = time.perf_counter()
with transaction.atomic():
    with open(f"{DATA}/old_articles.json") as f:
        data = json.load(f)
    authors = {a.username: a for a in Author.objects.all()}
    if MODE == "guide":
        for d in data:
            author = Author.objects.get(username=d["author"])
            article = Article(created_at=d["created_at"], author=author, title=d["title"], content=d["content"])
            article.save()
            tags = []
            for tag in d["tags"]:
                tag_instance, _ = Tag.objects.get_or_create(name=tag)
                tags.append(tag_instance)
            article.tags.add(*tags)
    else:
        tags = {t.name: t for t in Tag.objects.all()}
        for name in {t for d in data for t in d["tags"]} - tags.keys():
            tags[name] = Tag.objects.create(name=name)
        articles = Article.objects.bulk_create(
            [Article(created_at=d["created_at"], author=authors[d["author"]], title=d["title"], content=d["content"])
             for d in data], batch_size=500)
        # Django 3.2 gives bulk_create'd rows their ids on PostgreSQL only:
        # on SQLite read them back (the newest len(data) ids, in order).
        ids = list(Article.objects.order_by("-id").values_list("id", flat=True)[:len(articles)])[::-1]
        Through = Article.tags.through
        Through.objects.bulk_create(
            [Through(article_id=i, tag_id=tags[t].id) for i, d in zip(ids, data) for t in set(d["tags"])],
            batch_size=500)
t2 = time.perf_counter()
print(f"django {MODE}: authors {t1 - t0:.2f} s, articles {t2 - t1:.2f} s, {Article.objects.count()} articles")
