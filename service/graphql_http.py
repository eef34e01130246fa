"""GraphQL over HTTP: our own view in front of graphql-core (strawberry builds the schema).

Why not strawberry's ASGI view: it parses and validates before it knows who is asking or
how big the request is, and its validation expands fragments. Here the cheap refusals come
first, in this order, each a typed error with a stable ``extensions.code``:

1. body size (before reading it; anonymous callers get a far lower cap), strict JSON;
2. parse with a token cap (graphql-core ``max_lexical_tokens``);
3. mutations from anonymous callers, and mutations over GET;
4. our linear limits (depth, cost, aliases, repeated keys: ``schema.limits``), then
   graphql-core's standard validation — parse + validation cached by document text;
5. input limits on every argument and variable (``schema.inputs``);
6. ``schema.fastpath`` for what it answers (browsing a cached framework version), else
   ``graphql.execute`` with the per-request context; unexpected errors are logged with their
   traceback (no query text, no variables) and masked.

Responses follow the GraphQL-over-HTTP spec: ``application/graphql-response+json`` with its
status codes when the client accepts it, ``application/json`` (200 for well-formed requests)
otherwise.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute,
    parse,
    specified_rules,
    validate,
)
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from schema.errors import STORE_UNAVAILABLE, error_code
from schema.fastpath import FastPath, FastPlan
from schema.inputs import InputPlan, plan_inputs
from schema.limits import QueryLimits, check_limits

__all__ = ["GRAPHQL_RESPONSE", "GraphQLView", "HttpLimits"]

log = logging.getLogger("competency_graph.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
RETRY_AFTER = "2"


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """What one request may send (see the CG_MAX_* settings)."""

    max_body: int = 4 * 1024 * 1024
    max_body_anonymous: int = 32 * 1024
    max_tokens: int = 50_000
    max_tokens_anonymous: int = 2_000
    cache_size: int = 256
    cache_max_chars: int = 20_000  # larger documents are parsed each time, not kept


class RequestFailed(Exception):
    """A request refused before execution: its HTTP status (for graphql-response+json)."""

    def __init__(self, status: int, code: str, message: str, *,
                 json_status: int = 200, headers: dict[str, str] | None = None,
                 errors: list[GraphQLError] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.json_status = json_status  # application/json: 200 for a well-formed request
        self.headers = headers or {}
        self.errors = errors or [GraphQLError(message, extensions={"code": code})]


@dataclass
class _Prepared:
    """A parsed, checked document: kept in the cache by its text."""

    document: DocumentNode | None
    errors: list[GraphQLError]
    plans: dict[str | None, InputPlan] = field(default_factory=dict)
    fast: dict[str | None, FastPlan | None] = field(default_factory=dict)


def _parse_error_code(message: str) -> str:
    if "tokens" in message or "comments" in message or "code points" in message:
        return "TOO_MANY_TOKENS"
    if "nested too deeply" in message:
        return "QUERY_TOO_DEEP"
    return "GRAPHQL_PARSE_FAILED"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _decode_json(raw: bytes) -> Any:
    """Strict: UTF-8 only, no NaN/Infinity, bounded nesting; any failure is a 400."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
        raise RequestFailed(400, "INVALID_JSON", f"the request body is {reason}",
                            json_status=400) from None


def _accepts(request: Request) -> str | None:
    """The media type to answer with, or ``None`` when the client accepts neither."""
    accept = request.headers.get("accept")
    if not accept:
        return JSON
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media == GRAPHQL_RESPONSE:
            chosen = GRAPHQL_RESPONSE
        elif media in {JSON, "application/*", "*/*"}:
            chosen = JSON
        else:
            continue
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, position, chosen)
    return best[2] if best else None


