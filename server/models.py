"""Every model, imported in one place so Alembic and create_app see the whole schema."""

from .codes.models import CodeRevocation, ServiceCode, SigningKeyRecord
from .core.audit import AuditEvent
from .sites.models import Site
from .users.models import AdminUser

__all__ = ["AdminUser", "AuditEvent", "CodeRevocation", "ServiceCode", "SigningKeyRecord", "Site"]
