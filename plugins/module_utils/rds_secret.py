# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ModifyDBInstance call turns an instance's master password into the one RDS manages (pure).

API_ModifyDBInstance.html: ``ManageMasterUserPassword=true`` makes RDS generate the password and keep it in a
Secrets Manager secret; ``MasterUserSecretKmsKeyId`` picks the secret's key, and only when turning it on ("If the DB
instance already manages the master user password in AWS Secrets Manager, you can't change the KMS key used to
encrypt the secret"); turning it off needs a ``MasterUserPassword``.
"""

from __future__ import annotations


def managed(instance):
    """The instance's managed secret (``MasterUserSecret``: SecretArn, SecretStatus, KmsKeyId), or None."""
    return instance.get("MasterUserSecret") or None


def same_key(current, wanted):
    """Whether KMS key ``wanted`` (ARN, key id or alias as given) is ``current`` (the ARN RDS reports)."""
    if not wanted or not current:
        return True  # no wish, or nothing known to compare with
    return current == wanted or current.endswith(f"/{wanted}") or current.endswith(f":{wanted}")


def plan(instance, manage, kms_key_id=None, password_given=False):
    """``(params, error)``: the ModifyDBInstance parameters to send (None when nothing changes), or why not."""
    secret = managed(instance)
    identifier = instance["DBInstanceIdentifier"]
    if manage:
        if secret is None:
            params = {"DBInstanceIdentifier": identifier, "ManageMasterUserPassword": True, "ApplyImmediately": True}
            if kms_key_id:
                params["MasterUserSecretKmsKeyId"] = kms_key_id
            return params, None
        if not same_key(secret.get("KmsKeyId"), kms_key_id):
            return None, (
                f"master_user_secret_kms_key_id: the secret of DB instance {identifier} is encrypted with "
                f"{secret.get('KmsKeyId')}; RDS cannot change the key of a managed secret (turn management off and on)"
            )
        return None, None
    if secret is None:
        return None, None
    if not password_given:
        return None, "master_user_password: required to turn off manage_master_user_password (RDS needs a new password)"
    params = {"DBInstanceIdentifier": identifier, "ManageMasterUserPassword": False, "ApplyImmediately": True}
    return params, None
