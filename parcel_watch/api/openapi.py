"""The OpenAPI 3.1 document, made from the route list and the pydantic models' JSON Schema
(3.1 speaks JSON Schema 2020-12, which pydantic writes), so it is never kept by hand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from parcel_watch import __version__
from parcel_watch.api.routing import MAX_ID, Route
from parcel_watch.api.schemas import ErrorResponse

REF = "#/components/schemas/{model}"
_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad parameters or body",
    401: "No token, or not a valid one",
    403: "The token's scope does not allow this",
    404: "Not found",
    408: "The body was not received within the read deadline",
    409: "Conflict with the current state",
    413: "The body is larger than the limit",
    422: "Not a valid tracking number",
}


class _Schemas:
    """Components collected while the operations are written."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        schema = self._take(model.model_json_schema(ref_template=REF, mode=mode))
        name = schema.get("title", model.__name__).replace("[", "_").replace("]", "_")
        self.components[name] = schema
        return {"$ref": REF.format(model=name)}

    def properties(self, model: type[BaseModel]) -> tuple[dict[str, Any], set[str]]:
        schema = self._take(model.model_json_schema(ref_template=REF, mode="validation"))
        return schema.get("properties", {}), set(schema.get("required", ()))

    def _take(self, schema: dict[str, Any]) -> dict[str, Any]:
        self.components.update(schema.pop("$defs", {}))
        return schema


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(route: Route, schemas: _Schemas, error: dict[str, Any]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        }
        for name in route.path_params
    ]
    if route.query is not None:
        properties, required = schemas.properties(route.query)
        for name, schema in properties.items():
            param: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
            param["schema"] = schema
            if "description" in schema:
                param["description"] = schema["description"]
            if schema.get("type") == "array":
                param |= {"style": "form", "explode": True}
            params.append(param)
    success = schemas.ref(route.response, "serialization")
    responses: dict[str, Any] = {
        str(route.status): {"description": _REASONS[route.status], "content": _json(success)}
    }
    body_errors = (408, 413) if route.body is not None else ()  # request_body's limits
    for status in dict.fromkeys((400, 401, 403, *body_errors, *route.errors)):
        schema = success if status < 400 else error
        responses[str(status)] = {"description": _REASONS[status], "content": _json(schema)}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": params,
        "responses": responses,
        "security": [{"bearer": [route.scope.value]}],
    }
    if route.description:
        operation["description"] = route.description
    if route.body is not None:
        operation["requestBody"] = {"required": True, "content": _json(schemas.ref(route.body, "validation"))}
    return operation


def document(routes: Iterable[Route]) -> dict[str, Any]:
    schemas = _Schemas()
    error = schemas.ref(ErrorResponse, "serialization")
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas, error)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "parcel-watch",
            "version": __version__,
            "description": "Shipments, their events, anomalies, claims and the carrier report. "
            "Every call needs 'Authorization: Bearer <token>' (parcel-watch token create); "
            "read tokens may only GET.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
