"""Create, edit, close and reopen a warehouse (仓库): one set of screens for two audiences.

Suppliers run their own warehouses from the portal (``fulfillment.portal``); operators run every
warehouse, the platform's shared ones (统仓共配) included, from the console
(``console.warehouses``). Both blueprints keep their own routes, roles and endpoint names and
call a ``WarehouseViews`` that says how their audience differs: who may run the warehouse, the
page the form sits in and where the browser goes after a change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import redirect, render_template

from fulfillment import actions
from fulfillment.forms import WarehouseForm
from fulfillment.models import Warehouse
from yipin.accounts.forms import EmptyForm
from yipin.accounts.permissions import actor, load
from yipin.db import db
from yipin.i18n import _
from yipin.views import run_action


@dataclass(frozen=True)
class WarehouseViews:
    template: str  # the form page, inside the audience's layout
    section: str  # the navigation entry the pages highlight
    runners: Callable[[], list[tuple[Any, str]]]  # the choices for "Run by"
    after_change: Callable[[Warehouse], str]  # where a save, close or reopen leads

    def form(self, warehouse: Warehouse | None = None) -> WarehouseForm:
        form = WarehouseForm(obj=warehouse)
        form.supplier_id.choices = self.runners()
        return form

    def new(self) -> Any:
        form = self.form()
        if form.validate_on_submit():
            response = run_action(
                lambda: actions.create_warehouse(db.session, actor(), form.draft()),
                done=lambda warehouse: _("Warehouse %(code)s created.", code=warehouse.code),
                to=self.after_change,
                form=form,
            )
            if response is not None:
                return response
        return self._page(form, None)

    def edit(self, warehouse_id: int) -> Any:
        warehouse = load(Warehouse, warehouse_id, change=True)
        form = self.form(warehouse)
        if form.validate_on_submit():
            response = run_action(
                lambda: actions.update_warehouse(db.session, actor(), warehouse.id, form.draft()),
                done=lambda saved: _("Warehouse %(code)s saved.", code=saved.code),
                to=self.after_change,
                form=form,
            )
            if response is not None:
                return response
        return self._page(form, warehouse)

    def toggle(self, warehouse_id: int) -> Any:
        """Close an open warehouse or reopen a closed one."""
        warehouse = load(Warehouse, warehouse_id, change=True)
        back = self.after_change(warehouse)
        if not EmptyForm().validate_on_submit():
            return redirect(back)
        return run_action(
            lambda: actions.set_warehouse_active(
                db.session, actor(), warehouse.id, not warehouse.is_active
            ),
            done=lambda changed: (
                _("Warehouse %(code)s reopened.", code=changed.code)
                if changed.is_active
                else _("Warehouse %(code)s closed.", code=changed.code)
            ),
            to=back,
        )

    def _page(self, form: WarehouseForm, warehouse: Warehouse | None) -> Any:
        return render_template(
            self.template, section=self.section, form=form, warehouse=warehouse
        ), (422 if form.errors else 200)
