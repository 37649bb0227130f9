"""The REST API at /api/v1/: one NinjaAPI, one router per app."""

from ninja.security import django_auth

from accounts.api import router as accounts_router
from accounts.services import api_token_authenticate
from aid.api import router as aid_router
from audit.api import router as audit_router
from benefits.api import router as benefits_router
from benefits.api_batches import router as batches_router
from campaigns.api import router as campaigns_router
from care.api import router as care_router
from cases.api import router as cases_router
from cockpit.api import router as cockpit_router
from core.api import Api, ObjectParser, TokenAuth, install_error_handlers
from core.export_api import router as exports_router
from martyrs.api import router as martyrs_router
from petitions.api import router as petitions_router
from points.api import router as points_router
from regions.api import router as regions_router
from veterans.api import router as veterans_router
from workflow.api import router as workflow_router

api = Api(
    title="老兵e家 API",
    version="1",
    description="Veteran e-Home REST API. Authenticate with POST /api/v1/auth/token, "
    "then send 'Authorization: Bearer <token>'. Every list is scoped to the caller's region.",
    # A script sends a bearer token; a page of this site signs in with its session (and CSRF).
    auth=[TokenAuth(api_token_authenticate), django_auth],
    urls_namespace="api",
    parser=ObjectParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/auth", accounts_router)
api.add_router("/", regions_router)
api.add_router("/audit", audit_router)
api.add_router("/", veterans_router)
api.add_router("/", workflow_router)
api.add_router("/", petitions_router)
api.add_router("/", cases_router)
api.add_router("/", benefits_router)
api.add_router("/", batches_router)
api.add_router("/", points_router)
api.add_router("/", aid_router)
api.add_router("/", care_router)
api.add_router("/", martyrs_router)
api.add_router("/", campaigns_router)
api.add_router("/", exports_router)
api.add_router("/", cockpit_router)
api.add_router("/", "portal.api.router")
api.add_router("/", "cockpit.report_api.router")
