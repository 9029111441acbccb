from django.urls import path, re_path

from decision import api, views
from decision.models import RESULT_ID_PATTERN

RESULT_ID = rf"(?P<result_id>{RESULT_ID_PATTERN})"

urlpatterns = [
    path("", views.start, name="start"),
    path("how-it-decides/", views.how, name="how"),
    path("privacy/", views.privacy, name="privacy"),
    path("import/", views.import_start, name="import"),
    path("import/file", views.import_file, name="import-file"),
    path("questions/<slug:question_id>/", views.question, name="question"),
    path("wizard/<slug:section_id>/", views.step, name="step"),  # the old four-question steps: redirects
    path("check/", views.check, name="check"),
    path("results", views.result_create, name="result-create"),
    re_path(rf"^r/{RESULT_ID}/$", views.result_detail, name="result"),
    re_path(rf"^r/{RESULT_ID}\.json$", api.result_detail, name="result-json"),
    re_path(rf"^r/{RESULT_ID}/decision-record\.md$", views.decision_record, name="decision-record"),
    re_path(rf"^r/{RESULT_ID}/card\.png$", views.result_card, name="result-card"),
    path("preview/", views.preview, name="preview"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/recommend", api.recommend, name="api-recommend"),
    path("api/results", api.results, name="api-results"),
    path("api/answers/import", api.import_answers, name="api-import"),
    re_path(rf"^api/results/{RESULT_ID}$", api.result_detail, name="api-result"),
    path("api/openapi.json", api.openapi, name="api-openapi"),
]

handler400 = "decision.views.bad_request"
handler404 = "decision.views.not_found"
handler500 = "decision.views.server_error"
