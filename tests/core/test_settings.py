"""Settings come only from the environment, and the README lists every one of them."""

import re
from pathlib import Path

import pytest

from core.settings import ROOT, Settings, SettingsError


def test_defaults_are_usable_for_development(tmp_path: Path) -> None:
    settings = Settings.from_env({"THINKTANK_VAR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'thinktank.db'}"
    assert settings.default_locale == "zh_TW" and settings.timezone == "Asia/Taipei"
    assert not settings.https
    # The generated development key is kept, so web and worker processes agree on it.
    assert Settings.from_env({"THINKTANK_VAR": str(tmp_path)}).secret_key == settings.secret_key
    assert len(settings.secret_key) >= 40


def test_bad_values_are_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MAX_BODY_BYTES"):
        Settings.from_env({"THINKTANK_VAR": str(tmp_path), "MAX_BODY_BYTES": "big"})
    with pytest.raises(SettingsError, match="THINKTANK_JOBS"):
        Settings.from_env({"THINKTANK_VAR": str(tmp_path), "THINKTANK_JOBS": "later"})


def test_the_readme_lists_every_setting() -> None:
    source = (ROOT / "core" / "settings.py").read_text()
    names = set(re.findall(r'env(?:\.get)?\(\s*"([A-Z_]+)"', source)) | set(
        re.findall(r'_(?:int|email)\(env, "([A-Z_]+)"', source)
    )
    names |= set(re.findall(r'env\["([A-Z_]+)"\]', source))
    assert {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "MEILI_URL", "OPERATOR_EMAIL"} <= names
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"
