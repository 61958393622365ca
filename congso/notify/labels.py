"""The notification labels shown on pages (channels, kinds, delivery statuses), marked for
translation. The models keep their Vietnamese text (the API's and the admin's); the templates
pass it through the ``ui`` filter of ``congso_ui``, which looks it up in
``congso/notify/locale``. ``tests/notify/test_english.py`` checks that every choice label has
its English text."""

from __future__ import annotations

from django.utils.translation import gettext_noop

LABELS = (
    # The built-in channels (notify/channels/builtin.py).
    gettext_noop("SMS"),
    gettext_noop("Thư điện tử"),
    # EventKind.
    gettext_noop("Đã nhận hồ sơ nộp trực tuyến"),
    gettext_noop("Đã tiếp nhận hồ sơ"),
    gettext_noop("Bắt đầu xử lý"),
    gettext_noop("Yêu cầu bổ sung hồ sơ"),
    gettext_noop("Đã có kết quả"),
    gettext_noop("Đã trả kết quả"),
    gettext_noop("Xin lỗi, hẹn lại ngày trả"),
    gettext_noop("Từ chối / dừng xử lý"),
    gettext_noop("Xác nhận rút hồ sơ"),
    gettext_noop("Đặt lại mật khẩu"),
    gettext_noop("Phản ánh, kiến nghị"),
    gettext_noop("Nhắc việc văn bản"),
    # Message.Status.
    gettext_noop("Chờ gửi"),
    gettext_noop("Đang gửi"),
    gettext_noop("Đã gửi"),
    gettext_noop("Đã nhận"),
    gettext_noop("Gửi thất bại"),
    gettext_noop("Ngừng gửi (hết số lần thử)"),
    gettext_noop("Đã gửi, không có báo cáo phát"),
    gettext_noop("Không gửi"),
)
