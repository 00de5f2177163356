"""An independent JOSE peer for sealform: reads and writes sealform bundles with jwcrypto (OpenSSL, through
pyca/cryptography) and the standard library only, so `crates/core/tests/interop.rs` can show that sealform's core
and an unrelated implementation of RFC 7516 understand each other in both directions.

A bundle is {"version":1,"submission":JWE,"attachments":[JWE,...]}, each JWE in the General JSON Serialization
with the protected header {"enc":"A256GCM"} and one {"alg":"RSA-OAEP-256","kid":<RFC 7638 thumbprint>} header per
recipient. The submission part holds the submission document (JSON); each attachment part holds a file's bytes.

    peer.py open BUNDLE PRIVATE_KEY_PEM OUTDIR
        writes OUTDIR/submission.json (the exact decrypted bytes) and OUTDIR/attachment-N.bin (N from 0)
    peer.py seal OUT_BUNDLE SUBMISSION_JSON PUBLIC_JWK... [--attach FIELD NAME MEDIA_TYPE PATH]...
        seals for every public JWK file given; the document's "attachments" list is filled in from the files

Any failure prints one line to stderr and exits with status 1.
"""

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

try:
    from jwcrypto.jwe import JWE
    from jwcrypto.jwk import JWK
except ImportError:
    sys.exit("peer.py: jwcrypto is not installed for this Python: run scripts/setup.sh")

PROTECTED = '{"enc":"A256GCM"}'
KEY_ALGORITHM = "RSA-OAEP-256"
# Refuse anything else, so a part that decrypts here cannot have been sealed with another algorithm.
ALLOWED_ALGS = [KEY_ALGORITHM, "A256GCM"]
JWE_MEMBERS = {"protected", "recipients", "iv", "ciphertext", "tag"}


class PeerError(Exception):
    """A problem with the input, reported on one line."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def thumbprint(key: JWK) -> str:
    """The RFC 7638 SHA-256 thumbprint of an RSA key, computed here from §3.2 and checked against jwcrypto's."""
    public = key.export_public(as_dict=True)
    # Required members only, in lexicographic order, no whitespace.
    canonical = json.dumps({"e": public["e"], "kty": "RSA", "n": public["n"]}, separators=(",", ":"))
    ours = b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())
    if ours != key.thumbprint():
        raise PeerError(f"RFC 7638 thumbprint {ours} differs from jwcrypto's {key.thumbprint()}")
    return ours


# ---------------------------------------------------------------------------------------------------------------
# open
# ---------------------------------------------------------------------------------------------------------------


def check_shape(part: dict, where: str) -> None:
    """Checks that a part has exactly the shape sealform specifies, beyond what jwcrypto would accept."""
    if set(part) != JWE_MEMBERS:
        raise PeerError(f"{where}: members {sorted(part)}, expected exactly {sorted(JWE_MEMBERS)}")
    if b64url_decode(part["protected"]) != PROTECTED.encode("ascii"):
        raise PeerError(f"{where}: protected header is {b64url_decode(part['protected'])!r}, not {PROTECTED}")
    for i, recipient in enumerate(part["recipients"]):
        header = recipient.get("header", {})
        if set(recipient) != {"header", "encrypted_key"} or set(header) != {"alg", "kid"}:
            raise PeerError(f"{where}.recipients[{i}]: expected header {{alg, kid}} and encrypted_key")
        if header["alg"] != KEY_ALGORITHM:
            raise PeerError(f"{where}.recipients[{i}]: alg is {header['alg']}, not {KEY_ALGORITHM}")


def decrypt_part(part: dict, key: JWK, kid: str, where: str) -> bytes:
    check_shape(part, where)
    kids = [recipient["header"]["kid"] for recipient in part["recipients"]]
    if kid not in kids:
        raise PeerError(f"{where}: not sealed for key {kid} (sealed for {', '.join(kids)})")
    jwe = JWE(algs=ALLOWED_ALGS)
    jwe.deserialize(json.dumps(part))
    # jwcrypto tries every recipient entry with the key and keeps the one that decrypts and authenticates.
    # (It treats an empty plaintext as a failure, so a zero-byte attachment cannot be opened here.)
    jwe.decrypt(key)
    return jwe.payload


