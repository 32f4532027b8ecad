"""Drives test/integration/bootstrap-moto.test.ts against a private moto_server.

Reads JSON on stdin: endpoint, bucket, objects {name: [key, "public"|"custody"]},
roles {name: {trust, permissions}} (policy JSON with the placeholders KEY_PUBLIC_ARN,
KEY_CUSTODY_ARN and OIDC_PROVIDER_ARN). While moto's unauthenticated budget lasts
(INITIAL_NO_AUTH_ACTION_COUNT) it creates the keys, the bucket, the state objects
(SSE-KMS, each with its own key) and the roles with the synthesized policies, and
assumes each role; then it turns IAM enforcement on (/moto-api/reset-auth 0) and tries
each access with each role's session. Prints JSON: {role: {probe: "ok" | error code}}.
"""
import json
import sys
import urllib.request

import boto3
from botocore.exceptions import ClientError

spec = json.load(sys.stdin)
endpoint = spec["endpoint"]
region = spec["region"]


def client(service, creds=None):
    extra = {}
    if creds is not None:
        extra = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
    return boto3.client(service, endpoint_url=endpoint, region_name=region, **extra)


kms, s3, iam, sts = client("kms"), client("s3"), client("iam"), client("sts")
keys = {}
for which in ("public", "custody"):
    key = kms.create_key(Description=f"state key: {which}")["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/test-{which}", TargetKeyId=key["KeyId"])
    keys[which] = key["Arn"]
ciphertexts = {w: kms.encrypt(KeyId=keys[w], Plaintext=b"data key")["CiphertextBlob"] for w in keys}

s3.create_bucket(Bucket=spec["bucket"], CreateBucketConfiguration={"LocationConstraint": region})
for key, which in spec["objects"].values():
    s3.put_object(Bucket=spec["bucket"], Key=key, Body=b'{"version": 4}', ServerSideEncryption="aws:kms", SSEKMSKeyId=keys[which])

provider = iam.create_open_id_connect_provider(
    Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"]
)["OpenIDConnectProviderArn"]


def fill(text):
    return text.replace("KEY_PUBLIC_ARN", keys["public"]).replace("KEY_CUSTODY_ARN", keys["custody"]).replace("OIDC_PROVIDER_ARN", provider)


sessions = {}
for name, role in spec["roles"].items():
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=fill(role["trust"]))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="pipeline", PolicyDocument=fill(role["permissions"]))
    sessions[name] = sts.assume_role_with_web_identity(RoleArn=arn, RoleSessionName=f"test-{name}", WebIdentityToken="not-checked-by-moto")["Credentials"]

# From here on every request is authorized against the caller's IAM policies.
# (text/plain: moto reads the raw body, which a form content type would hide from it)
reset = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"})
urllib.request.urlopen(reset).read()


def attempt(fn):
    try:
        fn()
        return "ok"
    except ClientError as e:
        error = e.response["Error"]
        code, message = error.get("Code", ""), error.get("Message", "")
        # moto answers a refused KMS (JSON protocol) call with HTTP 403 and an XML body
        # botocore cannot parse, so the code is "403"; the message still says why.
        if code == "403" and e.response["ResponseMetadata"]["HTTPStatusCode"] == 403 and "AccessDenied" in message:
            return "AccessDenied"
        return f"{code}: {message}" if code not in ("AccessDenied", "AccessDeniedException") else "AccessDenied"


results = {}
for name, creds in sessions.items():
    rs3, rkms = client("s3", creds), client("kms", creds)
    probes = {}
    for probe, (key, _) in spec["objects"].items():
        probes[f"GetObject {probe}"] = attempt(lambda key=key: rs3.get_object(Bucket=spec["bucket"], Key=key)["Body"].read())
        probes[f"PutObject {probe}.tflock"] = attempt(lambda key=key: rs3.put_object(Bucket=spec["bucket"], Key=f"{key}.tflock", Body=b"{}"))
    for which in keys:
        probes[f"Decrypt {which} key"] = attempt(lambda which=which: rkms.decrypt(CiphertextBlob=ciphertexts[which], KeyId=keys[which]))
    # Nothing grants it: proves enforcement is on for this session.
    probes["ListBuckets"] = attempt(lambda: rs3.list_buckets())
    results[name] = probes
print(json.dumps(results))
