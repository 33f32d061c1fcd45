"""Signature schemes checked against every test vector of the payments spec."""

from __future__ import annotations

import json

import httpx

from app.integrations.payments.base import signature_matches, token_hash_signature
from app.integrations.payments.cryptopay import CryptoPayClient
from app.integrations.payments.severpay import (
    SeverPayClient,
    canonical_request,
    hmac_hex,
    signed_request_body,
    webhook_signature_valid,
)
from app.integrations.payments.xrocket import XRocketPayClient

CP_TOKEN = "12345:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ"
CP_BODY = (
    b'{"update_id":1,"update_type":"invoice_paid","request_date":"2025-01-01T12:00:00.000Z",'
    b'"payload":{"invoice_id":42,"status":"paid","amount":"5.00","payload":"order-abc"}}'
)
CP_SIGNATURE = "2776fee5eddac9ff405d04173cb0b4ecf16e187811586f9d12c360677b834d91"
XR_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a"
XR_BODY = (
    b'{"type":"invoicePay","timestamp":"2025-01-01T12:00:00.000Z",'
    b'"data":{"id":77,"amount":2,"currency":"USDT","status":"paid","payload":"order-abc"}}'
)
XR_SIGNATURE = "f42cdc3e40fa6d79d763da7399de8f48881558f1b2fa6da96e3b8d7739013113"
SP_TOKEN = "041131a0906b08a5bebc1d4fdcc6d9"
SP_CANONICAL = (
    '{"amount":199.0,"client_email":"u1@telegram.org","client_id":"u1","currency":"RUB","lifetime":60,'
    '"mid":1,"order_id":"ord-1","salt":"00112233aabbccdd","url_return":"https://t.me/my_bot"}'
)
SP_REQUEST_SIGN = "ce96481607efb5d449c18fb976197328d3845a384e74d5959b4b48d7c554dcb2"
SP_WEBHOOK_DATA = '{"id":123456,"order_id":"ord-1","amount":199.0,"currency":"RUB","status":"success"}'
SP_WEBHOOK_A = "c34737f5ee5bb00ea2f4b971029d3d307cfd7792d2288675fcf979994d011429"
SP_WEBHOOK_C = "45cd89d76bb3a342ab661610e78c8b2c9334d5961b271989e7a0f1a5589961f5"
HTTP = httpx.AsyncClient()


class TestCryptoPaySignature:
    def test_spec_vector(self) -> None:
        assert token_hash_signature(CP_TOKEN, CP_BODY) == CP_SIGNATURE

    def test_client_verifies_the_header_case_insensitively(self) -> None:
        client = CryptoPayClient("https://testnet-pay.crypt.bot", CP_TOKEN, HTTP)
        headers = httpx.Headers({"Crypto-Pay-Api-Signature": CP_SIGNATURE.upper()})
        assert client.verify_webhook(CP_BODY, headers)

    def test_one_changed_byte_or_another_token_fails(self) -> None:
        client = CryptoPayClient("https://pay.crypt.bot", CP_TOKEN, HTTP)
        assert not client.verify_webhook(
            CP_BODY.replace(b"5.00", b"6.00"), {"crypto-pay-api-signature": CP_SIGNATURE}
        )
        other = CryptoPayClient("https://pay.crypt.bot", CP_TOKEN + "x", HTTP)
        assert not other.verify_webhook(CP_BODY, {"crypto-pay-api-signature": CP_SIGNATURE})
        assert not client.verify_webhook(CP_BODY, {})

    def test_reformatted_json_is_not_the_signed_body(self) -> None:
        pretty = json.dumps(json.loads(CP_BODY), indent=1).encode()
        client = CryptoPayClient("https://pay.crypt.bot", CP_TOKEN, HTTP)
        assert not client.verify_webhook(pretty, {"crypto-pay-api-signature": CP_SIGNATURE})


class TestXRocketSignature:
    def test_spec_vector(self) -> None:
        assert token_hash_signature(XR_KEY, XR_BODY) == XR_SIGNATURE
        client = XRocketPayClient("https://pay.xrocket.tg", XR_KEY, HTTP)
        assert client.verify_webhook(XR_BODY, {"rocket-pay-signature": XR_SIGNATURE})
        assert not client.verify_webhook(XR_BODY, {"crypto-pay-api-signature": XR_SIGNATURE})


class TestSeverPaySignature:
    def test_request_vector(self) -> None:
        params = json.loads(SP_CANONICAL)
        assert canonical_request(params) == SP_CANONICAL
        assert hmac_hex(SP_TOKEN, SP_CANONICAL) == SP_REQUEST_SIGN

    def test_request_body_sends_the_signed_bytes_with_sign_appended(self) -> None:
        params = json.loads(SP_CANONICAL)
        body = signed_request_body(dict(reversed(list(params.items()))), SP_TOKEN)
        assert body == (SP_CANONICAL[:-1] + f',"sign":"{SP_REQUEST_SIGN}"}}').encode()

    def test_webhook_vector_received_order(self) -> None:
        raw = f'{{"type":"payin","data":{SP_WEBHOOK_DATA},"salt":"a9f3c2d8e4b1","sign":"{SP_WEBHOOK_A}"}}'
        assert webhook_signature_valid(raw.encode(), SP_TOKEN)

    def test_webhook_vector_sorted_keys(self) -> None:
        raw = f'{{"type":"payin","data":{SP_WEBHOOK_DATA},"salt":"a9f3c2d8e4b1","sign":"{SP_WEBHOOK_C}"}}'
        assert webhook_signature_valid(raw.encode(), SP_TOKEN)

    def test_webhook_tampering_and_garbage_fail(self) -> None:
        raw = f'{{"type":"payin","data":{SP_WEBHOOK_DATA.replace("199.0", "1990.0")},"salt":"a9f3c2d8e4b1","sign":"{SP_WEBHOOK_A}"}}'
        assert not webhook_signature_valid(raw.encode(), SP_TOKEN)
        assert not webhook_signature_valid(b"not json", SP_TOKEN)
        assert not webhook_signature_valid(b'{"type":"payin","data":{}}', SP_TOKEN)
        assert not webhook_signature_valid(b'{"type":"payin","sign":5}', SP_TOKEN)
        client = SeverPayClient("https://severpay.io/api/merchant", 1, SP_TOKEN + "x", HTTP)
        good = f'{{"type":"payin","data":{SP_WEBHOOK_DATA},"salt":"a9f3c2d8e4b1","sign":"{SP_WEBHOOK_A}"}}'
        assert not client.verify_webhook(good.encode(), {})


def test_signature_compare_refuses_empty_and_non_hex() -> None:
    assert not signature_matches(CP_SIGNATURE, None)
    assert not signature_matches(CP_SIGNATURE, "")
    assert not signature_matches(CP_SIGNATURE, "ünïcode")
    assert signature_matches(CP_SIGNATURE, f"  {CP_SIGNATURE}\n")
