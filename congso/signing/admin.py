from __future__ import annotations

from django.contrib import admin

from congso.signing.models import SignerProfile


@admin.register(SignerProfile)
class SignerProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "title", "agency", "role", "backend", "active"]
    list_filter = ["backend", "role", "active"]
    raw_id_fields = ["user", "agency"]
