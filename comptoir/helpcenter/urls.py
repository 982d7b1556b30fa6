from django.urls import path

from . import views, views_manage

app_name = "helpcenter"

urlpatterns = [
    path("help/", views.home, name="home"),
    path("help/search/", views.search, name="search"),
    path("help/topics/<str:code>/", views.category, name="category"),
    path("help/articles/<slug:slug>/", views.article, name="article"),
    path("help/articles/<slug:slug>/feedback/", views.feedback, name="feedback"),
    path("help/contact-us/", views.contact_us, name="contact"),
    path("help/contact/", views.contact, name="menu"),
    path("help/contact/solved/", views.solved, name="solved"),
    path("help/contact/verify/<str:token>/", views.verify, name="verify"),
    path("help/contact/<str:code>/", views.contact_form, name="form"),
    path("help/manage/articles/", views_manage.articles, name="manage_articles"),
    path("help/manage/articles/new/", views_manage.article_new, name="manage_article_new"),
    path(
        "help/manage/articles/<str:language>/<slug:slug>/",
        views_manage.article_edit,
        name="manage_article",
    ),
    path("help/manage/taxonomy/", views_manage.taxonomy, name="manage_taxonomy"),
    path("help/manage/taxonomy/<str:code>/", views_manage.node_edit, name="manage_node"),
    path("help/manage/taxonomy/<str:code>/add/", views_manage.node_add, name="manage_node_add"),
    path(
        "help/manage/taxonomy/<str:code>/retire/",
        views_manage.node_retire_view,
        name="manage_node_retire",
    ),
]
