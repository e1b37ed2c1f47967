"""Object storage for document files. The service seals files *before* they reach a store, so a
store (local disk, S3 bucket, their backups) only ever holds ciphertext under random keys.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_KEY = re.compile(r"^[0-9a-f]{32}$")


class ObjectNotFound(KeyError):
    pass


def _check_key(key: str) -> str:
    if not _KEY.match(key):  # keys are uuid4 hex: no path tricks, no names
        raise ValueError("object keys are 32 lowercase hex characters")
    return key


class ObjectStore(ABC):
    @abstractmethod
    def put(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def get(self, key: str) -> bytes: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; no error if it is already gone."""

    @abstractmethod
    def keys(self) -> Iterator[str]: ...


class LocalFileStore(ObjectStore):
    """The embedded default: ``<root>/<k[:2]>/<k>``, directories 0700 and files 0600."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / _check_key(key)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        for path in self.root.glob("*/*"):
            if _KEY.match(path.name):
                yield path.name


class S3Store(ObjectStore):
    """Any S3-compatible bucket (AWS, MinIO, Ceph) through boto3."""

    def __init__(self, bucket: str, *, prefix: str = "records/", client: Any = None,
                 endpoint_url: str | None = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint_url or None)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + _check_key(key), Body=data,
                               ContentType="application/octet-stream")

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _check_key(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise ObjectNotFound(key) from exc
        return response["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + _check_key(key))

    def keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):]


def store_from_settings(settings: Any) -> ObjectStore:
    if settings.s3_bucket:
        return S3Store(settings.s3_bucket, prefix=settings.s3_prefix,
                       endpoint_url=settings.s3_endpoint_url or None)
    return LocalFileStore(settings.effective_records_dir)
