from django.urls import path

from workflow import views

app_name = "workflow"
urlpatterns = [
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/bulk/", views.bulk, name="bulk"),
    path("tasks/<id:pk>/", views.task_detail, name="task"),
    path("tasks/<id:pk>/act/", views.task_act, name="act"),
    path("tasks/<id:pk>/claim/", views.task_claim, name="claim"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<id:pk>/", views.notification_open, name="notification"),
    path("workflow/stats/", views.stats, name="stats"),
    path("workflow/holidays/", views.holidays, name="holidays"),
    path("cases/<id:case_pk>/attachments/", views.attachment_upload, name="attach"),
    path("cases/<id:case_pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("attachments/<id:pk>/", views.attachment_download, name="attachment"),
]
