from django.urls import path, register_converter

from decision import api, compare_views, openapi, views, wizard_views
from decision.models import RESULT_ID_PATTERN


class ResultIdConverter:
    """A result's id, as the model makes them: one pattern for every address that names a result."""

    regex = RESULT_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ResultIdConverter, "result_id")

urlpatterns = [
    path("", wizard_views.start, name="start"),
    path("how-it-decides/", views.how, name="how"),
    path("privacy/", views.privacy, name="privacy"),
    path("import/", wizard_views.import_start, name="import"),
    path("import/file", wizard_views.import_file, name="import-file"),
    path("questions/<slug:question_id>/", wizard_views.question, name="question"),
    path("wizard/<slug:section_id>/", wizard_views.step, name="step"),  # the old four-question steps: redirects
    path("check/", wizard_views.check, name="check"),
    path("results", views.result_create, name="result-create"),
    path("r/<result_id:result_id>/", views.result_detail, name="result"),
    path("r/<result_id:result_id>.json", api.result_detail, name="result-json"),
    path("r/<result_id:result_id>/decision-record.md", views.decision_record, name="decision-record"),
    path("r/<result_id:result_id>/card.png", views.result_card, name="result-card"),
    path("preview/", views.preview, name="preview"),
    path("compare/", compare_views.compare_page, name="compare"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/recommend", api.recommend, name="api-recommend"),
    path("api/results", api.results, name="api-results"),
    path("api/answers/import", api.import_answers, name="api-import"),
    path("api/results/<result_id:result_id>", api.result_detail, name="api-result"),
    path("api/compare", compare_views.compare_api, name="api-compare"),
    path("api/openapi.json", openapi.openapi, name="api-openapi"),
]

handler400 = "decision.views.bad_request"
handler404 = "decision.views.not_found"
handler500 = "decision.views.server_error"
