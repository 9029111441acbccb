"""Every stored result gains the texts its pages show (`Result.shown`), copied from the ruleset file it was made
with, so that from now on it renders from what it kept and the files can be reworded in place.

The copy is made by today's `snapshot.shown`, which reads a ruleset and a recommendation only (no model), so
this migration does not depend on the shape of the models at any later point. A result whose ruleset file is
not on disk keeps an empty `shown` and answers 404, as it did before. Nothing already stored is changed."""

from django.db import migrations, models

BATCH = 500


def copy_texts(apps, schema_editor):
    from decision import rules, snapshot
    from decision import ruleset as rulesets

    Result = apps.get_model("decision", "Result")
    pending = []
    for row in Result.objects.using(schema_editor.connection.alias).iterator(chunk_size=BATCH):
        ruleset = rulesets.get(row.ruleset_version)
        if ruleset is None or row.shown:
            continue
        recommendation = rules.Recommendation.model_validate(row.recommendation)
        row.shown = snapshot.shown(ruleset, recommendation, row.answers).model_dump(mode="json")
        pending.append(row)
        if len(pending) == BATCH:
            Result.objects.using(schema_editor.connection.alias).bulk_update(pending, ["shown"])
            pending = []
    Result.objects.using(schema_editor.connection.alias).bulk_update(pending, ["shown"])


class Migration(migrations.Migration):
    dependencies = [("decision", "0005_health_probe")]

    operations = [
        migrations.AddField(model_name="result", name="shown", field=models.JSONField(default=dict)),
        migrations.RunPython(copy_texts, migrations.RunPython.noop),
    ]
