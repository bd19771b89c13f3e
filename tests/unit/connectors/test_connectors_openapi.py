"""schemas/openapi.json, the push endpoint's OpenAPI document, agrees with the code and is served."""

from __future__ import annotations

import asyncio
import json

from aiohttp.test_utils import TestClient, TestServer

from connectors.formats import loose, ninjs
from connectors.http_push import CONTENT_TYPES, create_app
from pipeline.contracts.schemas import schema_dir

DOC = json.loads((schema_dir() / "openapi.json").read_text(encoding="utf-8"))
SCHEMAS = DOC["components"]["schemas"]


def test_the_document_lists_exactly_the_names_the_loose_reader_accepts() -> None:
    shape = SCHEMAS["LooseArticle"]
    assert shape["x-wirestream-fields"] == {k: list(v) for k, v in loose.FIELDS.items()}
    assert shape["x-wirestream-html-body-fields"] == list(loose.HTML_BODY_FIELDS)
    names = {n for names in loose.FIELDS.values() for n in names} | set(loose.HTML_BODY_FIELDS)
    assert set(shape["properties"]) == names
    required = {r["required"][0] for r in shape["anyOf"]}
    assert required == set(loose.FIELDS["body"]) | set(loose.HTML_BODY_FIELDS)


def test_the_document_names_ninjs_keys_envelopes_and_content_types_as_the_code_does() -> None:
    assert set(SCHEMAS["NinjsItem"]["x-wirestream-ninjs-keys"]) == ninjs.NINJS_KEYS
    assert set(SCHEMAS["NinjsItem"]["x-wirestream-ninjs-types"]) == ninjs.NINJS_TYPES
    assert SCHEMAS["Envelope"]["x-wirestream-envelope-keys"] == list(loose.ENVELOPES)
    assert SCHEMAS["Envelope"]["x-wirestream-wrapper-keys"] == list(loose.WRAPPERS)
    post = DOC["paths"]["/v1/articles"]["post"]
    assert set(post["requestBody"]["content"]) == set(CONTENT_TYPES)
    assert {"202", "400", "413", "415", "422", "503"} <= set(post["responses"])


def test_the_examples_in_the_document_are_accepted() -> None:
    from connectors.formats import parse_bytes

    examples = DOC["paths"]["/v1/articles"]["post"]["requestBody"]["content"]["application/json"]
    for name, example in examples["examples"].items():
        results = parse_bytes(json.dumps(example["value"]).encode(), "json", source="s")
        assert results and all(r.ok for r in results), (name, results)


def test_get_openapi_json_serves_the_document_without_a_token(producer) -> None:
    async def refuse(request) -> None:
        from aiohttp import web

        raise web.HTTPUnauthorized(reason="token required")

    async def main() -> tuple[int, dict, int]:
        app = create_app(producer, authorize=refuse)
        async with TestClient(TestServer(app)) as client:
            response = await client.get("/openapi.json")
            push = await client.post("/v1/articles", data=b"{}")
            return response.status, await response.json(), push.status

    status, body, push_status = asyncio.run(main())
    assert status == 200 and body == DOC
    assert push_status == 401  # the document is public, pushing is not


def test_the_warning_codes_in_the_document_are_those_the_connectors_write() -> None:
    import re
    from pathlib import Path

    import connectors

    source = "\n".join(p.read_text() for p in Path(connectors.__file__).parent.rglob("*.py"))
    written = set(re.findall(r'warning\(\s*"([a-z_]+)"', source))
    accepted = DOC["paths"]["/v1/articles"]["post"]["responses"]["202"]["content"]
    warnings = accepted["application/json"]["schema"]["properties"]["warnings"]
    assert set(warnings["x-wirestream-warning-codes"]) == written
