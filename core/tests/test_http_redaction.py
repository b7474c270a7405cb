"""Secrets never reach a message: every encoding of every secret (property tests over random
secrets), redaction before the cut, credentials in base URLs; client ids stay visible."""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklingo.errors import AuthenticationError, CarrierAPIError
from tracklingo.http import CarrierClient, OAuth2ClientCredentials, redact, safe_message

BASE = "https://api.demo.test"
CLIENT_ID = "visible-client-id-42"

#: Characters the fillers around a secret are made of; the generated secrets never contain them.
FILLERS = "!^|~"


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def _basic(secret: str) -> str:
    return base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode()


#: Every way a server was seen (or may be expected) to echo a credential back.
ENCODINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "url %20": lambda s: quote(s, safe=""),
    "url +": quote_plus,  # what a form body (the token request) carries
    "url %20 lower hex": lambda s: _lower_hex(quote(s, safe="")),
    "url + lower hex": lambda s: _lower_hex(quote_plus(s)),
    "url path-safe": quote,
    "url twice": lambda s: quote(quote(s, safe=""), safe=""),
    "json ascii": lambda s: json.dumps(s)[1:-1],
    "json utf-8": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "html": html.escape,
    "basic id:secret": _basic,
    "basic id:secret unpadded": lambda s: _basic(s).rstrip("="),
    "basic id:secret urlsafe": lambda s: base64.urlsafe_b64encode(f"{CLIENT_ID}:{s}".encode()).decode(),
}

secrets = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters=FILLERS),
    min_size=6,
    max_size=40,
)
fillers = st.text(alphabet=FILLERS + " ", max_size=30)


def oauth(secret: str) -> OAuth2ClientCredentials:
    return OAuth2ClientCredentials(
        carrier="demo-post", token_path="/oauth2/token", client_id=CLIENT_ID, client_secret=secret
    )


@settings(max_examples=400, deadline=None)
@given(secret=secrets, encoding=st.sampled_from(sorted(ENCODINGS)), before=fillers, after=fillers)
def test_every_encoding_of_a_random_secret_is_redacted(
    secret: str, encoding: str, before: str, after: str
) -> None:
    echoed = ENCODINGS[encoding](secret)
    out = redact(before + echoed + after, oauth(secret).secrets())
    assert out == " ".join((before + "***" + after).split())


@settings(max_examples=150, deadline=None)
@given(
    secret=secrets,
    encoding=st.sampled_from(sorted(ENCODINGS)),
    lead=st.integers(min_value=200, max_value=320),
    json_body=st.booleans(),
)
def test_a_token_error_echoing_the_secret_never_leaks_any_part_of_it(
    secret: str, encoding: str, lead: int, json_body: bool
) -> None:
    """The echo straddles the 300-character cut: redaction comes before cutting, so no start of
    the secret is left either."""
    said = "!" * lead + ENCODINGS[encoding](secret) + "^" * 50
    body: dict[str, Any] = {"json": {"error_description": said}} if json_body else {"text": said}
    router = respx.Router(base_url=BASE)
    router.post("/oauth2/token").respond(400, **body)

    class Demo(CarrierClient):
        carrier = "demo-post"

    with (
        Demo(base_url=BASE, auth=oauth(secret), transport=httpx.MockTransport(router.handler)) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.get_json("/track/A1", tracking_number="A1")
    message = str(info.value)
    prefix = "demo-post API error for A1 (HTTP 400): authentication failed: "
    assert message.startswith(prefix)
    assert re.fullmatch(r"!*\**\^*…?", message.removeprefix(prefix)), message


def test_redact_catches_a_form_echo_and_a_json_escape() -> None:
    secret = "a+b/c=d é"
    escaped, lower = json.dumps(secret)[1:-1], quote(secret, safe="").lower()
    body = f'client_secret={quote_plus(secret)}&x=1 "{escaped}" {lower}'
    assert redact(body, [secret]) == 'client_secret=***&x=1 "***" ***'


def test_client_ids_stay_visible_and_secrets_do_not(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "Zx9+/=secret value"
    router = respx.Router(base_url=BASE)
    router.post("/oauth2/token").respond(
        401,
        json={
            "error": "invalid_client",
            "error_description": f"client {CLIENT_ID} with {quote_plus(secret)}",
        },
    )

    class Demo(CarrierClient):
        carrier = "demo-post"

    with Demo(base_url=BASE, auth=oauth(secret), transport=httpx.MockTransport(router.handler)) as client:
        with pytest.raises(CarrierAPIError) as info:
            client.get_json("/track/A1", tracking_number="A1")
        texts = [str(info.value), repr(info.value), repr(client), caplog.text]
    assert f"client {CLIENT_ID} with ***" in str(info.value)  # the id is not a secret: it helps
    for text in texts:
        assert secret not in text and quote_plus(secret) not in text


def test_user_and_password_in_a_base_url_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = "https://deploy:pa%2Bss-w0rd@sandbox.demo.test/base"
    router = respx.Router()
    router.route(host="sandbox.demo.test").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(500, text="bad pa+ss-w0rd")]
    )

    class Demo(CarrierClient):
        carrier = "demo-post"

    with Demo(
        base_url=url, max_attempts=2, sleep=lambda s: None, transport=httpx.MockTransport(router.handler)
    ) as client:
        with pytest.raises(CarrierAPIError) as info:
            client.get_json("/track/A1", tracking_number="A1")
        reach = str(info.value)
        shown = [reach, repr(client), caplog.text]
    with Demo(base_url=url, max_attempts=1, transport=httpx.MockTransport(router.handler)) as client:
        router.route(host="sandbox.demo.test").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(CarrierAPIError) as unreachable:
            client.get_json("/track/A1", tracking_number="A1")
    shown.append(str(unreachable.value))
    assert "could not reach https://sandbox.demo.test/base" in str(unreachable.value)
    assert "bad ***" in reach
    for text in shown:
        assert "deploy:" not in text and "pa%2Bss" not in text and "pa+ss" not in text


def test_safe_message_cuts_after_redacting() -> None:
    secret = "S3CRET-VALUE-123"
    text = "x" * 295 + secret + "y" * 100
    out = safe_message(text, [secret])
    assert "S3CRE" not in out and out.startswith("x" * 295 + "***")
    assert len(out) <= 300 and out.endswith("…")
    cut_first = (text[:300]).replace(secret, "***")  # what cutting first would show
    assert "S3CRE" in cut_first
