from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "congso.calendar"
    label = "workcalendar"
    verbose_name = "Lịch làm việc"
