//! Where a picked file's bytes are kept: in the browser's memory, never in wasm memory.
//!
//! Wasm memory grows and never shrinks: a 25 MB file copied into it kept the page 25 MB (and the growth's slack)
//! heavier for as long as it was open, and each seal copied the file out again for SubtleCrypto. So in the page a
//! file stays the `Uint8Array` the browser read it into, hashed and encrypted by SubtleCrypto from there. The
//! form's rules (plain Rust, tested natively) only ever need its length; their tests, with no browser, hold the
//! bytes in a `Vec`.

use std::sync::Arc;

use js_sys::Uint8Array;

/// A picked file's bytes: cheap to clone (the view's file list is cloned on every re-render).
#[derive(Clone)]
pub struct FileBytes(Held);

#[derive(Clone)]
enum Held {
    /// In the page: the array the browser read the file into.
    Browser(Arc<send_wrapper::SendWrapper<Uint8Array>>),
    /// Natively (the rules' tests), where there is no browser.
    Rust(Arc<Vec<u8>>),
}

impl FileBytes {
    /// The bytes the browser read (`File.arrayBuffer()`), kept where they are.
    pub fn in_browser(bytes: Uint8Array) -> Self {
        Self(Held::Browser(Arc::new(send_wrapper::SendWrapper::new(
            bytes,
        ))))
    }

    /// Bytes in Rust's memory: for the form's rules' native tests.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        Self(Held::Rust(Arc::new(bytes)))
    }

    /// How many bytes.
    pub fn len(&self) -> usize {
        match &self.0 {
            Held::Browser(bytes) => bytes.length() as usize,
            Held::Rust(bytes) => bytes.len(),
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes as the browser's `Uint8Array`, for SubtleCrypto: in the page, the very array read from the file
    /// (no copy).
    pub fn to_js(&self) -> Uint8Array {
        match &self.0 {
            Held::Browser(bytes) => Uint8Array::clone(bytes),
            Held::Rust(bytes) => Uint8Array::from(bytes.as_slice()),
        }
    }

    /// The bytes, when they are in Rust's memory (tests).
    pub fn as_slice(&self) -> Option<&[u8]> {
        match &self.0 {
            Held::Browser(_) => None,
            Held::Rust(bytes) => Some(bytes),
        }
    }
}

/// The same file: the same array (a picked file is never changed in place).
impl PartialEq for FileBytes {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Held::Browser(a), Held::Browser(b)) => Arc::ptr_eq(a, b),
            (Held::Rust(a), Held::Rust(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for FileBytes {}

impl std::fmt::Debug for FileBytes {
    // Never print the client's document.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileBytes({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_its_length_and_equal_only_to_itself() {
        let file = FileBytes::from_vec(vec![7; 10]);
        assert_eq!(file.len(), 10);
        assert!(!file.is_empty());
        assert_eq!(file.clone(), file);
        assert_ne!(FileBytes::from_vec(vec![7; 10]), file);
        assert_eq!(format!("{file:?}"), "FileBytes(10 bytes)");
        assert_eq!(file.as_slice(), Some(&[7; 10][..]));
    }
}
