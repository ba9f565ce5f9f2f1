"""Create the roles: "viewer" browses, "exporter" browses and downloads CSV."""

from django.db import migrations


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally created after all migrations (post_migrate); create this one now so
    # the group can hold it. post_migrate finds it by codename and leaves it be.
    content_type, _ = ContentType.objects.get_or_create(app_label="seatdash", model="exportaudit")
    export_csv, _ = Permission.objects.get_or_create(
        codename="export_csv",
        content_type=content_type,
        defaults={"name": "Can download CSV exports"},
    )
    Group.objects.get_or_create(name="viewer")
    exporter, _ = Group.objects.get_or_create(name="exporter")
    exporter.permissions.add(export_csv)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["viewer", "exporter"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("seatdash", "0001_export_audit"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
