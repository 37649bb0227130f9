from django.urls import path

from workflow import views

app_name = "workflow"
urlpatterns = [
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/bulk/", views.bulk, name="bulk"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/act/", views.task_act, name="act"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="claim"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification"),
    path("workflow/stats/", views.stats, name="stats"),
    path("workflow/holidays/", views.holidays, name="holidays"),
    path("cases/<int:case_pk>/attachments/", views.attachment_upload, name="attach"),
    path("cases/<int:case_pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
