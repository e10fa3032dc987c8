from django.urls import path

from . import views

urlpatterns = [
    path("", views.ProductListView.as_view(), name="product_list"),
    path("new/", views.ProductNewView.as_view(), name="product_new"),
    path("categories/", views.CategoryView.as_view(), name="product_categories"),
    path("<id:product_id>/edit/", views.ProductEditView.as_view(), name="product_edit"),
]
