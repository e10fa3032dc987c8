"""The catalogue's forms: a product with its price list (one row per currency), a category."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.core.regions import Currency
from crm.products.inputs import CategoryInput, PriceInput, ProductInput
from crm.products.models import Product
from crm.web.inputs import form_field

PRICE_ROWS = 4


class ProductForm(forms.Form):
    code = form_field(ProductInput, "code", label=_("产品编号"))
    name = form_field(ProductInput, "name", label=_("产品名称"))
    category = forms.TypedChoiceField(label=_("类别"), coerce=int, required=False, empty_value=None)
    specification = form_field(ProductInput, "specification", label=_("规格型号"))
    unit = form_field(ProductInput, "unit", label=_("单位"), initial="件")
    device_class = form_field(ProductInput, "device_class", label=_("医疗器械类别"))
    device_code = form_field(ProductInput, "device_code", label=_("分类编码"))
    description = form_field(ProductInput, "description", label=_("说明"))
    active = forms.BooleanField(label=_("在售"), required=False, initial=True)

    def __init__(self, *args: Any, categories: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *((c.pk, c.name) for c in categories)]  # type: ignore[attr-defined]
        for n in range(PRICE_ROWS):
            self.fields[f"currency_{n}"] = form_field(
                PriceInput, "currency", label=_("币种"), required=False
            )
            self.fields[f"currency_{n}"].choices = [("", "—"), *Currency.choices]  # type: ignore[attr-defined]
            self.fields[f"price_{n}"] = form_field(PriceInput, "price", label=_("单价"))

    def price_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"currency_{n}"], self[f"price_{n}"]) for n in range(PRICE_ROWS)]

    def service_data(self) -> dict[str, Any]:
        data = {
            k: v for k, v in self.cleaned_data.items() if not k.startswith(("currency_", "price_"))
        }
        data["prices"] = [
            {
                "currency": self.cleaned_data[f"currency_{n}"],
                "price": self.cleaned_data[f"price_{n}"],
            }
            for n in range(PRICE_ROWS)
            if self.cleaned_data.get(f"currency_{n}")
            and self.cleaned_data.get(f"price_{n}") is not None
        ]
        return data

    @staticmethod
    def initial_of(product: Product) -> dict[str, Any]:
        initial: dict[str, Any] = {
            f: getattr(product, f)
            for f in (
                "code",
                "name",
                "specification",
                "unit",
                "device_class",
                "device_code",
                "description",
                "active",
            )
        }
        initial["category"] = product.category_id
        for n, price in enumerate(product.prices.all()[:PRICE_ROWS]):  # type: ignore[attr-defined]
            initial[f"currency_{n}"] = price.currency
            initial[f"price_{n}"] = price.price
        return initial


class CategoryForm(forms.Form):
    name = form_field(CategoryInput, "name", label=_("类别名称"))
    sort = form_field(CategoryInput, "sort", label=_("顺序"), initial=0)
