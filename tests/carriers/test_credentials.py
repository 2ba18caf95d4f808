from __future__ import annotations

from carriers.credentials import load


def test_credentials_come_from_env_then_config_and_never_show() -> None:
    env = {"PARCEL_WATCH_FEDEX_CLIENT_ID": "id-1", "PARCEL_WATCH_FEDEX_CLIENT_SECRET": "very-secret"}
    creds = load(
        "fedex", env=env, config={"fedex": {"client_id": "ignored", "base_url": "http://127.0.0.1:9"}}
    )
    assert (creds.client_id, creds.base_url, creds.usable) == ("id-1", "http://127.0.0.1:9", True)
    assert creds.client_secret is not None and creds.client_secret.get_secret_value() == "very-secret"
    assert "very-secret" not in repr(creds) and "very-secret" not in str(creds)
    assert not load("ups", env={}).usable
    assert load("17track", env={"PARCEL_WATCH_17TRACK_API_KEY": "k"}).usable


def test_every_adapter_says_which_credentials_it_needs_and_a_complete_set_passes() -> None:
    from carriers import ADAPTERS
    from carriers.credentials import REQUIRED, env_name, problem

    assert set(REQUIRED) == set(ADAPTERS)
    for slug, fields in REQUIRED.items():
        value = {"api_key": "user:password"}
        env = {env_name(slug, f): value.get(f, "x") for f in fields}
        assert problem(load(slug, env=env)) is None, slug
        partial = dict(list(env.items())[:-1])
        message = problem(load(slug, env=partial))
        assert message is not None and env_name(slug, fields[-1]) in message
