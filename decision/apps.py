from django.apps import AppConfig


class DecisionConfig(AppConfig):
    name = "decision"
    verbose_name = "Open, Closed or Hybrid?"

    def ready(self) -> None:
        from decision import checks  # noqa: F401 - registers the system checks
