from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "seatdash.sandbox"
    label = "sandbox"
    verbose_name = "Sequence sandbox"
    default_auto_field = "django.db.models.BigAutoField"
