"""Who may do what by role: the one is_coordinator, and the decorator that declares a view's roles."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from training.accounts.models import Role
from training.core.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def is_coordinator(user: Any) -> bool:
    """Whether user (an account, anonymous, or None) runs courses and symposia; admins do too."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.COORDINATOR))


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let signed-in holders of roles (and admins) in; others get the login page or 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
