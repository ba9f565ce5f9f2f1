from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "seatdash.history"
    label = "history"
    verbose_name = "Seat history"
    default_auto_field = "django.db.models.BigAutoField"
