from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "seatdash.history"
    label = "history"
    verbose_name = "Seat history"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from seatdash.history.worker_job import sync_history
        from seatdash.worker import register_job

        register_job("history", sync_history)
