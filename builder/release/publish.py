"""`publish DIR --repo-id ORG/NAME`: verify, upload every file in one commit on the head we
expect, then tag it `v<version>`. `--dry-run` lists what would happen and touches nothing.

The token comes from `HF_TOKEN` or the huggingface_hub login; it never appears in output.
"""

from __future__ import annotations

import os
from pathlib import Path

from builder.errors import BuilderError, PublishError
from builder.output.manifest import read_manifest, sha256_path
from builder.release.repo_id import check_repo_id
from builder.release.verify import verify


def _files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def _token() -> str | None:
    token = os.environ.get("HF_TOKEN")
    if token:
        return token
    from huggingface_hub import get_token  # noqa: PLC0415

    return get_token()


class _Redact:
    def __init__(self, token: str | None):
        self.token = token

    def __call__(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text


def _explain(err: Exception, step: str, endpoint: str, redact: _Redact) -> PublishError:
    response = getattr(err, "response", None)
    status = getattr(response, "status_code", None)
    first = redact(str(err).splitlines()[0] if str(err) else type(err).__name__)
    if status in (401, 403):
        return PublishError(f"{step}: permission denied (HTTP {status}); check the token "
                            "(HF_TOKEN or `hf auth login`) and its write access")
    if status in (409, 412):
        return PublishError(f"{step}: the repo changed meanwhile (HTTP {status}: {first}); "
                            "nothing was tagged, publish again on top of the new head")
    if status is not None:
        return PublishError(f"{step}: the Hub answered HTTP {status}: {first}")
    return PublishError(f"{step}: cannot reach the Hub at {endpoint} ({first})")


def publish(root: Path, repo_id: str, *, dry_run: bool = False, private: bool = False) -> list[str]:
    check_repo_id(repo_id)
    root = Path(root)
    try:
        verify(root)
    except BuilderError as err:
        raise PublishError(f"verify failed, nothing published: {err}") from None
    manifest = read_manifest(root)
    name, version = manifest["dataset"]["name"], manifest["dataset"]["version"]
    tag = f"v{version}"
    message = f"{name} {tag}\n\n{manifest['signature']}"
    files = _files(root)
    lines = [f"{'would upload' if dry_run else 'uploading'} {len(files)} files to dataset "
             f"{repo_id} in one commit:"]
    for f in files:
        lines.append(f"  {f.relative_to(root).as_posix()}  {f.stat().st_size} bytes  "
                     f"sha256 {sha256_path(f)[:16]}")
    lines.append(f"commit message: {name} {tag}")
    lines.append(f"tag: {tag} (message: {manifest['signature']})")
    if dry_run:
        lines.append("dry run: nothing was sent")
        return lines

    from huggingface_hub import CommitOperationAdd, HfApi  # noqa: PLC0415

    token = _token()
    if not token:
        raise PublishError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
    redact = _Redact(token)
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    api = HfApi(endpoint=endpoint, token=token)
    step = "create repo"
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        step = "read tags"
        refs = api.list_repo_refs(repo_id, repo_type="dataset")
        if any(t.name == tag for t in refs.tags):
            raise PublishError(f"{repo_id}: tag {tag} exists already; bump the version to publish")
        step = "read head"
        head = api.repo_info(repo_id, repo_type="dataset").sha
        step = "commit"
        operations = [
            CommitOperationAdd(path_in_repo=f.relative_to(root).as_posix(), path_or_fileobj=str(f))
            for f in files
        ]
        commit = api.create_commit(repo_id, operations, commit_message=f"{name} {tag}",
                                   commit_description=manifest["signature"], repo_type="dataset",
                                   parent_commit=head)
        step = "tag"
        api.create_tag(repo_id, tag=tag, tag_message=message, revision=commit.oid,
                       repo_type="dataset")
    except PublishError:
        raise
    except Exception as err:  # noqa: BLE001 - every Hub failure is one line, exit 5
        raise _explain(err, step, endpoint, redact) from None
    lines.append(f"published {repo_id}@{commit.oid[:12]} and tagged {tag}")
    lines.append(f'load it with: datasets.load_dataset("{repo_id}", revision="{tag}")')
    return [redact(line) for line in lines]
