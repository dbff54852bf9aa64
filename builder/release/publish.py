"""`publish DIR --repo-id ORG/NAME`: verify, then upload exactly the manifest and the regular
files it lists in one commit on the head we expect (removing files of older releases that
this build does not list), then tag it `v<version>`. `--dry-run` lists what would happen and
touches nothing.

Files are opened once, without following links, and their bytes checked against the
manifest before they are sent. A publish whose commit landed but whose tag did not can be
run again: when the head already holds exactly these files, only the tag is added.

The token comes from `HF_TOKEN` or the huggingface_hub login; it never appears in output.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path
from typing import BinaryIO

from builder.digests import blocks, sha256_blocks
from builder.errors import BuilderError, PublishError, VerifyError
from builder.output.layout import CARD_FILE, MANIFEST_FILE
from builder.release.dataset_files import open_inside
from builder.release.repo_id import check_repo_id
from builder.release.verify import verify_folder

KEEP_REMOTE = frozenset({".gitattributes"})  # the Hub's own file, never ours to delete


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
    if status in (409, 412) and step == "commit":
        return PublishError(f"{step}: the repo changed meanwhile (HTTP {status}: {first}); "
                            "nothing was tagged, publish again on top of the new head")
    if status is not None:
        return PublishError(f"{step}: the Hub answered HTTP {status}: {first}")
    return PublishError(f"{step}: cannot reach the Hub at {endpoint} ({first})")


class _Upload:
    """The files to send, open and checked: path in repo -> (file, sha256, git blob id, size)."""

    def __init__(self, root: Path, manifest: dict, manifest_sha256: str):
        self.files: dict[str, BinaryIO] = {}
        self.sha256: dict[str, str] = {}
        self.blob: dict[str, str] = {}
        self.size: dict[str, int] = {}
        expected = {o["path"]: o["sha256"] for o in manifest["outputs"]}
        expected[MANIFEST_FILE] = manifest_sha256
        try:
            for rel in sorted(expected):
                f = open_inside(root, rel)
                self.files[rel] = f
                self._hash(rel, f)
                if self.sha256[rel] != expected[rel]:
                    raise PublishError(f"{root / rel}: changed after verify; nothing published")
        except OSError as err:
            self.close()
            raise PublishError(f"{root}: {err}; nothing published") from err
        except BaseException:
            self.close()
            raise

    def replace(self, rel: str, data: bytes) -> None:
        """Send `data` under `rel` instead of the file (the card as published)."""
        self.files[rel].close()
        self.files[rel] = io.BytesIO(data)
        self._hash(rel, self.files[rel])

    def _hash(self, rel: str, f: BinaryIO) -> None:
        size = f.getbuffer().nbytes if isinstance(f, io.BytesIO) else os.fstat(f.fileno()).st_size
        blob = hashlib.sha1(f"blob {size}\0".encode())  # git's blob id, from the same reads
        sha256 = sha256_blocks(blocks(f), blob)
        f.seek(0)
        self.sha256[rel], self.blob[rel], self.size[rel] = sha256, blob.hexdigest(), size

    def matches(self, remote: dict[str, object]) -> bool:
        """Whether a remote tree (path -> RepoFile) holds exactly these files."""
        theirs = {p: f for p, f in remote.items() if p not in KEEP_REMOTE}
        if set(theirs) != set(self.files):
            return False
        for path, info in theirs.items():
            lfs = getattr(info, "lfs", None)
            same = lfs.sha256 == self.sha256[path] if lfs else info.blob_id == self.blob[path]
            if not same:
                return False
        return True

    def close(self) -> None:
        for f in self.files.values():
            with contextlib.suppress(OSError):
                f.close()


def publish(root: Path, repo_id: str, *, dry_run: bool = False, private: bool = False) -> list[str]:
    check_repo_id(repo_id)
    root = Path(root)
    try:
        verified = verify_folder(root)
    except BuilderError as err:
        # exit 1, as `verify` itself: 5 says the Hub refused or could not be reached
        raise VerifyError(f"verify failed, nothing published: {err}") from err
    manifest = verified.manifest
    upload = _Upload(root, manifest, verified.manifest_sha256)
    try:
        _card_for_hub(upload, repo_id, f"v{manifest['dataset']['version']}")
        return _publish(root, repo_id, manifest, upload, dry_run, private)
    finally:
        upload.close()


def _card_for_hub(upload: _Upload, repo_id: str, tag: str) -> None:
    """The card is sent with its load snippet naming the repo and the tag, not the folder."""
    from builder.output.card_location import for_hub  # noqa: PLC0415

    card = upload.files[CARD_FILE].read().decode("utf-8")
    upload.replace(CARD_FILE, for_hub(card, repo_id, tag).encode("utf-8"))


def _publish(root: Path, repo_id: str, manifest: dict, upload: _Upload, dry_run: bool,
             private: bool) -> list[str]:
    name, version = manifest["dataset"]["name"], manifest["dataset"]["version"]
    tag = f"v{version}"
    message = f"{name} {tag}\n\n{manifest['signature']}"
    lines = [f"{'would upload' if dry_run else 'uploading'} {len(upload.files)} files to dataset "
             f"{repo_id} in one commit:"]
    for rel in upload.files:
        lines.append(f"  {rel}  {upload.size[rel]} bytes  sha256 {upload.sha256[rel][:16]}")
    lines.append(f"commit message: {name} {tag}")
    lines.append(f"tag: {tag} (message: {manifest['signature']})")
    lines.append(f"card: its load snippet names {repo_id} at revision {tag} (the built card "
                 "names the local folder)")
    if dry_run:
        lines.append("dry run: nothing was sent")
        return lines

    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi  # noqa: PLC0415

    token = _token()
    if not token:
        raise PublishError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
    redact = _Redact(token)
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    api = HfApi(endpoint=endpoint, token=token)
    step, commit = "create repo", None
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        step = "read tags"
        refs = api.list_repo_refs(repo_id, repo_type="dataset")
        if any(t.name == tag for t in refs.tags):
            raise PublishError(f"{repo_id}: tag {tag} exists already; bump the version to publish")
        step = "read head"
        head = api.repo_info(repo_id, repo_type="dataset").sha
        remote = {f.path: f for f in api.list_repo_tree(repo_id, revision=head, recursive=True,
                                                          repo_type="dataset")
                  if hasattr(f, "blob_id")}
        if upload.matches(remote):
            commit = head  # an earlier publish committed these files but did not tag them
            lines.append(f"the head {head[:12]} already holds these files (an earlier publish "
                         "was not tagged): tagging it")
        else:
            step = "commit"
            operations = [CommitOperationAdd(path_in_repo=rel, path_or_fileobj=f)
                          for rel, f in upload.files.items()]
            operations += [CommitOperationDelete(path_in_repo=p) for p in sorted(remote)
                           if p not in upload.files and p not in KEEP_REMOTE]
            commit = api.create_commit(repo_id, operations, commit_message=f"{name} {tag}",
                                       commit_description=manifest["signature"],
                                       repo_type="dataset", parent_commit=head).oid
        step = "tag"
        api.create_tag(repo_id, tag=tag, tag_message=message, revision=commit, repo_type="dataset")
    except PublishError:
        raise
    except Exception as err:  # noqa: BLE001 - every Hub failure is one line, exit 5
        failure = _explain(err, step, endpoint, redact)
        if step == "tag":
            raise PublishError(f"{failure}; the commit {commit[:12]} landed untagged: run "
                               "publish again to tag it (no second commit is made)") from None
        raise failure from None  # not chained: the Hub's own message may hold the token
    lines.append(f"published {repo_id}@{commit[:12]} and tagged {tag}")
    lines.append(f'load it with: datasets.load_dataset("{repo_id}", revision="{tag}")')
    return [redact(line) for line in lines]
