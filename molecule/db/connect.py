"""Connect to a DB instance as its master user with the password RDS keeps in Secrets Manager, over TLS that verifies
the server's certificate, and print what the server answers (never the password).

Usage: connect.py <db instance identifier> (AWS_ENDPOINT_URL, keys and region from the environment)."""

import json
import sys

import boto3
import psycopg

from emulator.dataplane import balancers


def main(identifier):
    rds = boto3.client("rds")
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    secret_arn = instance["MasterUserSecret"]["SecretArn"]
    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    with psycopg.connect(
        host=instance["Endpoint"]["Address"],
        port=instance["Endpoint"]["Port"],
        dbname=instance["DBName"],
        user=secret["username"],
        password=secret["password"],
        sslmode="verify-full",
        # the CA file the emulator wrote (reading it here must not generate another CA, as postgres.ca_file() would)
        sslrootcert=str(balancers.ca_file()),
        connect_timeout=10,
    ) as conn:
        user, database, ssl = conn.execute(
            "SELECT current_user, current_database(), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).fetchone()
    print(json.dumps({"user": user, "database": database, "ssl": ssl}))


if __name__ == "__main__":
    main(sys.argv[1])
