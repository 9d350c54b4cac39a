"""Secrets Manager: RotateSecret on a secret RDS manages changes the master password, on the server too.

A secret RDS manages (tag ``aws:secretsmanager:owningService=rds``, ``rds!db-<uuid>``) rotates by managed rotation,
without a Lambda function ("Managed rotation for AWS Secrets Manager secrets",
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_managed.html; "Rotating the master user
password", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html): RotateSecret (or RDS's
ModifyDBInstance ``RotateMasterUserPassword``) sets a new password on the DB instance and makes it ``AWSCURRENT``;
the former value stays readable as ``AWSPREVIOUS``. moto would leave an ``AWSCURRENT`` version with no value at all.
Here the instance's real PostgreSQL server (patches/rds.py) gets the new password first, then the secret changes,
so a client reading ``AWSCURRENT`` after the call always logs in. Other secrets rotate as moto rotates them.
"""

from __future__ import annotations

import functools
import json
import time

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


def apply() -> None:
    original = SecretsManagerBackend.rotate_secret
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def rotate_secret(self, secret_id, *args, **kwargs):
        secret = self.secrets.get(secret_id) if self._is_valid_identifier(secret_id) else None
        instance_arn = rds_instance_of(secret) if secret is not None and not secret.is_deleted() else None
        if instance_arn is None:
            return original(self, secret_id, *args, **kwargs)
        return _rotate_managed(self, secret, instance_arn)

    setattr(rotate_secret, _MARK, True)
    SecretsManagerBackend.rotate_secret = rotate_secret
