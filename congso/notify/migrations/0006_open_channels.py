"""Issue 14: channel kinds are an open set (plugin ids, no choices in the database), a message
may carry its channel's payload (Zalo template id and data) and name the message it replaces
(fallback), templates may carry a provider's template id and parameters, and a preference
keeps one choice per channel (filled from the old sms/email columns by 0007)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notify", "0005_submitted_acknowledgement")]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="channel",
            field=models.CharField(max_length=30, verbose_name="kênh"),
        ),
        migrations.AlterField(
            model_name="notifydailyfigure",
            name="channel",
            field=models.CharField(max_length=30, verbose_name="kênh"),
        ),
        migrations.AlterField(
            model_name="template",
            name="channel",
            field=models.CharField(max_length=30, verbose_name="kênh"),
        ),
        migrations.AddField(
            model_name="message",
            name="fallback_for",
            field=models.ForeignKey(
                blank=True,
                help_text="Tin của kênh khác không gửi được, mà tin này thay thế (Zalo → SMS).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="fallbacks",
                to="notify.message",
                verbose_name="thay cho tin",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="payload",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Ngoài nội dung: mã mẫu và tham số (Zalo ZNS).",
                verbose_name="dữ liệu gửi theo kênh",
            ),
        ),
        migrations.AddField(
            model_name="template",
            name="external_id",
            field=models.CharField(
                blank=True,
                help_text="Kênh dùng mẫu đã được nhà cung cấp duyệt (Zalo ZNS): mã mẫu (template_id).",
                max_length=64,
                verbose_name="mã mẫu ở nhà cung cấp",
            ),
        ),
        migrations.AddField(
            model_name="template",
            name="params",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Tên tham số của mẫu đã duyệt → giá trị (cú pháp mẫu Django), ví dụ "
                '{"ma_ho_so": "{{ code }}", "ngay_hen": "{{ appointment }}"}.',
                verbose_name="tham số của mẫu",
            ),
        ),
        migrations.AddField(
            model_name="preference",
            name="channels",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Mã kênh → có nhận hay không, ví dụ {"sms": true, "email": false, '
                '"zalo": true}.',
                verbose_name="kênh nhận thông báo",
            ),
        ),
    ]
