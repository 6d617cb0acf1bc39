"""The web console at `/`: a Chinese application for HR officers, source agencies and
administrators, rendered on the server (Jinja2) with a little progressive enhancement.

It is an edge like the GraphQL view: it calls the same services with the signed-in person's
actor (hub.users), so one access policy, one audit trail and one set of rules serve both."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from hub.console import (
    admin,
    archive,
    checking,
    dashboard,
    oversight,
    queues,
    reports,
    screening,
    signin,
)

__all__ = ["routes"]

_GET, _POST, _BOTH = ["GET"], ["POST"], ["GET", "POST"]


def routes() -> list[BaseRoute]:
    return [
        Route("/", dashboard.dashboard, methods=_GET),
        Route("/login", signin.login, methods=_BOTH),
        Route("/logout", signin.logout, methods=_POST),
        Route("/password", signin.password, methods=_BOTH),
        Route("/check", checking.check_page, methods=_BOTH),
        Route("/report/{check_id}", reports.report, methods=_GET),
        Route("/verify", reports.verify, methods=_BOTH, name="verify"),
        Route("/batch", screening.batch_page, methods=_BOTH),
        Route("/batch/template.xlsx", screening.template, methods=_GET),
        Route("/batch/{job_id}", screening.job_page, methods=_GET),
        Route("/batch/{job_id}/progress", screening.job_progress, methods=_GET),
        Route("/batch/{job_id}/result.xlsx", screening.job_result, methods=_GET),
        Route("/archive", archive.archive_page, methods=_GET),
        Route("/objections", queues.objections_page, methods=_GET),
        Route("/objections/file", queues.file_objection_page, methods=_POST),
        Route("/objections/{objection_id:int}/resolve", queues.resolve_objection, methods=_POST),
        Route("/repairs", queues.repairs_page, methods=_GET),
        Route("/repairs/apply", queues.apply_repair_page, methods=_POST),
        Route("/repairs/{application_id:int}/decide", queues.decide_repair_page, methods=_POST),
        Route("/evaluation", oversight.evaluation_page, methods=_GET),
        Route("/evaluation.xlsx", oversight.evaluation_workbook_page, methods=_GET),
        Route("/evaluation/value", oversight.enter_value_page, methods=_POST),
        Route("/evaluation/publish", oversight.publish_page, methods=_POST),
        Route("/warnings", oversight.warnings_page, methods=_GET),
        Route(
            "/warnings/{warning_id:int}/{step:str}",
            oversight.handle_warning_page,
            methods=_POST,
        ),
        Route("/commitments", oversight.commitments_page, methods=_GET),
        Route("/commitments", oversight.record_commitment_page, methods=_POST),
        Route(
            "/commitments/{commitment_id:int}/fulfil",
            oversight.fulfil_commitment_page,
            methods=_POST,
        ),
        Route("/clues", oversight.clues_page, methods=_GET),
        Route("/clues", oversight.report_clue_page, methods=_POST),
        Route("/clues/{clue_id:int}/decide", oversight.decide_clue_page, methods=_POST),
        Route("/admin", admin.admin_page, methods=_GET),
        Route("/admin/users", admin.add_user_page, methods=_POST),
        Route("/admin/users/{login}/disable", admin.disable_user_page, methods=_POST),
        Route("/admin/users/{login}/roles", admin.set_roles_page, methods=_POST),
        Route("/admin/clients", admin.add_client_page, methods=_POST),
        Route("/admin/clients/{client_id}/revoke", admin.revoke_client_page, methods=_POST),
        Mount("/static", StaticFiles(packages=[("hub.console", "static")]), name="static"),
    ]
