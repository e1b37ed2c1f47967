"""Object stores: the local file store and the S3 backend (boto3 with botocore's Stubber)."""

from __future__ import annotations

import io
import stat
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from records.storage import LocalFileStore, ObjectNotFound, S3Store


def test_local_store_round_trip_and_permissions(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    key = uuid.uuid4().hex
    store.put(key, b"sealed bytes")
    assert store.get(key) == b"sealed bytes"
    path = tmp_path / "files" / key[:2] / key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(store.keys()) == [key]
    store.delete(key)
    store.delete(key)  # idempotent
    with pytest.raises(ObjectNotFound):
        store.get(key)
    with pytest.raises(ValueError):
        store.put("../../etc/passwd", b"x")


def test_s3_store_with_stubbed_client() -> None:
    client = boto3.client("s3", region_name="ap-south-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    store = S3Store("saathi-records", prefix="records/", client=client)
    key = uuid.uuid4().hex
    full = f"records/{key}"
    with Stubber(client) as stub:
        stub.add_response("put_object", {}, {"Bucket": "saathi-records", "Key": full, "Body": b"ct",
                                             "ContentType": "application/octet-stream"})
        stub.add_response("get_object", {"Body": StreamingBody(io.BytesIO(b"ct"), 2)},
                          {"Bucket": "saathi-records", "Key": full})
        stub.add_response("list_objects_v2", {"Contents": [{"Key": full}], "IsTruncated": False},
                          {"Bucket": "saathi-records", "Prefix": "records/"})
        stub.add_response("delete_object", {}, {"Bucket": "saathi-records", "Key": full})
        stub.add_client_error("get_object", "NoSuchKey", http_status_code=404,
                              expected_params={"Bucket": "saathi-records", "Key": full})
        store.put(key, b"ct")
        assert store.get(key) == b"ct"
        assert list(store.keys()) == [key]
        store.delete(key)
        with pytest.raises(ObjectNotFound):
            store.get(key)
        stub.assert_no_pending_responses()
