from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("signing", "0002_eresult_documents"),
        ("results", "0001_initial"),
    ]

    # The e-result models moved to congso.results (same tables, signing_*): nothing changes in
    # the database. The signer profiles stay here.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="registerentry", name="agency"),
                migrations.RemoveField(model_name="registerentry", name="dossier"),
                migrations.RemoveField(model_name="resulttemplate", name="procedure"),
                migrations.RemoveField(model_name="signaturerecord", name="profile"),
                migrations.RemoveField(model_name="signaturerecord", name="result"),
                migrations.RemoveField(model_name="signedresult", name="created_by"),
                migrations.RemoveField(model_name="signedresult", name="dossier"),
                migrations.DeleteModel(name="ExternalSigningSession"),
                migrations.DeleteModel(name="RegisterEntry"),
                migrations.DeleteModel(name="ResultTemplate"),
                migrations.DeleteModel(name="SignatureRecord"),
                migrations.DeleteModel(name="SignedResult"),
            ],
        ),
    ]
