"""The carrier performance report (``views.carrier_report``), as the CLI's ``--json`` gives it."""

from __future__ import annotations

from parcel_watch.api import schemas as s
from parcel_watch.api.routing import Call, Route
from parcel_watch.views.carrier_report import By, carrier_report


async def carrier_performance(call: Call) -> s.Report:
    q: s.ReportQuery = call.query
    report = await carrier_report(call.store, By(q.by), q.since)
    return s.Report.model_validate(report.to_dict())


ROUTES = (
    Route(
        "GET",
        "/api/report/carriers",
        carrier_performance,
        "Carrier performance: on-time rates with intervals, transit, lag, stalls, exceptions, claims",
        s.Report,
        "report",
        query=s.ReportQuery,
    ),
)
