"""The first version of every template (loaded by migration 0002) and the preview sample."""

from __future__ import annotations

SMS: dict[str, str] = {
    "submitted": (
        "Da nhan ho so {{ code }} nop truc tuyen luc {{ at }}. {{ agency }} se kiem tra va "
        "tiep nhan. Tra cuu tren Cong dich vu cong."
    ),
    "received": (
        "{{ agency }} da tiep nhan ho so {{ code }}. Hen tra ket qua: {{ appointment }}. "
        "Tra cuu tren Cong dich vu cong."
    ),
    "processing": "Ho so {{ code }} dang duoc xu ly tai {{ agency }}. Hen tra: {{ appointment }}.",
    "supplement": (
        "Ho so {{ code }} can bo sung: {{ missing|truncatechars:60 }}. Lien he {{ agency }}."
    ),
    "result_ready": "Ho so {{ code }} da co ket qua. Moi ong/ba nhan tai {{ collect }}.",
    "returned": "Ho so {{ code }} da tra ket qua ngay {{ at }}. Cam on ong/ba.",
    "apology": (
        "{{ agency }} xin loi vi ho so {{ code }} cham giai quyet. Hen tra moi: {{ appointment }}."
    ),
    "refused": "Ho so {{ code }} bi tu choi/dung xu ly. Ly do: {{ reason|truncatechars:60 }}",
    "withdrawn": "Da xac nhan rut ho so {{ code }} theo de nghi cua ong/ba.",
}

# SMS in the table above are written without accents on purpose (they are sent that way by
# default); the e-mails are in full Vietnamese.
EMAIL: dict[str, tuple[str, str]] = {
    "submitted": (
        "[{{ code }}] Đã nhận hồ sơ nộp trực tuyến",
        "Cổng dịch vụ công đã nhận hồ sơ {{ code }} ({{ procedure }}) ông/bà nộp trực tuyến "
        "lúc {{ at }}.\n{{ agency }} sẽ kiểm tra và tiếp nhận hồ sơ; ông/bà sẽ nhận thông báo "
        "ngày hẹn trả kết quả khi hồ sơ được tiếp nhận.",
    ),
    "received": (
        "[{{ code }}] Hồ sơ đã được tiếp nhận",
        "{{ agency }} đã tiếp nhận hồ sơ {{ code }} ({{ procedure }}) lúc {{ at }}.\n"
        "Ngày hẹn trả kết quả: {{ appointment }}.\nCán bộ tiếp nhận: {{ officer }}.",
    ),
    "processing": (
        "[{{ code }}] Hồ sơ đang được xử lý",
        "Hồ sơ {{ code }} ({{ procedure }}) đã được chuyển xử lý tại {{ agency }} lúc {{ at }}."
        "\nNgày hẹn trả kết quả: {{ appointment }}.",
    ),
    "supplement": (
        "[{{ code }}] Yêu cầu bổ sung hồ sơ",
        "Hồ sơ {{ code }} ({{ procedure }}) cần bổ sung, hoàn thiện các nội dung sau: "
        "{{ missing }}.\nLý do: {{ reason }}.\nCán bộ yêu cầu: {{ officer }}, {{ agency }}.",
    ),
    "result_ready": (
        "[{{ code }}] Hồ sơ đã có kết quả",
        "Hồ sơ {{ code }} ({{ procedure }}) đã có kết quả lúc {{ at }}.\n"
        "Mời ông/bà nhận kết quả tại {{ collect }}.",
    ),
    "returned": (
        "[{{ code }}] Đã trả kết quả",
        "Hồ sơ {{ code }} ({{ procedure }}) đã được trả kết quả lúc {{ at }}.\n"
        "Cảm ơn ông/bà đã sử dụng dịch vụ công.",
    ),
    "apology": (
        "[{{ code }}] Thư xin lỗi và hẹn lại ngày trả kết quả",
        "{{ agency }} xin lỗi vì hồ sơ {{ code }} ({{ procedure }}) chậm giải quyết.\n"
        "Lý do: {{ reason }}.\nNgày hẹn trả kết quả mới: {{ appointment }}.",
    ),
    "refused": (
        "[{{ code }}] Từ chối giải quyết / dừng xử lý hồ sơ",
        "Hồ sơ {{ code }} ({{ procedure }}) bị từ chối giải quyết hoặc dừng xử lý tại "
        "{{ agency }} lúc {{ at }}.\nLý do: {{ reason }}.",
    ),
    "withdrawn": (
        "[{{ code }}] Xác nhận rút hồ sơ",
        "{{ agency }} xác nhận ông/bà đã rút hồ sơ {{ code }} ({{ procedure }}) lúc {{ at }}.",
    ),
}

HTML = (
    "<p>Kính gửi ông/bà {{ applicant }},</p>\n<p>{{ text|linebreaksbr }}</p>\n"
    "<p>Mã hồ sơ: <strong>{{ code }}</strong></p>"
)

SAMPLE: dict[str, str] = {
    "code": "000.00.51.H51-260302-0001",
    "applicant": "Nguyễn Văn An",
    "procedure": "Đăng ký khai sinh",
    "agency": "UBND xã Nghĩa Hành",
    "officer": "Trần Thị Bình",
    "at": "09:00 02/03/2026",
    "appointment": "17:00 05/03/2026",
    "reason": "Thiếu bản sao giấy chứng sinh",
    "missing": "Giấy chứng sinh",
    "collect": "Bộ phận Một cửa UBND xã Nghĩa Hành",
}
