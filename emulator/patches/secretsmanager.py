"""Secrets Manager: RotateSecret on a secret RDS manages changes the master password, on the server too.

A secret RDS manages (tag ``aws:secretsmanager:owningService=rds``, ``rds!db-<uuid>``) rotates by managed rotation,
without a Lambda function ("Managed rotation for AWS Secrets Manager secrets",
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_managed.html; "Rotating the master user
password", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html): RotateSecret (or RDS's
ModifyDBInstance ``RotateMasterUserPassword``) sets a new password on the DB instance and makes it ``AWSCURRENT``;
the former value stays readable as ``AWSPREVIOUS``. moto would leave an ``AWSCURRENT`` version with no value at all.
Here the instance's real PostgreSQL server (patches/rds.py) gets the new password first, then the secret changes,
so a client reading ``AWSCURRENT`` after the call always logs in. Other secrets rotate as moto rotates them.

A secret another service manages is changed or deleted through that service only ("AWS Secrets Manager secrets
managed by other AWS services", https://docs.aws.amazon.com/secretsmanager/latest/userguide/service-linked-secrets.html;
InvalidRequestException, API reference: "The secret is managed by another service, and you must use that service to
update it"): PutSecretValue, UpdateSecret and DeleteSecret on it are refused, while RDS itself (DeleteDBInstance,
ModifyDBInstance ``ManageMasterUserPassword=false``) still deletes it. moto allowed all three.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import time

from moto.rds.models import MasterUserSecret
from moto.secretsmanager.exceptions import InvalidRequestException
from moto.secretsmanager.models import SecretsManagerBackend

from emulator.patches import rds

_MARK = "_emulator_secretsmanager"
OWNER_TAG = "aws:secretsmanager:owningService"
INSTANCE_TAG = "aws:rds:primaryDBInstanceArn"


def _tag(secret, key: str) -> str | None:
    return next((tag["Value"] for tag in secret.tags or [] if tag.get("Key") == key), None)


def rds_instance_of(secret) -> str | None:
    """The ARN of the DB instance whose master password ``secret`` is, if RDS manages it."""
    if _tag(secret, OWNER_TAG) != "rds":
        return None
    return _tag(secret, INSTANCE_TAG)


def _rotate_managed(backend: SecretsManagerBackend, secret, instance_arn: str) -> dict:
    current = json.loads(rds.current_secret_string(secret))
    fresh = dict(current, password=rds.new_password())
    rds.set_master_password(instance_arn, fresh["password"])
    backend._add_secret(  # moves AWSCURRENT to the new version, the former one to AWSPREVIOUS
        secret.name,
        secret_string=json.dumps(fresh),
        description=secret.description,
        tags=secret.tags,
        kms_key_id=secret.kms_key_id,
        version_stages=["AWSCURRENT"],
    )
    secret.rotation_enabled = True
    secret.last_rotation_date = int(time.time())
    return secret.to_short_dict(version_id=secret.default_version_id)


# Set while the owning service (RDS) changes its own secret: the refusals below are for everyone else.
_OWNER_CALL = contextvars.ContextVar("secretsmanager_owner_call", default=False)


@contextlib.contextmanager
def _as_owning_service():
    token = _OWNER_CALL.set(True)
    try:
        yield
    finally:
        _OWNER_CALL.reset(token)


def _owning_service(backend: SecretsManagerBackend, secret_id: str) -> str | None:
    secret = backend.secrets.get(secret_id) if backend._is_valid_identifier(secret_id) else None
    return _tag(secret, OWNER_TAG) if secret is not None else None


def _refuse_unless_owner(method):
    @functools.wraps(method)
    def guarded(self, secret_id, *args, **kwargs):
        owner = _owning_service(self, secret_id)
        if owner and not _OWNER_CALL.get():
            raise InvalidRequestException(
                f"You can't modify secret {secret_id} because it is managed by {owner}: use {owner} to change it."
            )
        return method(self, secret_id, *args, **kwargs)

    return guarded


def _refusals() -> None:
    for name in ("put_secret_value", "update_secret", "delete_secret"):
        setattr(SecretsManagerBackend, name, _refuse_unless_owner(getattr(SecretsManagerBackend, name)))
    owner_delete = MasterUserSecret.delete_secret

    @functools.wraps(owner_delete)
    def delete_secret(self):
        with _as_owning_service():
            return owner_delete(self)

    MasterUserSecret.delete_secret = delete_secret


def apply() -> None:
    original = SecretsManagerBackend.rotate_secret
    if getattr(original, _MARK, False):
        return
    _refusals()

    @functools.wraps(original)
    def rotate_secret(self, secret_id, *args, **kwargs):
        secret = self.secrets.get(secret_id) if self._is_valid_identifier(secret_id) else None
        instance_arn = rds_instance_of(secret) if secret is not None and not secret.is_deleted() else None
        if instance_arn is None:
            return original(self, secret_id, *args, **kwargs)
        return _rotate_managed(self, secret, instance_arn)

    setattr(rotate_secret, _MARK, True)
    SecretsManagerBackend.rotate_secret = rotate_secret