def open_bundle(bundle_path: Path, key_path: Path, outdir: Path) -> None:
    bundle = json.loads(bundle_path.read_bytes())
    if set(bundle) != {"version", "submission", "attachments"} or bundle["version"] != 1:
        raise PeerError(f"{bundle_path}: not a version 1 bundle (members {sorted(bundle)})")
    key = JWK.from_pem(key_path.read_bytes())
    kid = thumbprint(key)

    submission_bytes = decrypt_part(bundle["submission"], key, kid, "submission")
    listed = json.loads(submission_bytes)["attachments"]
    parts = bundle["attachments"]
    if len(listed) != len(parts):
        raise PeerError(f"the submission lists {len(listed)} attachments, the bundle carries {len(parts)}")
    files = []
    for index, (info, part) in enumerate(zip(listed, parts)):
        data = decrypt_part(part, key, kid, f"attachments[{index}]")
        if len(data) != info["size"] or hashlib.sha256(data).hexdigest() != info["sha256"]:
            raise PeerError(f"attachments[{index}] ({info['name']!r}): size or SHA-256 differs from the list")
        files.append(data)

    # Only written once everything has decrypted and matched.
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "submission.json").write_bytes(submission_bytes)
    for index, data in enumerate(files):
        (outdir / f"attachment-{index}.bin").write_bytes(data)


# ---------------------------------------------------------------------------------------------------------------
# seal
# ---------------------------------------------------------------------------------------------------------------


def load_recipient(path: Path) -> tuple[JWK, str]:
    """A public JWK file whose `kid` must be its RFC 7638 thumbprint."""
    key = JWK.from_json(path.read_text(encoding="utf-8"))
    if key.has_private:
        raise PeerError(f"{path}: a private key; give the public JWK")
    kid = thumbprint(key)
    if key.get("kid") != kid:
        raise PeerError(f"{path}: kid {key.get('kid')} is not the key's RFC 7638 thumbprint {kid}")
    return key, kid


def seal_part(plaintext: bytes, recipients: list[tuple[JWK, str]]) -> dict:
    jwe = JWE(plaintext, protected=PROTECTED, algs=ALLOWED_ALGS)
    for key, kid in recipients:
        jwe.add_recipient(key, header={"alg": KEY_ALGORITHM, "kid": kid})
    part = json.loads(jwe.serialize())
    if "recipients" not in part:
        # With a single recipient jwcrypto writes the flattened form (RFC 7516 §7.2.2), which sealform does not
        # read. Moving `header` and `encrypted_key` into a one-element `recipients` list gives the general form
        # (§7.2.1): a re-serialisation only, since the protected header (the AAD), IV, ciphertext, tag and wrapped
        # key are untouched. (jwcrypto 1.6 can write the general form itself, JWE(..., flattened=False); 1.5 cannot.)
        part["recipients"] = [{"header": part.pop("header"), "encrypted_key": part.pop("encrypted_key")}]
    check_shape(part, "sealed part")
    return part


def seal_bundle(out: Path, submission_path: Path, jwk_paths: list[Path], attach: list[list[str]]) -> None:
    recipients = [load_recipient(path) for path in jwk_paths]
    files = [(field, name, media_type, Path(path).read_bytes()) for field, name, media_type, path in attach]
    document = json.loads(submission_path.read_bytes())
    document["attachments"] = [
        {
            "field": field,
            "name": name,
            "media_type": media_type,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        for field, name, media_type, data in files
    ]
    submission_bytes = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    bundle = {
        "version": 1,
        "submission": seal_part(submission_bytes, recipients),
        "attachments": [seal_part(data, recipients) for *_, data in files],
    }
    out.write_text(json.dumps(bundle, separators=(",", ":")), encoding="ascii")


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    opening = commands.add_parser("open", help="decrypt and check every part of a bundle")
    opening.add_argument("bundle", type=Path)
    opening.add_argument("private_key_pem", type=Path)
    opening.add_argument("outdir", type=Path)
    sealing = commands.add_parser("seal", help="seal a submission document and files for public JWKs")
    sealing.add_argument("out_bundle", type=Path)
    sealing.add_argument("submission_json", type=Path)
    sealing.add_argument("public_jwk", type=Path, nargs="+")
    sealing.add_argument("--attach", nargs=4, action="append", default=[],
                         metavar=("FIELD", "NAME", "MEDIA_TYPE", "PATH"))
    args = parser.parse_args()
    try:
        if args.command == "open":
            open_bundle(args.bundle, args.private_key_pem, args.outdir)
        else:
            seal_bundle(args.out_bundle, args.submission_json, args.public_jwk, args.attach)
    except Exception as error:  # jwcrypto, json and OS errors alike: one line, non-zero exit
        print(f"peer.py {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
