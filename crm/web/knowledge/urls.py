from django.urls import path

from . import views

urlpatterns = [
    path("", views.KnowledgeListView.as_view(), name="knowledge_list"),
    path("new/", views.KnowledgeEditView.as_view(), name="knowledge_new"),
    path("categories/", views.KnowledgeCategoriesView.as_view(), name="knowledge_categories"),
    path("<id:article_id>/", views.KnowledgeDetailView.as_view(), name="knowledge_detail"),
    path("<id:article_id>/edit/", views.KnowledgeEditView.as_view(), name="knowledge_edit"),
]
