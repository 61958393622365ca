"""The signing labels shown on pages (signature roles, the verification report), marked for
translation. The models and ``validation`` keep their Vietnamese text (the API's, the ETSI
report's); the templates pass it through the ``ui`` filter of ``congso_ui``, which looks it up
in ``congso/signing/locale``. ``tests/signing/test_english.py`` checks that every label below
exists in the code and has its English text."""

from __future__ import annotations

from django.utils.translation import gettext_noop

LABELS = (
    # SignatureRole.
    gettext_noop("Lãnh đạo ký duyệt"),
    gettext_noop("Văn thư ký số cơ quan (đóng dấu)"),
    # validation.INDICATION_LABELS and the overall label without signatures.
    gettext_noop("Hợp lệ"),
    gettext_noop("Chưa xác định được"),
    gettext_noop("Không hợp lệ"),
    gettext_noop("Không có chữ ký số"),
    # validation.SUB_INDICATION_LABELS and the explanation of a valid signature.
    gettext_noop("Chữ ký hợp lệ, văn bản còn nguyên vẹn."),
    gettext_noop("Nội dung đã bị thay đổi sau khi ký."),
    gettext_noop("Giá trị chữ ký không khớp với chứng thư số."),
    gettext_noop("Chứng thư số của người ký đã bị thu hồi."),
    gettext_noop("Chứng thư số đã bị thu hồi và không có bằng chứng chữ ký có trước khi thu hồi."),
    gettext_noop(
        "Chứng thư số đã hết hạn (hoặc chưa hiệu lực) và không có dấu thời gian chứng minh chữ "
        "ký được tạo khi chứng thư còn hiệu lực."
    ),
    gettext_noop("Chứng thư số đã hết hạn nhưng không bị thu hồi."),
    gettext_noop("Không dựng được chuỗi chứng thư đến một CA gốc tin cậy."),
    gettext_noop("Chưa lấy được thông tin thu hồi chứng thư; hãy thử lại sau."),
    gettext_noop("Thông tin thu hồi không còn hiệu lực."),
    gettext_noop("Chuỗi chứng thư không thỏa ràng buộc."),
    gettext_noop("Không tìm thấy dữ liệu được ký."),
    gettext_noop("Chữ ký sai định dạng."),
    gettext_noop("Văn bản bị sửa đổi sau khi ký theo cách không được phép."),
    # validation.CERTIFICATION_LABELS.
    gettext_noop("không cho phép bất kỳ thay đổi nào sau khi ký"),
    gettext_noop("sau khi ký chỉ được điền biểu mẫu và ký thêm"),
    gettext_noop("sau khi ký chỉ được điền biểu mẫu, ký thêm và ghi chú"),
    # validation.COVERAGE_LABELS.
    gettext_noop("toàn bộ tệp"),
    gettext_noop("toàn bộ văn bản khi ký (sau đó chỉ thêm chữ ký, dấu thời gian)"),
    gettext_noop("một phần đầu của tệp"),
    gettext_noop("không xác định được"),
)
