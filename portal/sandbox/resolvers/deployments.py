"""The Helium CLI's deployment queries: an upload key, the deployment job and its status."""

from __future__ import annotations

import re
import uuid

from .. import deployments
from ..store import now
from .common import BadInput, NotFound, ctx, query

NICKNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")


def _nickname(nickname: str) -> str:
    nickname = nickname.strip()
    if not NICKNAME.fullmatch(nickname):
        raise BadInput("nickname must be the instance's nickname: letters, digits, '.', '_', '-'.")
    return nickname


@query.field("HeliumLaunchData")
def resolve_helium_launch_data(_obj, info, nickname):
    nickname = _nickname(nickname)
    key = f"helium/{nickname}/{uuid.uuid4()}.tgz"
    ctx(info).store.insert("helium_deployments", key=key, nickname=nickname, created_at=now())
    return {"key": key, "signedUrl": deployments.signed_url(key)}


@query.field("HeliumBatch")
def resolve_helium_batch(_obj, info, key, nickname):
    store = ctx(info).store
    row = store.one(
        "SELECT * FROM helium_deployments WHERE key = ? AND nickname = ?",
        key,
        _nickname(nickname),
    )
    if row is None:
        raise NotFound("No deployment of this instance has this key.")
    if row["uploaded_at"] is None:
        raise BadInput("Nothing was uploaded for this key: PUT the archive to its signedUrl.")
    job = row["job_id"] or str(uuid.uuid4())
    store.execute("UPDATE helium_deployments SET job_id = ? WHERE key = ?", job, key)
    return job


@query.field("HeliumDeploymentStatus")
def resolve_helium_deployment_status(
    _obj, info, jobId, key=None, atomsScriptHash=None, atomsStyleHash=None
):
    """AWS Batch's words, as the CLI reads them: SUCCEEDED once the archive arrived whole."""
    store = ctx(info).store
    row = store.one("SELECT * FROM helium_deployments WHERE job_id = ?", str(jobId))
    if row is None or (key is not None and key != row["key"]):
        raise NotFound("No deployment job with this id.")
    store.execute(
        "UPDATE helium_deployments SET atoms_script_hash = ?, atoms_style_hash = ? "
        "WHERE key = ?",
        atomsScriptHash,
        atomsStyleHash,
        row["key"],
    )
    return "SUCCEEDED" if row["size"] else "FAILED"
