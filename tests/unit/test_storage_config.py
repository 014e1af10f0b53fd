"""S3 settings from environment variables and a mounted Secret directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from simfarm.errors import InputError
from simfarm.storage import S3Config, StorageConfigError

MINIMAL = {"AWS_ENDPOINT_URL": "http://minio.store:9000", "AWS_ACCESS_KEY_ID": "ak", "AWS_SECRET_ACCESS_KEY": "sk"}


def test_aws_style_names() -> None:
    config = S3Config.from_environ({**MINIMAL, "AWS_REGION": "eu-west-3", "AWS_SESSION_TOKEN": "tok"})
    assert (config.endpoint, config.secure) == ("minio.store:9000", False)
    assert (config.access_key, config.secret_key) == ("ak", "sk")
    assert (config.region, config.session_token) == ("eu-west-3", "tok")


def test_minio_style_names_with_a_bare_endpoint() -> None:
    environ = {"MINIO_ENDPOINT": "minio.store:9000", "MINIO_ACCESS_KEY": "mk", "MINIO_SECRET_KEY": "ms"}
    config = S3Config.from_environ(environ)
    assert (config.endpoint, config.secure) == ("minio.store:9000", True)
    assert (config.access_key, config.secret_key) == ("mk", "ms")
    assert config.region == "us-east-1"
    assert S3Config.from_environ({**environ, "MINIO_SECURE": "false"}).secure is False


def test_https_endpoint_means_tls() -> None:
    assert S3Config.from_environ({**MINIMAL, "AWS_ENDPOINT_URL": "https://s3.example.org"}).secure is True


def test_secret_dir_files_win_over_the_environment(tmp_path: Path) -> None:
    (tmp_path / "MINIO_ROOT_USER").write_text("from-secret\n")
    (tmp_path / "MINIO_ROOT_PASSWORD").write_text("secret-password\n")
    (tmp_path / "AWS_ACCESS_KEY_ID").write_text("file-key")
    config = S3Config.from_environ({**MINIMAL, "SIMFARM_S3_SECRET_DIR": str(tmp_path)})
    assert config.access_key == "file-key"  # AWS_ACCESS_KEY_ID file beats the env value "ak"
    assert config.secret_key == "sk"  # AWS_SECRET_ACCESS_KEY (env) comes before MINIO_ROOT_PASSWORD
    only_secret = S3Config.from_environ({"MINIO_ENDPOINT": "http://m:9000", "SIMFARM_S3_SECRET_DIR": str(tmp_path)})
    assert only_secret.secret_key == "secret-password"


def test_secrets_stay_out_of_repr() -> None:
    config = S3Config.from_environ({**MINIMAL, "AWS_SESSION_TOKEN": "tok"})
    assert "sk" not in repr(config).replace("access_key", "") and "tok" not in repr(config)


def test_part_size() -> None:
    assert S3Config.from_environ({**MINIMAL, "SIMFARM_S3_PART_SIZE": str(8 << 20)}).part_size == 8 << 20


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"AWS_ENDPOINT_URL": ""}, "no S3 endpoint configured"),
        ({"AWS_SECRET_ACCESS_KEY": ""}, "credentials incomplete"),
        ({"AWS_ENDPOINT_URL": "ftp://minio:21"}, "malformed S3 endpoint"),
        ({"AWS_ENDPOINT_URL": "http://minio:9000/bucket"}, "only scheme, host and port"),
        ({"AWS_ENDPOINT_URL": "http://minio:port"}, "malformed S3 endpoint"),
        ({"AWS_ENDPOINT_URL": "minio:9000", "MINIO_SECURE": "maybe"}, "not true or false"),
        ({"SIMFARM_S3_PART_SIZE": "1024"}, "must be between"),
        ({"SIMFARM_S3_PART_SIZE": "16M"}, "not a number of bytes"),
        ({"SIMFARM_S3_SECRET_DIR": "/nonexistent/simfarm-secret"}, "is not a directory"),
    ],
)
def test_bad_configuration_is_an_input_error(changes: dict[str, str], complaint: str) -> None:
    with pytest.raises(StorageConfigError, match=complaint) as raised:
        S3Config.from_environ({**MINIMAL, **changes})
    assert isinstance(raised.value, InputError)
