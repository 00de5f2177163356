//! The printable sheet of one recovery share: the same text as a plain file (what `recover --share` reads, and
//! what a person can type back from paper) and as a one-page HTML page with a QR code of the share.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use zeroize::Zeroizing;

use crate::shares::Share;

/// The sheet's text: who the share is for and what to do with it, then the share's numbered lines.
pub(crate) fn text(share: &Share, key_name: &str) -> Zeroizing<String> {
    let kid = share.recipient().kid();
    let (m, n, number) = (share.threshold(), share.count(), share.number());
    let mut out = Zeroizing::new(format!(
        "sealform recovery share {number} of {n} for the private key \"{key_name}\"\n\
         \n\
         Key id:       {kid}\n\
         Fingerprint:  {short}\n\
         Share:        {number} of {n}; any {m} of the {n} shares rebuild the key, fewer tell nothing about it\n\
         \n\
         Keep this sheet where only its keeper can reach it, apart from the other shares. To rebuild the key,\n\
         bring {m} shares to the firm's computer and run (each FILE a share's text file, typed back if need be):\n\
         \x20   sealform recover{shares} --out {key_name}.private.pem\n\
         Each line below ends with a checksum: a mistyped character is found on its line.\n\
         \n",
        short = kid.short(),
        shares = " --share FILE".repeat(usize::from(m)),
    ));
    out.push_str(&share.to_lines());
    out
}

/// The sheet as one HTML page: the text, and a QR code of the share when it fits one (it does for keys up to 4096
/// bits); every character of the text is escaped, though all of it is sealform's own.
pub(crate) fn html(share: &Share, key_name: &str) -> Zeroizing<String> {
    let text = escaped(&text(share, key_name));
    let title = format!(
        "sealform recovery share {} of {} — {}",
        share.number(),
        share.count(),
        share.recipient().kid().short()
    );
    let qr = match qr_svg(share) {
        Some(svg) => Zeroizing::new(format!(
            "<figure>{}<figcaption>The same share as a QR code</figcaption></figure>",
            svg.as_str()
        )),
        None => Zeroizing::new(
            "<p>(The share is too long for one QR code: type it from the lines above.)</p>"
                .to_owned(),
        ),
    };
    Zeroizing::new(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>@page {{ size: A4; margin: 12mm }} body {{ font-family: sans-serif }} \
         pre {{ font-size: 8.5pt; line-height: 1.25 }} figure {{ margin: 0 }} \
         figure svg {{ width: 70mm; height: 70mm }} figcaption {{ font-size: 8pt }}</style>\n\
         </head>\n<body>\n<pre>{text}</pre>\n{qr}\n</body>\n</html>\n",
        title = escaped(&title).as_str(),
        text = text.as_str(),
        qr = qr.as_str(),
    ))
}

/// `text` as HTML text, escaped by maud's escaper (the one summary.html's template uses) into a buffer reserved up
/// front, so no reallocation leaves a copy of the share behind unwiped.
fn escaped(text: &str) -> Zeroizing<String> {
    use std::fmt::Write as _;
    // The longest escape, `&quot;`, is six bytes.
    let mut out = Zeroizing::new(String::with_capacity(text.len() * 6));
    // Writing to a `String` cannot fail.
    let _ = maud::Escaper::new(&mut out).write_str(text);
    out
}

/// The share's one-line form as an SVG QR code.
fn qr_svg(share: &Share) -> Option<Zeroizing<String>> {
    let code = qr_code(share)?;
    Some(Zeroizing::new(
        code.render::<svg::Color<'_>>().quiet_zone(true).build(),
    ))
}

/// The share's one-line form as a QR code (low error correction: a share is long, and its own checksum catches
/// what a misread would change); `None` when it is too long for one.
fn qr_code(share: &Share) -> Option<QrCode> {
    QrCode::with_error_correction_level(share.to_compact().as_bytes(), EcLevel::L).ok()
}

#[cfg(test)]
mod tests {
    use sealform_core::key::Identity;

    use super::*;

    #[test]
    fn the_qr_code_reads_back_as_the_share() {
        let identity =
            Identity::from_pkcs8_pem(include_str!("../../core/tests/data/keys/backup.pem"), None)
                .expect("test key");
        let share = crate::shares::split(&identity, 2, 3)
            .expect("split")
            .remove(1);
        let code = qr_code(&share).expect("fits one QR code");
        // Drawn as a scanner would see it (4 pixels a module, a quiet zone of 4), then read by another library.
        let (width, colors) = (code.width(), code.to_colors());
        let (scale, quiet) = (4, 4);
        let size = (width + 2 * quiet) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
            let (x, y) = (x / scale, y / scale);
            let inside = (quiet..width + quiet).contains(&x) && (quiet..width + quiet).contains(&y);
            if inside && colors[(y - quiet) * width + (x - quiet)] == qrcode::Color::Dark {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        let (_, content) = grids
            .first()
            .expect("one QR code")
            .decode()
            .expect("decodes");
        assert_eq!(content, share.to_compact().as_str());
        let read = Share::parse(&content).expect("a share");
        assert_eq!(read.number(), 2);
        assert_eq!(read.recipient(), share.recipient());

        let page = html(&share, "backup");
        assert!(page.contains("<svg") && page.contains(sealform_core::share::BEGIN));
        assert!(
            page.contains("sealform recover --share FILE --share FILE --out backup.private.pem")
        );
    }
}
