"""File hashing: one definition for inputs, outputs, verify, publish and model folders."""

import hashlib

from builder.digests import BLOCK, sha256_blocks, sha256_file, sha256_folder, sha256_of


def test_a_file_over_several_blocks_hashes_as_hashlib_does(tmp_path):
    data = bytes(range(256)) * (BLOCK // 256 * 2 + 3)  # two blocks and a partial one
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_file(path) == expected
    with path.open("rb") as f:
        f.read(10)
        assert sha256_of(f) == hashlib.sha256(data[10:]).hexdigest()  # from where it is


def test_other_digests_see_the_same_blocks():
    blob = hashlib.sha1()
    assert sha256_blocks([b"ab", b"c"], blob) == hashlib.sha256(b"abc").hexdigest()
    assert blob.hexdigest() == hashlib.sha1(b"abc").hexdigest()


def test_a_folder_hash_depends_on_names_and_contents_not_on_creation_order(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root, order in ((a, ("x", "sub/y")), (b, ("sub/y", "x"))):
        for name in order:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(name, encoding="utf-8")
    assert sha256_folder(a) == sha256_folder(b)
    (b / "x").rename(b / "z")
    assert sha256_folder(a) != sha256_folder(b)
    (b / "z").rename(b / "x")
    (b / "x").write_text("other", encoding="utf-8")
    assert sha256_folder(a) != sha256_folder(b)
