"""The guide's models (its §1), as Django 3.2 needs them (on_delete given)."""
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=64)


class Author(models.Model):
    username = models.CharField(max_length=64)
    email = models.EmailField()
    bio = models.TextField()


class Article(models.Model):
    title = models.CharField(max_length=64)
    content = models.TextField()
    created_at = models.DateField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)
