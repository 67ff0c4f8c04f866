from django.db import models


class Widget(models.Model):
    name = models.CharField(max_length=50)
    # Added without a migration: makemigrations --check must notice.
    size = models.PositiveIntegerField(default=0)
