"""The navigation bar: each feature registers its entries and the roles that see them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from flask import Flask, current_app
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy gettext string, translated when shown
    roles: tuple[Enum, ...] | None = None  # None: everyone; (): any signed-in person
    order: int = 50


def add_nav_item(
    app: Flask, endpoint: str, label: object, roles: tuple[Enum, ...] | None = None, order: int = 50
) -> None:
    """Show a link to endpoint in the navigation bar for the given roles."""
    items: list[NavItem] = app.extensions.setdefault("training_nav", [])
    items.append(NavItem(endpoint, label, roles, order))
    items.sort(key=lambda item: item.order)


def visible_nav_items() -> list[NavItem]:
    """The entries the current visitor may follow."""
    items: list[NavItem] = current_app.extensions.get("training_nav", [])
    shown = []
    for item in items:
        if item.roles is None:
            shown.append(item)
        elif current_user.is_authenticated and (not item.roles or current_user.has_role(*item.roles)):
            shown.append(item)
    return shown
