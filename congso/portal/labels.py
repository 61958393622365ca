"""The dossier labels shown on pages (workflow actions, statuses, deadline badges), marked for
translation. The dossier services keep their Vietnamese labels (``workflow.TRANSITIONS``,
``workflow.LABELS_VI``; the API's text); pages pass them through the ``ui`` filter of
``congso_ui``, which looks them up in the catalogue. ``tests/backoffice/test_english.py``
checks that every workflow label has its English text."""

from __future__ import annotations

from django.utils.translation import gettext_noop

LABELS = (
    # Actions (workflow.TRANSITIONS[...].label_vi and the extra history actions).
    gettext_noop("Tiếp nhận hồ sơ"),
    gettext_noop("Từ chối tiếp nhận"),
    gettext_noop("Yêu cầu bổ sung hồ sơ"),
    gettext_noop("Bổ sung hồ sơ"),
    gettext_noop("Bổ sung hồ sơ (chưa tiếp nhận)"),
    gettext_noop("Chuyển xử lý"),
    gettext_noop("Chuyển bước tiếp theo"),
    gettext_noop("Trả lại bước trước"),
    gettext_noop("Xin ý kiến phối hợp"),
    gettext_noop("Trả lời xin ý kiến"),
    gettext_noop("Chuyển liên thông"),
    gettext_noop("Yêu cầu thực hiện nghĩa vụ tài chính"),
    gettext_noop("Xác nhận đã nộp"),
    gettext_noop("Từ chối giải quyết / dừng xử lý"),
    gettext_noop("Hoàn thành, có kết quả"),
    gettext_noop("Trả kết quả"),
    gettext_noop("Xin lỗi và hẹn lại ngày trả (mẫu 04)"),
    gettext_noop("Xin rút hồ sơ"),
    gettext_noop("Xác nhận rút"),
    gettext_noop("Đánh giá mức độ hài lòng"),
    gettext_noop("Không chấp nhận rút hồ sơ"),
    gettext_noop("Nộp hồ sơ trực tuyến"),
    gettext_noop("Kiểm tra / số hóa thành phần"),
    gettext_noop("Giao lại bước xử lý"),
    # Liên thông between systems (dossiers.services.intersystem).
    gettext_noop("Chuyển liên thông sang đơn vị khác"),
    gettext_noop("Đơn vị nhận liên thông cập nhật tiến độ"),
    gettext_noop("Nhận kết quả liên thông"),
    gettext_noop("Đơn vị nhận liên thông trả lại hồ sơ"),
    gettext_noop("Đã gửi kết quả về đơn vị chuyển liên thông"),
    gettext_noop("Tiếp nhận hồ sơ liên thông từ hệ thống khác"),
    # Statuses (workflow.LABELS_VI).
    gettext_noop("Mới đăng ký, chờ tiếp nhận"),
    gettext_noop("Đã tiếp nhận"),
    gettext_noop("Không được tiếp nhận"),
    gettext_noop("Đang xử lý"),
    gettext_noop("Công dân yêu cầu rút hồ sơ"),
    gettext_noop("Đã rút hồ sơ"),
    gettext_noop("Dừng xử lý"),
    gettext_noop("Đã xử lý xong"),
    gettext_noop("Đã trả kết quả"),
    gettext_noop("Đã chuyển liên thông"),
    # Deadline badges (congso_ui.deadline_state).
    gettext_noop("Trước hạn"),
    gettext_noop("Đúng hạn"),
    gettext_noop("Trễ hạn"),
    gettext_noop("Chưa tính hạn"),
    gettext_noop("Tạm dừng tính hạn"),
    gettext_noop("Quá hạn"),
    gettext_noop("Còn hạn"),
    gettext_noop("Đến hạn hôm nay"),
    # Submission channels (dossiers.models.Channel).
    gettext_noop("Trực tiếp tại Bộ phận Một cửa"),
    gettext_noop("Trực tuyến"),
    gettext_noop("Qua dịch vụ bưu chính công ích"),
    # Why a component is not uploaded online (catalog.formschema.OFFLINE_REASONS).
    gettext_noop("Chỉ nộp khi nộp hồ sơ giấy (trực tiếp hoặc qua bưu chính); không tải lên."),
    gettext_noop("Xuất trình khi làm thủ tục trực tiếp hoặc khi nhận kết quả; không tải lên."),
    gettext_noop("Thay bằng tờ khai điện tử bạn điền ở các bước trước; không tải lên."),
    # Acting for others (dossiers.models.Relationship, org.models.RepresentativeRole).
    gettext_noop("Người được ủy quyền (có văn bản ủy quyền)"),
    gettext_noop("Cha, mẹ của người chưa thành niên"),
    gettext_noop("Người giám hộ"),
    gettext_noop("Người đại diện theo pháp luật khác"),
    gettext_noop("Người đại diện theo pháp luật"),
    gettext_noop("Người được ủy quyền"),
)