class GraphQLView:
    """The ``/graphql`` endpoint."""

    def __init__(self, schema: GraphQLSchema, *, limits: QueryLimits, http: HttpLimits,
                 context: Callable[[Request], Any], executor_class: Any = None,
                 graphiql: Callable[[Request], Any] | None = None,
                 on_error_code: Callable[[str], None] | None = None,
                 fast_path: FastPath | None = None,
                 on_execution: Callable[[str], None] | None = None) -> None:
        self.schema = schema
        self.fast_path = fast_path
        self.on_execution = on_execution or (lambda _path: None)
        self.limits = limits
        self.http = http
        self.context = context
        self.executor_class = executor_class
        self.graphiql = graphiql
        self.on_error_code = on_error_code or (lambda _code: None)
        self._cache: OrderedDict[tuple[str, int], _Prepared] = OrderedDict()

    async def __call__(self, request: Request) -> Response:
        media = _accepts(request)
        try:
            if request.method == "GET" and self.graphiql is not None and (
                    "query" not in request.query_params
                    and "text/html" in request.headers.get("accept", "")):
                return await self.graphiql(request)
            if media is None:
                raise RequestFailed(406, "NOT_ACCEPTABLE", f"accept {GRAPHQL_RESPONSE} or "
                                    f"{JSON}", json_status=406)
            principal = self.context_principal(request)
            anonymous = principal is None or principal.role.value == "anonymous"
            params = await self._params(request, anonymous)
            return await self._run(request, params, anonymous, media)
        except RequestFailed as failure:
            for error in failure.errors:
                self.on_error_code(str((error.extensions or {}).get("code", "")))
            status = failure.status if media == GRAPHQL_RESPONSE else failure.json_status
            return self._respond({"errors": [e.formatted for e in failure.errors]}, status,
                                 media or JSON, failure.headers)

    @staticmethod
    def context_principal(request: Request) -> Any:
        return getattr(request.user, "principal", None) if "user" in request.scope else None

    async def _params(self, request: Request, anonymous: bool) -> dict[str, Any]:
        if request.method == "GET":
            query = request.query_params
            params: dict[str, Any] = {"query": query.get("query"),
                                      "operationName": query.get("operationName")}
            for name in ("variables", "extensions"):
                if query.get(name):
                    params[name] = _decode_json(query[name].encode())
            return self._check_params(params)
        if request.method != "POST":
            raise RequestFailed(405, "METHOD_NOT_ALLOWED", "use GET or POST", json_status=405,
                                headers={"Allow": "GET, POST"})
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise RequestFailed(415, "UNSUPPORTED_MEDIA_TYPE",
                                "send the request as application/json", json_status=415)
        body = await self._body(request, self.http.max_body_anonymous if anonymous
                                else self.http.max_body)
        params = _decode_json(body)
        if not isinstance(params, dict):
            raise RequestFailed(400, "INVALID_REQUEST", "the request body must be a JSON "
                                "object with a query", json_status=400)
        return self._check_params(params)

    @staticmethod
    def _check_params(params: dict[str, Any]) -> dict[str, Any]:
        query, name = params.get("query"), params.get("operationName")
        variables, extensions = params.get("variables"), params.get("extensions")
        problem = None
        if not isinstance(query, str) or not query.strip():
            problem = "a query (a non-empty string) is required"
        elif name is not None and not isinstance(name, str):
            problem = "operationName must be a string"
        elif variables is not None and not isinstance(variables, dict):
            problem = "variables must be an object"
        elif extensions is not None and not isinstance(extensions, dict):
            problem = "extensions must be an object"
        if problem:
            raise RequestFailed(400, "INVALID_REQUEST", problem, json_status=400)
        return params

    async def _body(self, request: Request, cap: int) -> bytes:
        declared = request.headers.get("content-length")
        too_large = RequestFailed(413, "BODY_TOO_LARGE", f"the request body exceeds {cap} "
                                  "bytes" + (" (send a token for larger requests)"
                                             if cap == self.http.max_body_anonymous else ""),
                                  json_status=413)
        if declared is not None and declared.isdigit() and int(declared) > cap:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > cap:
                    raise too_large
                chunks.append(chunk)
        except ClientDisconnect:
            raise RequestFailed(400, "CLIENT_DISCONNECTED", "the body was cut off",
                                json_status=400) from None
        return b"".join(chunks)

    def prepare(self, query: str, max_tokens: int) -> _Prepared:
        """Parse, limit-check and validate ``query`` (cached by its text and token cap)."""
        key = (query, max_tokens)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        prepared = self._prepare(query, max_tokens)
        if len(query) <= self.http.cache_max_chars:
            self._cache[key] = prepared
            if len(self._cache) > self.http.cache_size:
                self._cache.popitem(last=False)
        return prepared

    def _prepare(self, query: str, max_tokens: int) -> _Prepared:
        try:
            document = parse(query, max_lexical_tokens=max_tokens, max_comments=max_tokens,
                             max_source_length=self.http.max_body)
        except GraphQLError as syntax:
            syntax.extensions = {"code": _parse_error_code(syntax.message)}
            return _Prepared(None, [syntax])
        try:
            errors = check_limits(self.schema, document, self.limits)
        except RecursionError:
            errors = [GraphQLError("the document nests too deeply",
                                   extensions={"code": "QUERY_TOO_DEEP"})]
        if not errors:
            errors = validate(self.schema, document, specified_rules, max_errors=20)
            for invalid in errors:
                if not invalid.extensions:
                    invalid.extensions = {"code": "GRAPHQL_VALIDATION_FAILED"}
        return _Prepared(document, errors)

    @staticmethod
    def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if name is not None:
            operations = [o for o in operations if o.name and o.name.value == name]
            if not operations:
                raise RequestFailed(400, "OPERATION_NOT_FOUND", f"no operation named {name!r}")
        if len(operations) != 1:
            raise RequestFailed(400, "OPERATION_NAME_REQUIRED", "the document holds several "
                                "operations: name the one to run in operationName")
        return operations[0]

    async def _run(self, request: Request, params: dict[str, Any], anonymous: bool,
                   media: str) -> Response:
        prepared = self.prepare(params["query"], self.http.max_tokens_anonymous if anonymous
                                else self.http.max_tokens)
        if prepared.document is None:
            raise RequestFailed(400, "", "", errors=prepared.errors)
        name = params.get("operationName")
        operation = self._operation(prepared.document, name)
        kind = operation.operation.value
        if kind != "query" and request.method == "GET":
            raise RequestFailed(405, "METHOD_NOT_ALLOWED", f"a {kind} needs POST",
                                json_status=405, headers={"Allow": "POST"})
        if kind == "mutation" and anonymous:
            raise RequestFailed(403, "FORBIDDEN", "mutations need a token")
        if prepared.errors:
            raise RequestFailed(400, "", "", errors=prepared.errors)
        plan = prepared.plans.get(name)
        if plan is None:
            plan = prepared.plans[name] = plan_inputs(self.schema, prepared.document, operation)
        variables = params.get("variables")
        input_errors = plan.check(variables)
        if input_errors:
            raise RequestFailed(400, "", "", errors=input_errors)
        context = self.context(request)
        fast = None
        if self.fast_path is not None:
            if name not in prepared.fast:
                prepared.fast[name] = self.fast_path.plan(prepared.document, operation)
            if (fast_plan := prepared.fast[name]) is not None:
                fast = await fast_plan.run(context, variables)
            self.on_execution("declined" if fast_plan is None
                              else "gave_up" if fast is None else "fast")
        result = fast if fast is not None else execute(
            self.schema, prepared.document, context_value=context, variable_values=variables,
            operation_name=name, executor_class=self.executor_class)
        if not isinstance(result, ExecutionResult):
            result = await result
        return self._result(result, media)

    def _result(self, result: ExecutionResult, media: str) -> Response:
        body: dict[str, Any] = {}
        status, headers = 200, {}
        if result.errors:
            formatted = []
            for raised in result.errors:
                code = error_code(raised)
                shown = raised
                if code is None:
                    log.error("unexpected error", exc_info=raised.original_error,
                              extra={"path": raised.path})
                    code = "INTERNAL_ERROR"
                    shown = GraphQLError("Unexpected error.", raised.nodes, path=raised.path,
                                         extensions={"code": code})
                elif code == STORE_UNAVAILABLE:
                    status, headers = 503, {"Retry-After": RETRY_AFTER}
                    shown = GraphQLError("the graph store is unavailable for a moment: retry",
                                         raised.nodes, path=raised.path,
                                         extensions={"code": code})
                else:
                    if not _executed(result) and not (raised.extensions or {}).get("code"):
                        code = "INVALID_VARIABLES"  # coercion: a request error
                    if (raised.extensions or {}).get("code") != code:
                        shown = GraphQLError(raised.message, raised.nodes, path=raised.path,
                                             extensions={**(raised.extensions or {}),
                                                         "code": code})
                    log.info("graphql error", extra={"code": code})
                self.on_error_code(code)
                formatted.append(shown.formatted)
            body["errors"] = formatted
        if (result.data is None and status == 200 and media == GRAPHQL_RESPONSE
                and not _executed(result)):
            status = 400  # variables could not be coerced: a request error
        body["data"] = result.data
        if result.data is None and not _executed(result):
            del body["data"]
        return self._respond(body, status, media, headers)

    @staticmethod
    def _respond(body: dict[str, Any], status: int, media: str,
                 headers: dict[str, str] | None = None) -> Response:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        return Response(content, status_code=status, headers=headers,
                        media_type=f"{media}; charset=utf-8")


def _executed(result: ExecutionResult) -> bool:
    """Execution began (errors have a path) rather than stopping at variable coercion."""
    return result.data is not None or any(e.path for e in result.errors or ())
