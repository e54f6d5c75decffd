"""Configuration: where it is found, what it may say, and the message for each mistake."""

from __future__ import annotations

import pytest

from conftest import ALWAYS_ON
from droplint.config import DEFAULT_BANDS, ConfigError, find_config_file, load


def test_nearest_pyproject_with_a_droplint_table_upwards(tmp_path, write):
    write("pyproject.toml", '[tool.droplint]\nignore = ["DL301"]\n')
    write("sub/pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.droplint]: passed over
    nested = write("sub/deeper/net.py", ALWAYS_ON)
    assert find_config_file(nested) == (tmp_path / "pyproject.toml").resolve()


def test_droplint_toml_is_found_and_wins_in_its_folder(tmp_path, write):
    write("pyproject.toml", '[tool.droplint]\nignore = ["DL301"]\n')
    write("droplint.toml", 'select = ["DL2"]\n')
    config = load(start=tmp_path)
    assert config.select == ("DL2",)
    assert config.root == tmp_path.resolve()


def test_defaults_without_a_file(tmp_path):
    config = load(start=tmp_path)
    assert config.select is None and config.bands == DEFAULT_BANDS


def test_bands_and_tf_version(tmp_path, write):
    write("droplint.toml", "tf-version = 1\n[bands]\nhidden = [0.2, 0.6]\n")
    config = load(start=tmp_path)
    assert config.bands["hidden"] == (0.2, 0.6)
    assert config.bands["input"] == DEFAULT_BANDS["input"]
    assert config.tf_version == 1


def test_roots_are_folders_relative_to_the_config_file(tmp_path, write):
    write("sub/droplint.toml", 'roots = ["lib", "../shared"]\n')
    write("sub/lib/ns/m.py", "")
    write("shared/x.py", "")
    config = load(start=tmp_path / "sub")
    assert config.roots == ((tmp_path / "sub" / "lib").resolve(), (tmp_path / "shared").resolve())
    # Shown by --show-settings; and roots change module names, so they change cached results.
    from droplint.report import settings

    assert f'roots = ["{(tmp_path / "sub" / "lib").resolve()}", ' in settings.render(config)
    assert config.fingerprint() != load(start=tmp_path).fingerprint()


@pytest.mark.parametrize(
    "text,message",
    [
        ("selekt = ['DL1']\n", "unknown key 'selekt'"),
        ("select = 'DL1'\n", "'select' must be a list of strings"),
        ("select = ['DL999']\n", "'select' names unknown rule code 'DL999'"),
        ("[bands]\ninput = [0.5, 0.1]\n", "'bands.input' must be [low, high]"),
        ("[bands]\noutput = [0.1, 0.2]\n", "unknown key 'bands.output'"),
        ("tf-version = 3\n", "'tf-version' must be 1 or 2"),
        ("per-file-ignores = ['x']\n", "'per-file-ignores' must be a table"),
        ("select = [\n", "droplint.toml:2:1: invalid TOML"),
        ("roots = 'lib'\n", "'roots' must be a list of strings"),
        ("roots = ['no/such/folder']\n", "'roots' names 'no/such/folder', which is not a folder"),
    ],
)
def test_bad_configuration_exits_two_and_names_the_key(droplint, write, text, message):
    write("droplint.toml", text)
    write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "droplint.toml" in result.stderr


def test_explicit_config_file(droplint, write):
    write("ci/droplint.toml", 'ignore = ["DL301"]\n')
    write("net.py", ALWAYS_ON)
    assert droplint("check", "net.py", "--no-cache", "--config", "ci/droplint.toml").exit_code == 0


def test_explicit_config_file_that_does_not_exist(droplint, write):
    write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--config", "missing.toml")
    assert result.exit_code == 2
    assert "missing.toml" in result.stderr


def test_config_error_is_an_exception_with_the_message(tmp_path, write):
    write("droplint.toml", "bands = 3\n")
    with pytest.raises(ConfigError, match="'bands' must be a table"):
        load(start=tmp_path)
