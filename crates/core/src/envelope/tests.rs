use super::*;
use crate::test_keys;
use rand_core::OsRng;

fn sealed(plaintext: &[u8]) -> Jwe {
    let recipients = [
        test_keys::firm().recipient().clone(),
        test_keys::backup().recipient().clone(),
    ];
    seal_part(&recipients, plaintext, &mut OsRng).unwrap()
}

fn malformed(json: &str) -> (String, String) {
    match Jwe::from_json(json.as_bytes()) {
        Err(OpenError::Malformed { path, problem }) => (path, problem),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

fn edit(jwe: &Jwe, change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value: serde_json::Value = serde_json::from_slice(&jwe.to_json()).unwrap();
    change(&mut value);
    value.to_string()
}

#[test]
fn seals_and_opens_for_each_recipient() {
    let jwe = sealed(b"hello");
    for identity in [test_keys::firm(), test_keys::backup()] {
        let plaintext = jwe.decrypt(&[identity], &mut OsRng).unwrap();
        assert_eq!(plaintext.as_slice(), b"hello");
    }
}

#[test]
fn parse_then_write_gives_back_the_same_bytes() {
    let bytes = sealed(b"same bytes").to_json();
    assert_eq!(Jwe::from_json(&bytes).unwrap().to_json(), bytes);
}

#[test]
fn the_split_path_matches_the_one_shot_path() {
    let recipients = [test_keys::firm().recipient().clone()];
    let pending = PendingPart::new(&recipients, &mut OsRng).unwrap();
    // Encrypt "elsewhere" with the same primitives the browser would use.
    let cipher = Aes256Gcm::new_from_slice(pending.content_key()).unwrap();
    let mut content = b"attachment".to_vec();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(pending.iv()), pending.aad(), &mut content)
        .unwrap();
    let jwe = pending.finish(content, tag.into());
    assert_eq!(
        jwe.decrypt(&[test_keys::firm()], &mut OsRng)
            .unwrap()
            .as_slice(),
        b"attachment"
    );
}

#[test]
fn keys_wrapped_outside_core_open_and_are_checked() {
    let recipients = [
        test_keys::firm().recipient().clone(),
        test_keys::backup().recipient().clone(),
    ];
    let part = UnwrappedPart::new(&recipients, &mut OsRng).unwrap();
    // Wrapped "elsewhere" (as SubtleCrypto would): RSA-OAEP-256 over the content key, one per recipient.
    let keys: Vec<Vec<u8>> = recipients
        .iter()
        .map(|r| r.wrap(&mut OsRng, part.content_key()).unwrap())
        .collect();
    let jwe = part
        .wrapped(keys)
        .unwrap()
        .encrypt(b"wrapped elsewhere")
        .unwrap();
    for identity in [test_keys::firm(), test_keys::backup()] {
        assert_eq!(
            jwe.decrypt(&[identity], &mut OsRng).unwrap().as_slice(),
            b"wrapped elsewhere"
        );
    }

    let fresh = || UnwrappedPart::new(&recipients, &mut OsRng).unwrap();
    let good = |part: &UnwrappedPart| -> Vec<Vec<u8>> {
        recipients
            .iter()
            .map(|r| r.wrap(&mut OsRng, part.content_key()).unwrap())
            .collect()
    };
    let part = fresh();
    let mut one_short = good(&part);
    one_short.pop();
    assert!(matches!(
        part.wrapped(one_short),
        Err(SealError::WrappedKeys)
    ));
    let part = fresh();
    let mut truncated = good(&part);
    truncated[1].pop();
    assert!(matches!(
        part.wrapped(truncated),
        Err(SealError::WrappedKeys)
    ));
    assert!(matches!(
        UnwrappedPart::new(&[], &mut OsRng),
        Err(SealError::NoRecipients)
    ));
}

#[test]
fn wrong_key_names_both_sides() {
    let jwe = sealed(b"x");
    let stranger = test_keys::stranger();
    match jwe.decrypt(std::slice::from_ref(&stranger), &mut OsRng) {
        Err(OpenError::NotForThisKey {
            sealed_for,
            you_hold,
        }) => {
            assert_eq!(
                sealed_for,
                vec![
                    test_keys::firm().kid().clone(),
                    test_keys::backup().kid().clone()
                ]
            );
            assert_eq!(you_hold, vec![stranger.kid().clone()]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refuses_other_algorithms_and_members() {
    let jwe = sealed(b"x");
    let header = |json: &str| base64url::encode(json.as_bytes());
    let cases: Vec<(String, &str, &str)> = vec![
        (
            edit(&jwe, |v| {
                v["recipients"][0]["header"]["alg"] = "RSA1_5".into()
            }),
            "recipients[0].header.alg",
            "RSA-OAEP-256",
        ),
        (
            edit(&jwe, |v| {
                v["protected"] = header(r#"{"enc":"A128GCM"}"#).into()
            }),
            "protected",
            "A256GCM",
        ),
        (
            edit(&jwe, |v| {
                v["protected"] = header(r#"{"enc":"A256GCM","zip":"DEF"}"#).into()
            }),
            "protected",
            "zip",
        ),
        (
            edit(&jwe, |v| {
                v["protected"] = header(r#"{"enc":"A256GCM","crit":["exp"]}"#).into()
            }),
            "protected",
            "crit",
        ),
        (
            edit(&jwe, |v| {
                v["protected"] = header(r#"{"enc":"A256GCM","enc":"A256GCM"}"#).into()
            }),
            "protected",
            "duplicate",
        ),
        (
            edit(&jwe, |v| v["aad"] = "eA".into()),
            "aad",
            "unknown field `aad`",
        ),
        (
            edit(&jwe, |v| v["unprotected"] = serde_json::json!({})),
            "unprotected",
            "unknown field `unprotected`",
        ),
        (
            edit(&jwe, |v| v["iv"] = base64url::encode(&[0; 16]).into()),
            "iv",
            "96 bits",
        ),
        (
            edit(&jwe, |v| v["tag"] = base64url::encode(&[0; 12]).into()),
            "tag",
            "128 bits",
        ),
        (
            edit(&jwe, |v| v["recipients"] = serde_json::json!([])),
            "recipients",
            "at least one",
        ),
        (
            edit(&jwe, |v| v["recipients"][1] = v["recipients"][0].clone()),
            "recipients",
            "repeats kid",
        ),
        (
            edit(&jwe, |v| {
                v["recipients"][0]["header"]["kid"] = "2011-04-29".into()
            }),
            "recipients[0].header.kid",
            "key id",
        ),
    ];
    for (json, path, problem_part) in cases {
        let (found_path, problem) = malformed(&json);
        assert_eq!(found_path, path, "{problem}");
        assert!(problem.contains(problem_part), "{path}: {problem}");
    }
}

#[test]
fn refuses_non_canonical_base64url() {
    let jwe = sealed(b"x");
    let json = String::from_utf8(jwe.to_json()).unwrap();
    let iv = base64url::encode(&jwe.iv.0);
    // 12 bytes encode to 16 characters with no spare bits, so pad it instead.
    let (path, problem) = malformed(&json.replace(&iv, &format!("{iv}==")));
    assert_eq!(path, "iv");
    assert!(problem.contains("base64url"), "{problem}");
    // The 16-byte tag ends in a character carrying 4 spare bits: set one of them.
    let tag = base64url::encode(&jwe.tag.0);
    let last = tag.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(last).unwrap();
    let sloppy = alphabet.chars().nth(index | 1).unwrap();
    assert_ne!(
        sloppy, last,
        "the canonical last character has its low bits clear"
    );
    let (path, _) = malformed(&json.replace(&tag, &format!("{}{sloppy}", &tag[..tag.len() - 1])));
    assert_eq!(path, "tag");
}

#[test]
fn trailing_bytes_are_refused() {
    let mut json = sealed(b"x").to_json();
    json.extend_from_slice(b" {}");
    let (_, problem) = malformed(std::str::from_utf8(&json).unwrap());
    assert!(problem.contains("trailing"), "{problem}");
}

#[test]
fn rfc7516_appendix_a1() {
    let vector: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/rfc7516-a1.json")).unwrap();
    let parts: Vec<&str> = vector["compact"].as_str().unwrap().split('.').collect();
    let bytes = |text: &str| base64url::decode(text).unwrap();
    let number =
        |name: &str| rsa::BigUint::from_bytes_be(&bytes(vector["key"][name].as_str().unwrap()));
    let expected_cek: Vec<u8> = serde_json::from_value(vector["cek"].clone()).unwrap();

    // The RFC's key unwraps the RFC's encrypted key to the RFC's content key. A.1 uses "RSA-OAEP" (OAEP with
    // SHA-1), which sealform never accepts; this step only checks that the vector file is intact.
    let key = rsa::RsaPrivateKey::from_components(
        number("n"),
        number("e"),
        number("d"),
        vec![number("p"), number("q")],
    )
    .unwrap();
    let cek = key
        .decrypt(rsa::Oaep::new::<sha1::Sha1>(), &bytes(parts[1]))
        .unwrap();
    assert_eq!(cek, expected_cek);

    // sealform's content decryption, given the RFC's protected header, IV, ciphertext and tag, yields the RFC's
    // plaintext: its AAD and A256GCM are exactly RFC 7516's.
    let jwe = Jwe {
        protected: Protected(parts[0].to_owned()),
        recipients: Recipients(Vec::new()),
        iv: Iv(bytes(parts[2]).try_into().unwrap()),
        ciphertext: Bytes(bytes(parts[3])),
        tag: GcmTag(bytes(parts[4]).try_into().unwrap()),
    };
    let plaintext = jwe.decrypt_content(&cek).unwrap();
    assert_eq!(
        plaintext.as_slice(),
        vector["plaintext"].as_str().unwrap().as_bytes()
    );

    // And the strict reader refuses the vector itself, in JSON form: "alg" belongs in each recipient's header,
    // and RSA-OAEP (SHA-1) is not RSA-OAEP-256.
    let as_json = serde_json::json!({
        "protected": parts[0],
        "recipients": [{"header": {"alg": "RSA-OAEP", "kid": test_keys::firm().kid()}, "encrypted_key": parts[1]}],
        "iv": parts[2], "ciphertext": parts[3], "tag": parts[4],
    });
    let (path, problem) = malformed(&as_json.to_string());
    assert_eq!(path, "protected");
    assert!(problem.contains("unknown field `alg`"), "{problem}");
    let mut moved = as_json.clone();
    moved["protected"] = base64url::encode(PROTECTED_HEADER.as_bytes()).into();
    let (path, problem) = malformed(&moved.to_string());
    assert_eq!(path, "recipients[0].header.alg");
    assert!(problem.contains("RSA-OAEP-256"), "{problem}");
}

#[test]
fn any_damage_to_the_crypto_is_one_error() {
    let jwe = sealed(b"secret");
    let firm = test_keys::firm();
    let mut damaged = Vec::new();
    let mut flip = |f: fn(&mut Jwe)| {
        let mut copy = jwe.clone();
        f(&mut copy);
        damaged.push(copy);
    };
    flip(|j| j.iv.0[0] ^= 1);
    flip(|j| j.tag.0[15] ^= 0x80);
    flip(|j| j.ciphertext.0[0] ^= 1);
    flip(|j| j.recipients.0[0].encrypted_key.0[100] ^= 1);
    flip(|j| j.protected = Protected(base64url::encode(br#"{"enc":"A256GCM" }"#)));
    for copy in damaged {
        assert!(matches!(
            copy.decrypt(std::slice::from_ref(&firm), &mut OsRng),
            Err(OpenError::DecryptionFailed)
        ));
    }
}
